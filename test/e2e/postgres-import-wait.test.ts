// Registrars during an import on PostgreSQL (issues 18 and 20): the import holds the register's write lock from
// its first batch to its commit, as on SQLite, but the registrars are on other machines, where no progress file
// of the importing machine can be read. The import's session says how far it is (its application_name, read in
// pg_stat_activity); a registrar's write is refused at once with that, or on a terminal `case new` waits with a
// spinner. A registrar here is another data directory (the key copied) logged in as a role of its own with only
// what `db grant --role registrar` gives it; the import is a process of its own, killed at the end: it leaves
// nothing behind, no cases and no progress.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, incomingCase, linkopingOnPostgres, sandbox, type Sandbox } from "../helpers/cli.js";
import { asRole, makeRole } from "../helpers/postgres.js";
import { dialogue } from "../helpers/pty.js";

const sandboxes: Sandbox[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const s of sandboxes.splice(0)) s.cleanup();
});

const HEADER = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";

/** An export long enough that the import is still running when the registrar has tried what it tries. */
function bigExport(file: string, rows: number): void {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    lines.push(`${500000 + i};2026-02-${day};2026-02-${day};2026-02-${day};Avvikelse ${i};Beskrivning ${i};Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;;`);
  }
  writeFileSync(file, `\ufeff${lines.join("\r\n")}\r\n`);
}

/** The sessions of the register's database that say they are an import. */
async function importSessions(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ name: string }>("SELECT application_name AS name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'avvik import %'");
    return r.rows.map((x) => x.name);
  } finally {
    await c.end();
  }
}

describe("a registrar on another machine while an import holds the register (PostgreSQL)", () => {
  it("is refused at once with how far the import is; on a terminal case new waits with a spinner and registers when the import has ended", async () => {
    const admin = await linkopingOnPostgres({ now: "2026-03-20T08:00:00" });
    sandboxes.push(admin);
    const role = `registrar_${randomBytes(4).toString("hex")}`;
    await makeRole(role, undefined, { superuser: false });
    expect((await admin.cli(["db", "grant", role, "--role", "registrar"])).code).toBe(0);
    const registrar = sandbox({ now: "2026-03-20T08:00:00", env: { AVVIK_DATABASE_URL: asRole(admin.databaseUrl, role), AVVIK_USER: role } });
    sandboxes.push(registrar);
    cpSync(admin.env.AVVIK_HOME!, registrar.env.AVVIK_HOME!, { recursive: true });

    const file = join(admin.home, "stor.csv");
    bigExport(file, 30_000);
    const importer = spawn(process.execPath, [BIN, "import", file, "--profile", "synergi"], { env: admin.env, cwd: admin.home, stdio: ["ignore", "ignore", "pipe"] });
    children.push(importer);
    let importerSaid = "";
    importer.stderr!.on("data", (d) => (importerSaid += d));
    let ended = false;
    const exited = new Promise<void>((ok) => importer.on("exit", () => ((ended = true), ok())));

    // Until the import holds the lock, the registrar's writes go through; then the first refusal says how far it is.
    let registered = 0;
    let refusal: string | undefined;
    while (!refusal && !ended) {
      const r = await registrar.cli(incomingCase());
      if (r.code === 0) registered++;
      else refusal = r.stderr.trim();
    }
    expect(refusal, `the import ended before the registrar was refused: ${importerSaid}`).toBeDefined();
    const m = /^Registret är upptaget av en import \((\d+) % klar\); försök igen om ungefär (\d+) s$/.exec(refusal!);
    expect(m, refusal).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(100);
    expect(Number(m![2])).toBeGreaterThanOrEqual(1);
    const en = await registrar.cli(incomingCase(), { env: { AVVIK_LANG: "en" } });
    if (!ended) expect(en.stderr.trim()).toMatch(/^The register is busy with an import \(\d+ % done\); try again in about \d+ s$/);

    // On a terminal: a spinner with the same figures; the import is killed once it is seen, and the wait ends.
    const r = await dialogue(registrar, incomingCase(), [
      { expect: /Väntar på en import som håller registret \(\d+ % klar, ungefär \d+ s kvar\)/, keys: "", before: async () => importer.kill("SIGKILL") },
    ]);
    await exited;
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/Registrerat: 2026-\d{6}/);
    // The killed import left nothing: no case of it, no session saying it imports; the others write again.
    expect(await importSessions(admin.databaseUrl)).toEqual([]);
    const cases = await admin.cliJson(["case", "list"]);
    expect(cases).toHaveLength(registered + 1);
    expect(cases.every((c: { refs: string[] }) => c.refs.length === 0)).toBe(true);
    expect((await registrar.cli(incomingCase())).code).toBe(0);
    expect((await admin.cliJson(["audit", "verify"])).ok).toBe(true);
  });
});
