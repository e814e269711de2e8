#!/usr/bin/env node
// Runs every bench/<area>.bench.js in turn (or only the areas named: npm run bench -- startup csv).
// Benchmarks print their figures and ratios; they assert nothing and are not part of npm test.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.js"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.js$/, "")))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f.replace(/\.bench\.js$/, "")} ==`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
