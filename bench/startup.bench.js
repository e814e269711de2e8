// Start-up of read commands against bare Node, and `case list` over 100,000 cases.
// Goals (issue 2): read commands within 1.5× of `node -e 0`; listing 100,000 cases under 1 s.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "avvik.cjs");
const work = mkdtempSync(join(tmpdir(), "avvik-bench-"));
const env = { ...process.env, AVVIK_HOME: join(work, "data"), AVVIK_NOW: "2026-11-23T09:00:00", AVVIK_USER: "bench", NO_COLOR: "1" };

function time(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: "utf8", maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const avvik = (...a) => [bin, ...a];
spawnSync(process.execPath, avvik("init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"), { env });
spawnSync(process.execPath, avvik("org", "import", "ostergotland"), { env });
for (let i = 0; i < 20; i++) {
  spawnSync(process.execPath, avvik("case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01",
    "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "lakemedel", "--summary", `Fall ${i}`), { env });
}

const runs = 15;
const bare = time(["-e", "0"], runs);
const help = time(avvik("--help"), runs);
const list = time(avvik("case", "list", "--json"), runs);
console.log(`start-up, median of ${runs} runs:`);
console.log(`  node -e 0                 ${bare.toFixed(1)} ms`);
console.log(`  avvik --help              ${help.toFixed(1)} ms  (${(help / bare).toFixed(2)}× bare node)`);
console.log(`  avvik case list --json    ${list.toFixed(1)} ms  (${(list / bare).toFixed(2)}× bare node, 20 cases)`);

// What V8's code cache (bin/avvik.cjs, made by the build) is worth: the same bin and bundle copied without the
// cache file load the bundle with a plain require. Taken in turns, so that load from others hits both alike.
const plain = join(work, "plain");
mkdirSync(join(plain, "dist", "bundle"), { recursive: true });
cpSync(join(root, "bin"), join(plain, "bin"), { recursive: true });
cpSync(join(root, "dist", "bundle"), join(plain, "dist", "bundle"), { recursive: true, filter: (f) => !f.endsWith(".v8cache") });
for (const name of ["node_modules", "templates", "fixtures", "package.json"]) symlinkSync(join(root, name), join(plain, name));
const plainBin = join(plain, "bin", "avvik.cjs");
const withCache = [];
const without = [];
for (let i = 0; i < 25; i++) {
  for (const [b, samples] of i % 2 ? [[bin, withCache], [plainBin, without]] : [[plainBin, without], [bin, withCache]]) {
    samples.push(time([b, "case", "list", "--json"], 1));
  }
}
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const cached = median(withCache);
const uncached = median(without);
console.log(`code cache, case list --json, median of ${withCache.length} runs each, in turns:`);
console.log(`  with the cache            ${cached.toFixed(1)} ms`);
console.log(`  plain require             ${uncached.toFixed(1)} ms  (the cache saves ${(uncached - cached).toFixed(1)} ms, ${(((uncached - cached) / uncached) * 100).toFixed(0)} %)`);

// 100,000 cases, written directly (the register's own insert path is measured by the import bench).
const db = new Database(join(work, "data", "avvik.db"));
db.pragma("journal_mode = WAL");
const insert = db.prepare(`INSERT INTO cases (diary_number, diary_year, diary_seq, direction, status, counterpart_id, unit_id, event_date,
  discovered_date, received_date, registered_at, due_date, kind, area, summary, updated_at, doc_seq)
  VALUES (?, 2025, ?, ?, ?, 'region-ostergotland', NULL, '2025-03-01', '2025-03-02', NULL, '2025-03-10T09:00:00+01:00', ?, 'risk', ?, ?, '2025-03-10T09:00:00+01:00', 1)`);
const areas = ["information", "planering", "lakemedel", "omvardnad", "bemotande", "ovrigt"];
const statuses = ["registered", "sent", "answered", "closed"];
db.transaction(() => {
  for (let i = 1; i <= 100_000; i++) {
    insert.run(`2025-${String(i).padStart(6, "0")}`, i, i % 2 ? "out" : "in", statuses[i % 4], `2025-${String((i % 12) + 1).padStart(2, "0")}-15`, areas[i % 6], `Avvikelse nummer ${i}`);
  }
})();
db.close();
const big = time(avvik("case", "list", "--json"), 5);
const bigText = time(avvik("case", "list"), 5);
const overdue = time(avvik("case", "list", "--overdue", "--json"), 5);
console.log(`case list over 100,020 cases, median of 5 runs:`);
console.log(`  --json                    ${big.toFixed(0)} ms`);
console.log(`  table                     ${bigText.toFixed(0)} ms`);
console.log(`  --overdue --json          ${overdue.toFixed(0)} ms`);
rmSync(work, { recursive: true, force: true });
