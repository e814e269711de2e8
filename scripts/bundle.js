#!/usr/bin/env node
// Bundles the compiled CLI into one CommonJS file (dist/bundle/main.cjs) so that start-up reads and compiles
// one file instead of resolving dozens of ES modules. Dependencies stay external (their own files, loaded with
// import() where heavy) except commander, which every command needs.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => name !== "commander");

// Chunk names carry content hashes: start from an empty directory so old chunks do not pile up.
rmSync(join(root, "dist", "bundle"), { recursive: true, force: true });

// Shared by the two bundles. `import.meta.url` is mapped to the bundle's own file.
const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external,
  logLevel: "warning",
  define: { "import.meta.url": "__avvikModuleUrl" },
  banner: { js: 'const __avvikModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

// One CommonJS file: Node reads and compiles it once, synchronously, instead of resolving a graph of ES modules.
// Our own lazily imported modules stay lazy (esbuild initialises them on first import()); packages stay external.
// bin/avvik.cjs runs this bundle as a vm script (to use V8's code cache), and such a script has no loader for
// import(): each import("package") is rewritten to go through __avvikImport, which bin/avvik.cjs provides (a
// plain import() when the bundle is required the usual way).
const mainFile = join(root, "dist", "bundle", "main.cjs");
const importShim = 'const __avvikImport = typeof globalThis.__avvikImport === "function" ? globalThis.__avvikImport : (specifier) => import(specifier);';
await build({ ...common, entryPoints: [join(root, "dist", "cli", "main.js")], outfile: mainFile, banner: { js: `${importShim}\n${common.banner.js}` } });
writeFileSync(mainFile, readFileSync(mainFile, "utf8").replace(/\bimport\(("[^"\n]+")\)/g, "__avvikImport($1)"));

// The worker thread of large imports (src/csv/worker.ts), found beside main.cjs.
await build({ ...common, entryPoints: [join(root, "dist", "csv", "worker.js")], outfile: join(root, "dist", "bundle", "import-worker.cjs") });

// The worker thread that reads foreign PDFs within limits (src/documents/pdfWorker.ts), found beside main.cjs.
await build({ ...common, entryPoints: [join(root, "dist", "documents", "pdfWorker.js")], outfile: join(root, "dist", "bundle", "pdf-worker.cjs") });

// The thread tesseract.js reads a page in (src/documents/ocrThread.ts: the network refused, then tesseract's worker
// script), found beside main.cjs.
await build({ ...common, entryPoints: [join(root, "dist", "documents", "ocrThread.js")], outfile: join(root, "dist", "bundle", "ocr-thread.cjs") });

// V8's code cache for the bundle (bin/avvik.cjs uses it): made by running `case list --json` on a throwaway
// register, so that the functions of start-up, opening the register and listing are in it. Made by the Node.js
// that builds, which is the one that runs it; without it avvik works the same, only starts a little slower.
{
  const home = mkdtempSync(join(tmpdir(), "avvik-code-cache-"));
  const env = { ...process.env, AVVIK_HOME: join(home, "data"), NO_COLOR: "1" };
  delete env.AVVIK_KEY_FILE;
  delete env.AVVIK_SMTP_URL;
  const bin = join(root, "bin", "avvik.cjs");
  const run = (args, extra = {}) => spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, encoding: "utf8" });
  // A register with a case in it, so that listing rows is compiled (and cached) too.
  const steps = [
    ["init", "--org-id", "cache", "--org-name", "Cache"],
    ["org", "add", "--id", "region", "--name", "Region", "--kind", "region"],
    ["case", "new", "--direction", "out", "--counterpart", "region", "--event-date", "2026-01-01", "--discovered-date", "2026-01-01", "--kind", "risk", "--area", "ovrigt", "--summary", "Cache"],
  ];
  const failed = steps.map((args) => run(args)).find((r) => r.status !== 0);
  const list = failed ?? run(["case", "list", "--json"], { AVVIK_WRITE_CODE_CACHE: "1" });
  if (list.status !== 0) console.warn(`no code cache for the bundle (${(list.stderr || "").trim()})`);
  rmSync(home, { recursive: true, force: true });
}
