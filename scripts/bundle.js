#!/usr/bin/env node
// Bundles the compiled CLI into a few files (dist/bundle/) so that start-up reads one module graph instead of
// dozens of files: read commands then start within a few milliseconds of bare Node. Dependencies stay external
// (their own files, loaded with import() where heavy) except commander, which every command needs.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => name !== "commander");

await build({
  entryPoints: [join(root, "dist", "cli", "main.js")],
  outdir: join(root, "dist", "bundle"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  logLevel: "warning",
  // commander is CommonJS; give the bundle a require() for it.
  banner: { js: 'import { createRequire as __avvikCreateRequire } from "node:module"; const require = __avvikCreateRequire(import.meta.url);' },
});
