#!/usr/bin/env node
// Loads the bundle (dist/bundle/main.cjs) with V8's code cache when the build made one for it: the functions a
// command runs at start-up are then read back compiled instead of parsed and compiled again (about 10-15 ms of
// a 100 ms start). The cache is used only for the exact bundle it was made from (size and modification time
// recorded beside it); V8 itself refuses a cache made by another Node.js. Without a usable cache: a plain require.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const bundle = path.join(__dirname, "..", "dist", "bundle", "main.cjs");
const cacheFile = `${bundle}.v8cache`;
const writeCache = process.env.AVVIK_WRITE_CODE_CACHE === "1";

function stamp(stat) {
  return `${stat.size}:${Math.trunc(stat.mtimeMs)}:${process.version}`;
}

/** The compiled script and its cache, or null when there is no usable cache (nothing has run yet). */
function compileWithCache() {
  const vm = require("node:vm");
  const Module = require("node:module");
  const stat = fs.statSync(bundle);
  let cachedData;
  if (!writeCache) {
    const data = fs.readFileSync(cacheFile);
    // The first line is the stamp of the bundle the cache was made from.
    const nl = data.indexOf(10);
    if (nl < 0 || data.subarray(0, nl).toString() !== stamp(stat)) return null;
    cachedData = data.subarray(nl + 1);
  }
  // A cache V8 rejects (made by another V8) only means compiling as usual.
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
  return { script, stat, Module };
}

let compiled = null;
if (writeCache || fs.existsSync(cacheFile)) {
  try {
    compiled = compileWithCache();
  } catch {
    compiled = null; // an unreadable cache is no reason to fail: load the bundle the plain way
  }
}
let cli;
if (compiled) {
  const { script, stat, Module } = compiled;
  if (writeCache) {
    // Written when the command has run, so that what it compiled on the way is in the cache too.
    process.on("exit", () => {
      fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${stamp(stat)}\n`), script.createCachedData()]));
    });
  }
  // A script compiled by vm has no loader for import(): the bundle's import() of packages (pdfkit, pdf-parse,
  // @inquirer/prompts …) comes here instead (scripts/bundle.js), resolved from this file as from the bundle.
  globalThis.__avvikImport = (specifier) => import(specifier);
  const mod = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  cli = mod.exports;
} else {
  cli = require("../dist/bundle/main.cjs");
}

// A reader that stops early (`avvik case list | head`) is not an error: end quietly.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
// The CLI itself takes its streams, environment and directory as given and returns the exit code (src/cli/main.ts).
cli.main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
