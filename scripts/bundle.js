#!/usr/bin/env node
// Bundles the compiled CLI into one CommonJS file (dist/bundle/main.cjs) so that start-up reads and compiles
// one file instead of resolving dozens of ES modules. Dependencies stay external (their own files, loaded with
// import() where heavy) except commander, which every command needs.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => name !== "commander");

// Chunk names carry content hashes: start from an empty directory so old chunks do not pile up.
rmSync(join(root, "dist", "bundle"), { recursive: true, force: true });

await build({
  entryPoints: [join(root, "dist", "cli", "main.js")],
  outfile: join(root, "dist", "bundle", "main.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external,
  logLevel: "warning",
  // One CommonJS file: Node reads and compiles it once, synchronously, instead of resolving a graph of ES modules.
  // Our own lazily imported modules stay lazy (esbuild initialises them on first import()); packages stay external.
  define: { "import.meta.url": "__avvikModuleUrl" },
  banner: { js: 'const __avvikModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});

// The worker thread of large imports (src/csv/worker.ts), found beside main.cjs.
await build({
  entryPoints: [join(root, "dist", "csv", "worker.js")],
  outfile: join(root, "dist", "bundle", "import-worker.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external,
  logLevel: "warning",
  define: { "import.meta.url": "__avvikModuleUrl" },
  banner: { js: 'const __avvikModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
