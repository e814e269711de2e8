// CSV import: a generated export of ROWS rows (default 1,000,000; BENCH_CSV_ROWS to change) in the Synergi
// profile's shape, imported by the built CLI into a fresh register; rows per second and the peak memory (maxRSS)
// of the importing process, then the same file imported again (nothing changes), then sqlite3's own `.import`
// of the same file for comparison. Prints figures; asserts nothing.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
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

async function generate(file) {
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

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds (user + system) and peak RSS. */
function timed(cmd, args, options = {}) {
  const time = spawnSync("/usr/bin/time", ["-f", "TIME %M %e %U %S", cmd, ...args], { env, encoding: "utf8", maxBuffer: 1 << 28, ...options });
  if (time.error) {
    // No /usr/bin/time: wall clock only; CPU time and peak memory are not available.
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 28, ...options });
    return { ...r, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: NaN, maxRssMb: NaN };
  }
  const last = time.stderr.trim().split("\n").filter((l) => l.startsWith("TIME ")).pop() ?? "";
  const [kb, secs, user, sys] = last.slice(5).split(" ").map(Number);
  return { ...time, seconds: secs, cpu: user + sys, maxRssMb: kb / 1024 };
}

function avvik(args) {
  return timed(process.execPath, [BIN, ...args]);
}

function mb(n) {
  return `${n.toFixed(0)} MB`;
}

try {
  const file = join(dir, "synergi-export.csv");
  console.log(`generating ${ROWS.toLocaleString("en")} rows …`);
  await generate(file);
  console.log(`file: ${mb(statSync(file).size / 1048576)}`);
  for (const args of [["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], ["org", "import", "ostergotland"]]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  }

  const first = avvik(["import", file, "--profile", "synergi", "--json"]);
  if (first.status !== 0) throw new Error(`import failed: ${first.stderr.slice(0, 2000)}`);
  const r1 = JSON.parse(first.stdout);
  const rate1 = ROWS / first.seconds;
  const load = () => (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout ?? "").split(" ")[0];
  console.log(`import (new register):    ${first.seconds.toFixed(2)} s wall, ${first.cpu.toFixed(2)} s CPU; ${Math.round(rate1).toLocaleString("en")} rows/s wall, ${Math.round(ROWS / first.cpu).toLocaleString("en")} rows per CPU-second; peak RSS ${mb(first.maxRssMb)} (created ${r1.created}, rejected ${r1.rejected}; load average ${load()})`);

  const again = avvik(["import", file, "--profile", "synergi", "--json"]);
  const r2 = JSON.parse(again.stdout);
  console.log(`import again (no change): ${again.seconds.toFixed(2)} s wall, ${again.cpu.toFixed(2)} s CPU; ${Math.round(ROWS / again.seconds).toLocaleString("en")} rows/s wall; peak RSS ${mb(again.maxRssMb)} (unchanged ${r2.unchanged})`);

  const which = spawnSync("sqlite3", ["-version"], { encoding: "utf8" });
  if (which.error) {
    console.log("sqlite3 not installed: no comparison with `.import` (apt-get install sqlite3)");
  } else {
    const db = join(dir, "plain.db");
    const s = timed("sqlite3", [db], { input: `.mode csv\n.separator ";"\n.import '${file}' export\n` });
    if (s.status !== 0) console.log(`sqlite3 .import failed: ${s.stderr}`);
    else {
      console.log(`sqlite3 .import:          ${s.seconds.toFixed(2)} s wall, ${s.cpu.toFixed(2)} s CPU; ${Math.round(ROWS / s.seconds).toLocaleString("en")} rows/s wall; peak RSS ${mb(s.maxRssMb)} (${which.stdout.split(" ")[0]})`);
      console.log(`ratio avvik import / sqlite3 .import: ${(first.seconds / s.seconds).toFixed(1)}× wall, ${(first.cpu / s.cpu).toFixed(1)}× CPU (goal ≤ 3×)`);
    }
  }
  // The floor: the same number of cases written straight into the register's tables by plain SQL (no CSV,
  // no checks, no encryption, no audit), one transaction, the statistics trigger set aside as the import does.
  // No import that keeps the register's indexes can be faster than this.
  {
    const home = join(dir, "floor");
    for (const args of [["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], ["org", "import", "ostergotland"]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...env, AVVIK_HOME: home }, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    }
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(home, "avvik.db"));
    for (const p of ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "temp_store = MEMORY", "cache_size = -65536"]) db.pragma(p);
    const insertCase = db.prepare(
      `INSERT INTO cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, registered_at, due_date, kind, area, summary, description, updated_at)
       VALUES ('in', 'registered', 'region-ostergotland', NULL, ?, ?, '2026-06-30T12:00:00', ?, 'tillbud', 'lakemedel', ?, ?, '2026-06-30T12:00:00')`,
    );
    const insertRef = db.prepare("INSERT INTO case_refs (case_id, system, external_id, fingerprint, imported_at, import_run, import_line) VALUES (?, 'synergi', ?, ?, '2026-06-30T12:00:00', 'run', ?)");
    const insertPerson = db.prepare("INSERT INTO persons (case_id, pnr_enc, name_enc, pnr_hash) VALUES (?, ?, ?, ?)");
    const { randomBytes } = await import("node:crypto");
    const pnr = randomBytes(41);
    const name = randomBytes(42);
    const t0 = process.hrtime.bigint();
    db.exec("BEGIN IMMEDIATE; DROP TRIGGER cases_stats_insert;");
    for (let i = 0; i < ROWS; i++) {
      const d = `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, "0")}`;
      const id = insertCase.run(d, d, d, `Avvikelse nummer ${i} vid utskrivning`, `Beskrivning av händelse ${i}; med semikolon och "citat"`).lastInsertRowid;
      insertRef.run(id, String(1_000_000 + i), "x".repeat(32), i + 2);
      insertPerson.run(id, pnr, name, randomBytes(32).toString("hex"));
    }
    db.exec("ROLLBACK");
    const floor = Number(process.hrtime.bigint() - t0) / 1e9;
    db.close();
    console.log(`floor, plain SQL into the register's tables: ${floor.toFixed(2)} s; ${Math.round(ROWS / floor).toLocaleString("en")} rows/s (no CSV, checks, encryption or audit; import / floor ${(first.seconds / floor).toFixed(1)}×)`);
  }
  console.log(`goals: ≥ 100,000 rows/s → ${rate1 >= 100_000 ? "met" : "not met"}; peak memory < 300 MB → ${first.maxRssMb < 300 ? "met" : "not met"}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
