// A large import into a register that holds fewer cases than the file brings builds the register's secondary
// indexes once, at the end of its transaction, and checks the foreign keys of what it wrote once, set-based
// (ImportWriter.begin). Whatever happens, the register afterwards has exactly the indexes it had, and its
// statistics agree with counting the cases. While it runs it publishes its progress (import-progress.json in the
// data directory); a registrar's write meanwhile is refused at once, saying how far the import is.

import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { luhnCheckDigit } from "../../src/core/personnummer.js";
import { BIN, incomingCase, linkoping, type Sandbox } from "../helpers/cli.js";
import { dialogue } from "../helpers/pty.js";

const HEADER = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
const AREAS = ["Läkemedelsbehandling", "Brister i information/rapportering", "Omvårdnadsbrister", "Bemötande", "Övrigt"];
const STATUS = ["Registrerad", "Under utredning", "Besvarad", "Avslutad"];
const UNITS = ["Vrinnevisjukhuset, medicinkliniken", "Vårdcentralen Finspång", "Region Östergötland"];
const FILLER = "Patienten skrevs ut utan läkemedelslista. ";

/**
 * Row `i`'s patient: the same person in the first six even rows (event dates two days apart: likely duplicates of
 * each other), a person of its own in every other row. (One person in every row would make every pair of cases
 * within three days of each other a likely duplicate, some 145,000 pairs for 1,200 new cases.)
 */
function person(i: number): string {
  if (i % 2 === 0 && i < 12) return "19121212-1212";
  const nine = `${String(30 + (i % 60)).padStart(2, "0")}${String(1 + (i % 12)).padStart(2, "0")}${String(1 + (i % 28)).padStart(2, "0")}${String(i).padStart(4, "0").slice(-3)}`;
  return `19${nine.slice(0, 6)}-${nine.slice(6)}${luhnCheckDigit(nine)}`;
}

/** A file of `rows` rows (more than BULK_FROM_ROWS, src/store/imports.ts); `bad` makes the last row invalid. */
function bigExport(file: string, rows: number, bad = false): void {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const month = String(1 + (i % 2)).padStart(2, "0");
    const area = bad && i === rows - 1 ? "Medicinering" : AREAS[i % AREAS.length];
    lines.push(
      `${70000 + i};2026-${month}-${day};2026-${month}-${day};2026-${month}-${day};Avvikelse ${i} vid utskrivning;${FILLER}${i};${area};Tillbud;${UNITS[i % UNITS.length]};Hemtjänsten Ryd;${STATUS[i % STATUS.length]};${person(i)};Tolvan Tolvansson`,
    );
  }
  writeFileSync(file, `\ufeff${lines.join("\r\n")}\r\n`);
}

// Over BULK_FROM_ROWS (1,000); at most 2,000 new cases, so the import's duplicate search runs over them too.
const ROWS = 1_200;

/** The register's indexes (name and SQL) and triggers, as SQLite has them. */
function schema(home: string): string[] {
  const db = new Database(join(home, "avvik.db"), { readonly: true });
  try {
    return (db.prepare("SELECT type || ' ' || name || ' ' || ifnull(sql, '') AS s FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type, name").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

function sound(home: string): void {
  const db = new Database(join(home, "avvik.db"), { readonly: true });
  try {
    expect(db.pragma("foreign_key_check")).toEqual([]);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  } finally {
    db.close();
  }
}

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("a large import into a small register", () => {
  it("builds the indexes once at the end: the same indexes as before, sound foreign keys, statistics as counting the cases", async () => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
    const home = s.env.AVVIK_HOME!;
    const before = schema(home);
    // One case registered by hand first: the register is small, not empty.
    expect((await s.cli(incomingCase())).code).toBe(0);
    const file = join(s.home, "stor.csv");
    bigExport(file, ROWS);
    const r = await s.cliJson(["import", file, "--profile", "synergi"]);
    expect(r).toMatchObject({ created: ROWS, rejected: 0 });
    expect(schema(home)).toEqual(before);
    sound(home);
    const events = await s.cliJson(["audit", "list"]);
    const imp = events.find((e: { action: string }) => e.action === "import");
    expect(imp.details).toMatchObject({ indexesBuiltAtEnd: true, created: ROWS, firstCase: 2, lastCase: ROWS + 1 });

    const { Store } = await import("../../src/store/store.js");
    const { composeStats } = await import("../../src/store/stats.js");
    const { parsePeriod, rangePeriod } = await import("../../src/core/stats.js");
    const store = await Store.open({ home, actor: { user: "test", now: new Date("2026-05-01T08:00:00") } });
    try {
      for (const p of [parsePeriod("2026H1")!, rangePeriod("2026-03-20", "2026-03-20")!, rangePeriod("2026-03-01", "2026-03-19")!]) {
        expect(await composeStats(store, p), p.label).toEqual(await composeStats(store, p, { live: true }));
      }
      expect((await composeStats(store, parsePeriod("2026H1")!)).total).toBe(ROWS + 1);
      // The indexes are used again: the duplicate search finds the same person in cases close in time.
      expect((await store.stats.likelyDuplicatesOf(2)).length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
    // The same file again changes nothing, now into a register as large as the file (no bulk mode).
    expect(await s.cliJson(["import", file, "--profile", "synergi"])).toMatchObject({ created: 0, updated: 0, unchanged: ROWS });
    const again = (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "import");
    expect(again).toHaveLength(2);
    expect(again.map((e: { details: Record<string, unknown> }) => e.details.indexesBuiltAtEnd ?? false).sort()).toEqual([false, true]);
    expect(schema(home)).toEqual(before);
  });

  it("leaves the register as it was, indexes included, when the last row is invalid and on --dry-run", async () => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
    const home = s.env.AVVIK_HOME!;
    const before = schema(home);
    const file = join(s.home, "stor.csv");
    bigExport(file, ROWS, true);
    const failed = await s.cli(["import", file, "--profile", "synergi", "--json"]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ rejected: 1, imported: false });
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(schema(home)).toEqual(before);
    const dry = await s.cliJson(["import", file, "--profile", "synergi", "--dry-run", "--skip-invalid"]);
    expect(dry).toMatchObject({ created: ROWS - 1, rejected: 1, imported: false, dryRun: true });
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(schema(home)).toEqual(before);
    sound(home);
    expect(existsSync(join(home, "import-progress.json"))).toBe(false);
  });

  it("publishes its progress while it runs; killed, it leaves the register whole and the others can write again", async () => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
    const home = s.env.AVVIK_HOME!;
    const before = schema(home);
    const file = join(s.home, "stor.csv");
    bigExport(file, ROWS);
    const progressFile = join(home, "import-progress.json");
    const child = spawn(process.execPath, [BIN, "import", file, "--profile", "synergi"], { env: s.env, stdio: "ignore" });
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    let seen: { pid: number; done: number; rows: number; secondsLeft: number } | undefined;
    let ended = false;
    void exited.then(() => (ended = true));
    // Polled without the write lock, as a registrar's process would: published as soon as the import holds the
    // lock (nothing read yet), then after each batch; the import cannot end before its first batch is published,
    // and it is killed as soon as one is seen.
    let first: { done: number; rows: number } | undefined;
    while (!(seen && seen.done > 0) && !ended) {
      try {
        seen = JSON.parse(readFileSync(progressFile, "utf8"));
        first ??= seen;
      } catch {
        /* not yet there, or being renamed */
      }
      if (!(seen && seen.done > 0)) await new Promise((ok) => setTimeout(ok, 5));
    }
    expect(first, "the import published no progress").toBeDefined();
    expect(first!.done === 0 ? first!.rows : 0).toBe(0);
    expect(seen, "the import published no progress").toBeDefined();
    child.kill("SIGKILL");
    await exited;
    expect(seen!.pid).toBe(child.pid);
    expect(seen!.rows).toBeGreaterThan(0);
    expect(seen!.done).toBeGreaterThan(0);
    expect(seen!.done).toBeLessThanOrEqual(1);
    expect(seen!.secondsLeft).toBeGreaterThanOrEqual(0);
    // What the killed import left: its progress file names a process that is gone, and is ignored.
    expect(existsSync(progressFile)).toBe(true);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(schema(home)).toEqual(before);
    sound(home);
    expect((await s.cli(incomingCase())).code).toBe(0);
    expect(await s.cliJson(["import", file, "--profile", "synergi"])).toMatchObject({ created: ROWS });
    expect(existsSync(progressFile)).toBe(false);
    expect(schema(home)).toEqual(before);
  });
});

describe("a registrar's write while an import holds the lock", () => {
  it("is refused at once with how far the import is and when to try again; with the lock free it goes through", async () => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
    const home = s.env.AVVIK_HOME!;
    // An import of this process (alive, not the registrar's) at 43 %, about 20 s from its end, holding the lock.
    writeFileSync(join(home, "import-progress.json"), JSON.stringify({ pid: process.pid, startedAt: Date.now() - 15_000, rows: 430_000, done: 0.43, secondsLeft: 20, writtenAt: Date.now() }));
    const db = new Database(join(home, "avvik.db"));
    db.exec("BEGIN IMMEDIATE");
    try {
      const r = s.run(incomingCase());
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^Registret är upptaget av en import \(43 % klar\); försök igen om ungefär (20|19|18) s$/);
      const en = s.run(incomingCase(), { env: { AVVIK_LANG: "en" } });
      expect(en.stderr.trim()).toMatch(/^The register is busy with an import \(43 % done\); try again in about \d+ s$/);
    } finally {
      db.exec("ROLLBACK");
      db.close();
    }
    // The progress file is still there, but nothing holds the lock: the write goes through.
    const ok = s.run(incomingCase());
    expect(ok.code, ok.stderr).toBe(0);
    expect(await s.cliJson(["case", "list"])).toHaveLength(1);
  });

  it("on a terminal, case new waits with a spinner that says how far the import is, and registers when it has ended", async () => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
    const home = s.env.AVVIK_HOME!;
    // The "import": a process that runs until the spinner has been seen, its progress published; when it ends,
    // the wait does.
    const importer = spawn("sleep", ["60"], { stdio: "ignore" });
    const gone = new Promise((ok) => importer.on("exit", ok));
    writeFileSync(join(home, "import-progress.json"), JSON.stringify({ pid: importer.pid, startedAt: Date.now(), rows: 430_000, done: 0.43, secondsLeft: 20, writtenAt: Date.now() }));
    const r = await dialogue(s, incomingCase(), [
      { expect: /Väntar på en import som håller registret \(43 % klar, ungefär \d+ s kvar\)/, keys: "", before: async () => importer.kill() },
    ]);
    await gone;
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/Registrerat: 2026-000001/);
    expect(await s.cliJson(["case", "list"])).toHaveLength(1);
  });
});
