// `stats` and `summary` over a large register (default 1,000,000 cases), generated directly with SQL into a
// temporary data directory created with `avvik init`. Prints figures; asserts nothing.
//
//   node bench/stats.bench.js [--cases N] [--keep DIR]
//
// The cases are spread evenly from 2020-01-01 to 2026-07-14 (about 420 a day), over every counterpart of the
// Östergötland and Västra Götaland directories; most are answered after 5 to 90 days (a tail of 5 % after
// 100 to 200 days), older ones closed, recent ones still open; 2 % are marked as duplicates.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "avvik.cjs");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const count = Number(arg("--cases", "1000000"));
const keep = arg("--keep", undefined);
// --days N: the cases registered over N days from 2020-01-01 instead of the 2387 days to 2026-07-14 (e.g. 30: a
// million cases in one month, the worst edge month for a period that ends in the middle of it).
const spanArg = arg("--days", undefined);
const NOW = "2026-07-15T07:00:00";

const base = keep ?? mkdtempSync(join(tmpdir(), "avvik-bench-stats-"));
if (keep) mkdirSync(keep, { recursive: true });
const home = join(base, "data");
const env = { ...process.env, AVVIK_HOME: home, AVVIK_NOW: NOW, AVVIK_USER: "bench", TZ: "Europe/Stockholm", NO_COLOR: "1" };
// With GNU time available, each run also reports its CPU time (user + system), which a busy machine
// inflates far less than the wall-clock time.
const gnuTime = existsSync("/usr/bin/time");
const avvik = (args, extra = {}) => {
  const t0 = performance.now();
  const cmd = gnuTime ? ["/usr/bin/time", ["-f", "%U %S", process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
  const r = spawnSync(cmd[0], cmd[1], { env: { ...env, ...extra }, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`avvik ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  const cpu = gnuTime ? r.stderr.trim().split("\n").pop().split(" ").reduce((a, x) => a + Number(x) * 1000, 0) : NaN;
  return { ms, cpu, stdout: r.stdout };
};
const fmt = (r) => `${r.ms.toFixed(0)} ms${Number.isNaN(r.cpu) ? "" : ` (cpu ${r.cpu.toFixed(0)})`}`;

try {
  avvik(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
  avvik(["org", "import", "ostergotland"]);
  avvik(["org", "import", "vastra-gotaland"]);

  const db = new Database(join(home, "avvik.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const tops = db.prepare("SELECT id FROM orgs WHERE parent_id IS NULL AND is_self = 0 ORDER BY id").all().map((r) => r.id);
  const units = db.prepare("SELECT id FROM orgs WHERE parent_id IS NOT NULL ORDER BY id").all().map((r) => r.id);
  const pick = (list, expr) => `CASE (${expr}) % ${list.length} ${list.map((id, i) => `WHEN ${i} THEN '${id}'`).join(" ")} END`;
  const t0 = performance.now();
  const span = Number(spanArg ?? 2387); // days from 2020-01-01 to 2026-07-14 inclusive
  db.exec(`
    CREATE TEMP TABLE g AS
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    SELECT i,
           (i * 1103515245 + 12345) % 2147483648 AS h,
           (i * 2654435761 + 7) % 4294967296 AS k,
           date('2020-01-01', '+' || ((i - 1) * ${span} / ${count}) || ' days') AS reg
    FROM n;
    CREATE TEMP TABLE g2 AS
    SELECT i, h, k, reg,
           date(reg, '-' || (2 + h % 20) || ' days') AS event,
           date(reg, '-' || (2 + h % 20) || ' days', '+' || (k % 3) || ' days') AS disc,
           CASE WHEN h % 20 = 0 THEN 100 + k % 100 ELSE 5 + k % 86 END AS handling,
           CASE WHEN k % 2 = 0 THEN 'out' ELSE 'in' END AS dir
    FROM g;
  `);
  db.exec(`
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
           ${pick(tops, "h / 7")},
           CASE WHEN h % 4 = 0 THEN NULL ELSE ${pick(units, "k / 11")} END,
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
  `);
  db.exec("DROP TABLE g; DROP TABLE g2;");
  const genMs = performance.now() - t0;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  console.log(`generated ${count.toLocaleString("en")} cases with SQL in ${(genMs / 1000).toFixed(1)} s`);

  // In process: the compositions the commands print.
  const { Store } = await import("../dist/store/store.js");
  const { composeStats, composeSummary } = await import("../dist/store/stats.js");
  const { parsePeriod, rangePeriod } = await import("../dist/core/stats.js");
  const store = await Store.open({ home, actor: { user: "bench", now: new Date(NOW) } });
  const time = async (label, fn, runs = 3) => {
    const ms = [];
    let result;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      result = await fn();
      const used = process.cpuUsage(c);
      ms.push(`${(performance.now() - t).toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)})`);
    }
    console.log(`${label.padEnd(44)} ${ms.join(", ")}`);
    return result;
  };
  const h1 = await time("composeStats 2026H1 (+ 2025H2)", () => composeStats(store, parsePeriod("2026H1")));
  console.log(`  ${h1.total} cases in 2026H1, ${h1.previous.total} in 2025H2; median ${h1.handlingDays.median} d, p90 ${h1.handlingDays.p90} d, within deadline ${h1.answeredWithinDeadline}`);
  const y = await time("composeStats 2025 (+ 2024)", () => composeStats(store, parsePeriod("2025")));
  console.log(`  ${y.total} cases in 2025`);
  const edges = await time("composeStats 2026-02-03..2026-05-17 (edge months)", () => composeStats(store, rangePeriod("2026-02-03", "2026-05-17")));
  console.log(`  ${edges.total} cases`);
  if (spanArg) {
    const half = await time("composeStats 2020-01-01..2020-01-15", () => composeStats(store, rangePeriod("2020-01-01", "2020-01-15")));
    console.log(`  ${half.total} cases (the first half of the month that holds them all)`);
  }
  const s = await time("composeSummary", () => composeSummary(store, { since: "2026-07-14" }));
  console.log(`  ${s.newCases.length} new, ${s.overdue.length} overdue, ${s.dueSoon.length} due within 14 days, ${s.awaitingReply.length} awaiting reply`);
  store.close();

  // As a user runs them: a new process each time (includes Node's start-up and opening the register).
  for (const args of [
    ["stats", "--period", "2026H1", "--json"],
    ["stats", "--period", "2026H1"],
    ["stats", "--period", "2025", "--format", "csv"],
    ["stats", "--from", "2026-02-03", "--to", "2026-05-17", "--json"],
    ...(spanArg ? [["stats", "--from", "2020-01-01", "--to", "2020-01-15", "--json"], ["stats", "--from", "2020-01-10", "--to", "2020-01-20", "--json"]] : []),
    ["summary", "--json", "--peek"],
    ["summary", "--peek"],
  ]) {
    const runs = [avvik(args), avvik(args), avvik(args)];
    console.log(`avvik ${args.join(" ").padEnd(38)} ${runs.map(fmt).join(", ")}  (${(runs[0].stdout.length / 1024).toFixed(0)} KiB out)`);
  }
  const pdf = avvik(["stats", "--period", "2026H1", "--pdf", join(base, "board.pdf")]);
  // Registering a case also looks for likely duplicates of it.
  const created = avvik([
    "case", "new", "--direction", "out", "--counterpart", tops[0], "--event-date", "2026-07-13", "--discovered-date", "2026-07-14",
    "--kind", "tillbud", "--area", "lakemedel", "--summary", "Brist i överrapportering vid utskrivning", "--person", "19121212-1212",
  ]);
  console.log(`avvik ${"case new … (with the duplicate check)".padEnd(38)} ${fmt(created)}`);
  console.log(`avvik ${"stats --period 2026H1 --pdf FILE".padEnd(38)} ${fmt(pdf)}`);
  console.log(`load average at the end: ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")} on ${(await import("node:os")).availableParallelism()} cores`);
} finally {
  if (!keep) rmSync(base, { recursive: true, force: true });
}
