// CSV import: a generated export of ROWS rows (default 1,000,000; BENCH_CSV_ROWS to change) in the Synergi
// profile's shape, imported by the built CLI into a fresh register; rows per second and the peak memory (maxRSS)
// of the importing process, then the same file imported again (nothing changes), then sqlite3's own `.import`
// of the same file for comparison (just before each run, so that ratios compare runs under the same load); the
// same for 100,000 rows; the throughput of each 100,000 rows of the large import (from the progress it publishes);
// and the floor: plain SQL into bare tables and into the register's tables, committed. Prints figures; asserts nothing.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "avvik.cjs");
const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "avvik-bench-csv-"));
const env = { ...process.env, AVVIK_HOME: join(dir, "data"), AVVIK_NOW: "2026-06-30T12:00:00", AVVIK_USER: "bench", NO_COLOR: "1" };

function luhnDigit(nine) {
  for (let c = 0; c <= 9; c++) {
    let sum = 0;
    const t = nine + c;
    for (let i = 0; i < 10; i++) {
      let d = t.charCodeAt(i) - 48;
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return c;
  }
  return 0;
}

const AREAS = ["Läkemedelsbehandling", "Brister i information/rapportering", "Omvårdnadsbrister", "Bemötande", "Övrigt"];
const KINDS = ["Risk", "Tillbud", "Vårdskada"];
const UNITS = ["Vrinnevisjukhuset, medicinkliniken", "Vårdcentralen Finspång", "Region Östergötland", "ro-ps-oster"];
const OURS = ["Hemtjänsten Ryd", "Särskilt boende Ekholmen", ""];
const STATUS = ["Registrerad", "Under utredning", "Besvarad"];

async function generate(file, ROWS) {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient\r\n";
  out.write(header);
  let buf = "";
  for (let i = 0; i < ROWS; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const month = String(1 + (i % 5)).padStart(2, "0");
    const yy = 30 + (i % 60);
    const serial = String(100 + (i % 800));
    const nine = `${yy}${month}${day}${serial}`;
    const pnr = `19${yy}${month}${day}-${serial}${luhnDigit(nine)}`;
    buf +=
      `${1_000_000 + i};2026-${month}-${day};2026-${month}-${day};2026-${month}-${day};Avvikelse nummer ${i} vid utskrivning;` +
      `"Beskrivning av händelse ${i}; med semikolon och ""citat"""` +
      `;${AREAS[i % AREAS.length]};${KINDS[i % KINDS.length]};${UNITS[i % UNITS.length]};${OURS[i % OURS.length]};${STATUS[i % STATUS.length]};${pnr};Test Testsson\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "close");
}

/** Runs a command under /usr/bin/time (asynchronously: a watcher may poll meanwhile): wall and CPU seconds, peak RSS. */
function timed(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "TIME %M %e %U %S", cmd, ...args], { env, ...options, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.stdin.end(options.input ?? "");
    child.on("close", (status) => {
      const last = stderr.trim().split("\n").filter((l) => l.startsWith("TIME ")).pop() ?? "";
      const [kb, secs, user, sys] = last.slice(5).split(" ").map(Number);
      resolve({ status, stdout, stderr, seconds: secs, cpu: user + sys, maxRssMb: kb / 1024 });
    });
  });
}

function mb(n) {
  return `${n.toFixed(0)} MB`;
}

const load = () => (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout ?? "").split(" ")[0];

/** A fresh register (init, the Östergötland directory) in `home`. */
function register(home) {
  for (const args of [["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], ["org", "import", "ostergotland"]]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...env, AVVIK_HOME: home }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  }
}

/** sqlite3's own `.import` of the file into one table without an index (the reference of every ratio). */
async function sqliteImport(file, db) {
  const s = await timed("sqlite3", [db], { input: `.mode csv\n.separator ";"\n.import '${file}' export\n` });
  if (s.status !== 0) throw new Error(`sqlite3 .import failed: ${s.stderr}`);
  return s;
}

/**
 * Imports `file` (`rows` rows) into a fresh register, then again (nothing changes), with sqlite3's `.import` of
 * the same file just before each, so that the ratios compare runs made under the same load. With `trace`, the
 * import's progress (the small file it publishes in the data directory) is watched to time each 100,000 rows.
 */
async function importRuns(label, file, rows, trace) {
  const home = join(dir, `data-${rows}-${trace ? "traced" : "plain"}`);
  register(home);
  const ref1 = await sqliteImport(file, join(dir, `plain-${rows}-${trace}-1.db`));
  const marks = [];
  const watcher = trace ? watchProgress(home, rows, marks) : undefined;
  const first = await timed(process.execPath, [BIN, "import", file, "--profile", "synergi", "--json"], { env: { ...env, AVVIK_HOME: home } });
  watcher?.stop();
  if (first.status !== 0) throw new Error(`import failed: ${first.stderr.slice(0, 2000)}`);
  const r1 = JSON.parse(first.stdout);
  const ref2 = await sqliteImport(file, join(dir, `plain-${rows}-${trace}-2.db`));
  const again = await timed(process.execPath, [BIN, "import", file, "--profile", "synergi", "--json"], { env: { ...env, AVVIK_HOME: home } });
  if (again.status !== 0) throw new Error(`import again failed: ${again.stderr.slice(0, 2000)}`);
  const r2 = JSON.parse(again.stdout);
  console.log(`${label} rows, sqlite3 .import:      ${ref1.seconds.toFixed(2)} s wall, ${ref1.cpu.toFixed(2)} s CPU (again before the second import: ${ref2.seconds.toFixed(2)} s)`);
  console.log(`${label} rows into an empty register: ${first.seconds.toFixed(2)} s wall, ${first.cpu.toFixed(2)} s CPU; ${Math.round(rows / first.seconds).toLocaleString("en")} rows/s; peak RSS ${mb(first.maxRssMb)}; ${(first.seconds / ref1.seconds).toFixed(1)}× .import (created ${r1.created}, rejected ${r1.rejected}; load average ${load()})`);
  console.log(`${label} rows again (no change):  ${again.seconds.toFixed(2)} s wall, ${again.cpu.toFixed(2)} s CPU; peak RSS ${mb(again.maxRssMb)}; ${(again.seconds / ref2.seconds).toFixed(1)}× .import (unchanged ${r2.unchanged}; load average ${load()})`);
  if (marks.length >= 2) {
    const rates = [];
    for (let i = 1; i < marks.length; i++) rates.push(((marks[i].rows - marks[i - 1].rows) / (marks[i].t - marks[i - 1].t)) * 1000);
    const firstRate = rates[0];
    const lastRate = rates[rates.length - 1];
    console.log(`${label} rows, throughput per 100,000 rows (rows/s, from the published progress): ${rates.map((r) => Math.round(r).toLocaleString("en")).join(", ")}; last / first ${(lastRate / firstRate).toFixed(2)}`);
  }
  return { first, again, ref1, ref2 };
}

/** Polls the progress file an import publishes; records the time at which each further 100,000 rows were read. */
function watchProgress(home, rows, marks) {
  const file = join(home, "import-progress.json");
  let next = 0;
  const t0 = Date.now();
  const timer = setInterval(() => {
    let p;
    try {
      p = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return;
    }
    if (typeof p.rows !== "number") return;
    while (p.rows >= next && next <= rows) {
      marks.push({ rows: p.rows, t: Date.now() - t0 });
      next += 100_000;
    }
  }, 50);
  return { stop: () => clearInterval(timer) };
}

/** The floor: the same number of cases by plain SQL, committed; into the register's tables and into bare tables. */
async function floors(rows) {
  const { default: Database } = await import("better-sqlite3");
  const { randomBytes } = await import("node:crypto");
  // A person as the register stores it: number and name sealed in one blob (version, IV, tag, 2 + 12 + 13 bytes).
  const sealed = randomBytes(1 + 12 + 16 + 27);
  const run = (db, prefix) => {
    const insertCase = db.prepare(
      `INSERT INTO ${prefix}cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, description, updated_at)
       VALUES ('in', 'registered', 'region-ostergotland', NULL, ?, ?, '2026-06-30T12:00:00', ?, 'tillbud', 'lakemedel', ?, ?, '2026-06-30T12:00:00')`,
    );
    const insertRef = db.prepare(`INSERT INTO ${prefix}case_refs (case_id, system, external_id, fingerprint, imported_at, import_run, import_line) VALUES (?, 'synergi', ?, ?, '2026-06-30T12:00:00', 'run', ?)`);
    const insertPerson = db.prepare(`INSERT INTO ${prefix}persons (case_id, sealed, pnr_hash) VALUES (?, ?, ?)`);
    const t0 = process.hrtime.bigint();
    db.exec("BEGIN IMMEDIATE");
    if (!prefix) db.exec("DROP TRIGGER cases_stats_insert");
    for (let i = 0; i < rows; i++) {
      const d = `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, "0")}`;
      const id = insertCase.run(d, d, d, `Avvikelse nummer ${i} vid utskrivning`, `Beskrivning av händelse ${i}; med semikolon och "citat"`).lastInsertRowid;
      insertRef.run(id, String(1_000_000 + i), "x".repeat(32), i + 2);
      insertPerson.run(id, sealed, randomBytes(32));
    }
    db.exec("COMMIT");
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const home = join(dir, "floor");
  register(home);
  const db = new Database(join(home, "avvik.db"));
  for (const p of ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "temp_store = MEMORY", "cache_size = -65536"]) db.pragma(p);
  // Bare tables: the register's columns, no index beyond the rowid, no trigger, no foreign key.
  for (const t of ["cases", "case_refs", "persons"]) {
    const cols = db.prepare(`SELECT name, type, pk FROM pragma_table_info('${t}')`).all();
    const rowid = cols.filter((c) => c.pk).length === 1 && cols.find((c) => c.pk).type === "INTEGER";
    db.exec(`CREATE TABLE bare_${t} (${cols.map((c) => `${c.name} ${c.type}${rowid && c.pk ? " PRIMARY KEY" : ""}`).join(", ")})`);
  }
  const bare = run(db, "bare_");
  const indexed = run(db, "");
  db.close();
  return { bare, indexed };
}

try {
  const file = join(dir, "synergi-export.csv");
  console.log(`generating ${ROWS.toLocaleString("en")} rows …`);
  await generate(file, ROWS);
  console.log(`file: ${mb(statSync(file).size / 1048576)}; load average ${load()}`);
  const which = spawnSync("sqlite3", ["-version"], { encoding: "utf8" });
  if (which.error) throw new Error("sqlite3 not installed: no comparison with `.import` (apt-get install sqlite3)");
  console.log(`sqlite3 ${which.stdout.split(" ")[0]}`);

  const small = Math.min(100_000, ROWS);
  const smallFile = join(dir, "synergi-export-small.csv");
  await generate(smallFile, small);
  const s = await importRuns(small.toLocaleString("en"), smallFile, small, false);
  const big = await importRuns(ROWS.toLocaleString("en"), file, ROWS, true);

  const { bare, indexed } = await floors(ROWS);
  console.log(`floor, plain SQL into bare tables (committed; no index, CSV, checks, encryption or audit): ${bare.toFixed(2)} s; ${Math.round(ROWS / bare).toLocaleString("en")} rows/s; ${(bare / big.ref1.seconds).toFixed(1)}× .import`);
  console.log(`the same into the register's tables with their indexes (committed): ${indexed.toFixed(2)} s; import / that ${(big.first.seconds / indexed).toFixed(1)}×`);
  const ratio = big.first.seconds / big.ref1.seconds;
  console.log(
    `goals: ${ROWS.toLocaleString("en")} rows ≤ 15 s → ${big.first.seconds <= 15 ? "met" : "not met"}; ≤ 6.5× .import → ${ratio <= 6.5 ? "met" : "not met"} (${ratio.toFixed(1)}×); ` +
      `peak RSS < 300 MB → ${big.first.maxRssMb < 300 ? "met" : "not met"}; ${small.toLocaleString("en")} rows ≤ 8× → ${s.first.seconds / s.ref1.seconds <= 8 ? "met" : "not met"}; again ≤ 4× → ${s.again.seconds / s.ref2.seconds <= 4 ? "met" : "not met"} (load average ${load()})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
