// Moving a register to the server (issue 18): `db copy --to postgres://…` copies a register grown on SQLite into
// an empty database, and the register there answers as the one it came from; and on PostgreSQL the stored
// files' bytes live in the database, so that a registrar on another machine (another data directory, the same
// database and key) reads them.

import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, linkopingOnPostgres, outgoingCase, ROOT, sandbox, type Sandbox } from "../helpers/cli.js";
import { asRole, freshDatabase, makeRole, SCHEMA_TEMPLATE, serverUrl } from "../helpers/postgres.js";

const NOW = "2026-04-01T09:00:00";
const SCANS = join(ROOT, "fixtures", "scans");
const scan = (name: string) => (existsSync(join(SCANS, "corpus", name)) ? join(SCANS, "corpus", name) : join(SCANS, name));
const OWNER = "sara.nilsson@linkoping.example";

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const s of sandboxes.splice(0)) s.cleanup();
});

async function query<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Rows per table of the register in the database (every table of its schema), counted over one connection. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")).rows;
    const out: Record<string, number> = {};
    for (const { name } of tables) out[name] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`)).rows[0]!.n);
    return out;
  } finally {
    await c.end();
  }
}

/** A registrar's machine on the register at `url`: a data directory of its own, the register's key file. */
function machine(url: string, keyFile: string): Sandbox {
  const s = sandbox({ now: NOW, env: { AVVIK_DATABASE_URL: url, AVVIK_KEY_FILE: keyFile } });
  sandboxes.push(s);
  return s;
}

/**
 * The register the corpus of scans answers (three outgoing cases, the third with Synergi case 45678) grown on
 * SQLite: persons, an incoming case, a packet, a scanned reply read by OCR, an exchange file, actions and the
 * e-mails they queue.
 */
async function grown(): Promise<{ s: Sandbox; packet: string; ocr: string }> {
  const s = linkoping({ now: NOW });
  sandboxes.push(s);
  await s.cliJson(outgoingCase(["--person", "19121212-1212"]));
  await s.cliJson(outgoingCase());
  await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
  await s.cliJson(incomingCase(["--person", "19121212-1212"]));
  const packet = await s.cliJson(["packet", "2026-000001"]);
  const reply = await s.cliJson(["reply", "attach", scan("form2-noqr-200-bw.png")]);
  expect(reply).toMatchObject({ diaryNumber: "2026-000002", matchedBy: "ocr" });
  await s.cliJson(["exchange", "export", "2026-000003", "-o", join(s.home, "utbyte.pdf")]);
  await s.cliJson(["action", "add", "2026-000004", "--text", "Inför checklista vid utskrivning", "--owner", OWNER, "--due", "2026-04-15"]);
  await s.cliJson(["action", "add", "2026-000001", "--text", "Stickprov", "--owner", OWNER, "--due", "2026-05-01"]);
  await s.cliJson(["case", "update", "2026-000003", "--duplicate-of", "2026-000002"]);
  const shown = await s.cliJson(["case", "show", "2026-000002"]);
  expect(shown.recognisedTexts).toHaveLength(1);
  return { s, packet: packet.hash, ocr: shown.recognisedTexts[0].text };
}

/** What a registrar sees: the same command lines' output, the data directory named alike. */
async function answers(s: Sandbox): Promise<string[]> {
  const out: string[] = [];
  for (const args of [
    ["case", "list", "--json"],
    ...["2026-000001", "2026-000002", "2026-000003", "2026-000004"].map((ref) => ["case", "show", ref, "--json"]),
    ["diary", "list", "--json"],
    ["action", "list", "--json"],
    ["outbox", "list", "--json"],
    ["audit", "list", "--json"],
    ["stats", "--period", "2026H1", "--json"],
    ["check", "--json"],
    ["audit", "verify"],
  ]) {
    const r = await s.cli(args);
    out.push(`$ ${args.join(" ")}\n${r.code}\n${r.stdout.replaceAll(s.home, "<home>")}`);
  }
  return out;
}

describe("db copy", () => {
  it("copies a register grown on SQLite into an empty database: the same answers there, the chain intact, the numbering continued", { timeout: 300_000 }, async () => {
    const { s, packet, ocr } = await grown();
    const before = await answers(s);
    const db = await freshDatabase();
    const url = asRole(db.url, "test");
    const r = await s.cli(["db", "copy", "--to", url, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const copied = JSON.parse(r.stdout);
    // Counted per table, as the database has them now.
    const counts = await rowCounts(url);
    expect(copied.tables).toEqual(Object.fromEntries(Object.entries(counts).filter(([t]) => t !== "schema_version")));
    expect(copied.tables).toMatchObject({ cases: 4, persons: 2, actions: 2 });
    expect(copied.tables.outbox).toBeGreaterThan(0);
    expect(copied.tables.file_contents).toBe(copied.files);
    expect(copied.files).toBeGreaterThanOrEqual(4); // the packet, the scan, its OCR text, the exchange file
    expect(copied.next).toEqual({ AVVIK_DATABASE_URL: url.replace(/:avvik-test@/, "@"), AVVIK_KEY_FILE: join(s.env.AVVIK_HOME!, "key") });
    expect(copied.to).not.toContain(":avvik-test@");
    expect(r.stderr).toContain("Det lokala registret i");

    // Another machine on the database with the register's key sees what the SQLite register says.
    const p = machine(url, join(s.env.AVVIK_HOME!, "key"));
    const after = await answers(p);
    // The same answers, but for the arrival: one audit event after the copied chain, which verifies.
    const besidesAudit = (a: string[]) => a.filter((x) => !/^\$ audit (list|verify)/.test(x));
    const oneEventMore = (x: string) => (x.startsWith("$ check") ? x.replace(/"auditEvents":(\d+)/, (_, n: string) => `"auditEvents":${Number(n) + 1}`) : x);
    expect(besidesAudit(after)).toEqual(besidesAudit(before).map(oneEventMore));
    expect(after.at(-1)).toMatch(/^\$ audit verify\n0\n/);
    const sourceEvents = await s.cliJson(["audit", "list"]);
    const events = await p.cliJson(["audit", "list"]);
    expect(events.slice(0, -1)).toEqual(sourceEvents);
    // The signing key of exchange files came along (sealed): counterparts that trust the SQLite register's key
    // trust the copy's files; no machine on the server keeps a key file of its own.
    const signing = (await s.cliJson(["org", "key", "export"])).fingerprint;
    expect((await p.cliJson(["org", "key", "export"])).fingerprint).toBe(signing);
    expect(existsSync(join(p.env.AVVIK_HOME!, "signing-key"))).toBe(false);
    const arrival = events.at(-1);
    // At the run's instant (AVVIK_NOW here, as the source's last event).
    expect(arrival).toMatchObject({ id: sourceEvents.at(-1).id + 1, action: "db.copy", user: "test", caseId: null, at: sourceEvents.at(-1).at });
    expect(arrival.details).toEqual({
      from: "sqlite",
      schemaVersion: copied.schemaVersion,
      tables: { ...copied.tables, audit: copied.tables.audit - 1, settings: copied.tables.settings - 1 },
      files: copied.files,
      fileBytes: copied.fileBytes,
      signingKey: signing,
    });
    expect(JSON.stringify(arrival)).not.toContain(s.home);
    expect(JSON.stringify(arrival)).not.toContain("avvik-test");
    expect((await p.cliJson(["case", "show", "2026-000002"])).recognisedTexts[0].text).toBe(ocr);
    // The persons open there with the register's key (a reveal is an event of its own on each).
    const reveal = ["case", "show", "2026-000004", "--reveal"];
    expect((await p.cliJson(reveal)).persons).toEqual((await s.cliJson(reveal)).persons);
    expect((await p.cliJson(reveal)).persons).toEqual(["19121212-1212"]);
    // The packet's bytes are in the database, the same as the SQLite register's file and the one printed.
    const [row] = await query<{ data: Buffer }>(url, "SELECT data FROM file_contents WHERE hash = $1", [packet]);
    expect(row!.data.equals(readFileSync(join(s.env.AVVIK_HOME!, "files", packet.slice(0, 2), packet)))).toBe(true);
    expect(row!.data.equals(readFileSync(join(s.home, "2026-000001-packet.pdf")))).toBe(true);
    // Personal data arrived sealed: no personnummer in clear anywhere on the server.
    const persons = await query(url, "SELECT * FROM persons");
    expect(JSON.stringify(persons)).not.toMatch(/19121212/);

    // The next case gets the next number, on the server's word, and the chain goes on; the triggers the copy
    // paused are back: the aggregates count the new case, the audit trail is append-only again.
    const total = (await p.cliJson(["stats", "--period", "2026H1"])).total;
    expect((await p.cliJson(outgoingCase())).diaryNumber).toBe("2026-000005");
    expect((await p.cliJson(["stats", "--period", "2026H1"])).total).toBe(total + 1);
    await expect(query(url, "UPDATE audit SET action = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
    // A copied case's documents go on from its last one (the registration :1, the packet :2).
    expect((await p.cliJson(["diary", "add", "2026-000001", "--direction", "internal", "--subject", "Anteckning"])).number).toBe("2026-000001:3");
    expect((await p.cliJson(["audit", "verify"])).problems).toEqual([]);

    // A second copy into the same database is refused in one line, and nothing there changes.
    const held = await rowCounts(url);
    const again = await s.cli(["db", "copy", "--to", url]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/^Databasen har redan ett register \(linkoping\)\. 'avvik db copy' kopierar bara till en tom databas; inget ändrades\./);
    expect(await rowCounts(url)).toEqual(held);
    // The SQLite register is as it was (but for the reveal above, an event of its own).
    expect((await answers(s)).slice(0, 8)).toEqual(before.slice(0, 8));
  });

  it("refuses in one line each: a register on PostgreSQL already, a wrong URL, a server not there, a wrong password, a role without privilege, a database with other tables", async () => {
    const s = linkoping({ now: NOW });
    sandboxes.push(s);
    await s.cliJson(outgoingCase());
    const line = (r: { code: number; stderr: string }, code: number, pattern: RegExp) => {
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(pattern);
    };
    const onPostgres = await linkopingOnPostgres();
    sandboxes.push(onPostgres);
    const db = await freshDatabase();
    line(await onPostgres.cli(["db", "copy", "--to", db.url]), 1, /^Registret är redan på PostgreSQL/);
    line(await s.cli(["db", "copy", "--to", "db.kommun.se/avvik"]), 2, /^--to ska vara en PostgreSQL-adress/);
    line(await s.cli(["db", "copy"]), 2, /--to/);
    line(await s.cli(["db", "copy", "--to", "postgres://nobody:x@127.0.0.1:1/none"]), 1, /^Databasen postgres:\/\/nobody@127\.0\.0\.1:1\/none går inte att nå: .*Inget kopierades\.$/);
    const wrong = new URL(db.url);
    wrong.password = "fel";
    line(await s.cli(["db", "copy", "--to", wrong.toString()]), 1, /^Databasen postgres:\/\/postgres@127\.0\.0\.1:\d+\/avvik_\w+ släpper inte in rollen postgres/);
    const missing = new URL(db.url);
    missing.pathname = "/finns_inte";
    line(await s.cli(["db", "copy", "--to", missing.toString()]), 1, /^Databasen .*\/finns_inte finns inte på servern/);
    // A role that may log in but not create tables in the database's schema (PostgreSQL 15 and later: only its owner).
    await makeRole("copier", undefined, { superuser: false });
    line(await s.cli(["db", "copy", "--to", asRole(db.url, "copier")]), 1, /^Rollen copier får inte kopiera ett register till databasen/);
    // The same role owning the database (as docs/postgresql.md sets it up: an administrator, not a superuser) may.
    const owned = await freshDatabase();
    await query(serverUrl(), `ALTER DATABASE ${owned.name} OWNER TO copier`);
    const byOwner = await s.cliJson(["db", "copy", "--to", asRole(owned.url, "copier")]);
    expect(byOwner.tables.cases).toBe(1);
    const owner = machine(asRole(owned.url, "copier"), join(s.env.AVVIK_HOME!, "key"));
    expect((await owner.cliJson(["audit", "verify"])).problems).toEqual([]);
    // The chain says who brought the register there: the role that logged in.
    expect((await owner.cliJson(["audit", "list"])).at(-1)).toMatchObject({ action: "db.copy", user: "copier", details: { tables: { cases: 1 } } });
    expect((await owner.cliJson(outgoingCase())).diaryNumber).toBe("2026-000002");
    // Something else lives in the database: not touched.
    await query(db.url, "CREATE TABLE their_table (x integer)");
    line(await s.cli(["db", "copy", "--to", db.url]), 1, /^Databasen är inte tom: den har 1 tabell \(their_table\)/);
    expect(Object.keys(await rowCounts(db.url))).toEqual(["their_table"]);
    // English when asked.
    line(await s.cli(["db", "copy", "--to", db.url, "--lang", "en"]), 1, /^The database is not empty: it has 1 table \(their_table\)/);
    // A database given the register's schema already, without a row in it, is empty: taken.
    const schemaOnly = await freshDatabase(SCHEMA_TEMPLATE);
    const taken = await s.cli(["db", "copy", "--to", asRole(schemaOnly.url, "test")]);
    expect(taken.code, taken.stderr).toBe(0);
    const to = asRole(schemaOnly.url, "test").replace(":avvik-test@", "@");
    expect(taken.stdout.split("\n")[0]).toMatch(new RegExp(`^Registret är kopierat till ${to.replace(/[.?]/g, "\\$&")}: 1 ärende, 1 handling och 0 lagrade filer; antalet rader stämmer i alla \\d+ tabeller\\.$`));
    expect(taken.stdout).toContain(`Sätt nu AVVIK_DATABASE_URL=${to} (eller database.url i config.json) hos varje registrator`);
    expect(taken.stdout).toContain(`ge registratorerna nyckelfilen ${join(s.env.AVVIK_HOME!, "key")} och sätt AVVIK_KEY_FILE till den`);
    expect(taken.stdout + taken.stderr).not.toContain(":avvik-test@"); // the password
    expect((await machine(asRole(schemaOnly.url, "test"), join(s.env.AVVIK_HOME!, "key")).cliJson(["case", "list"])).map((c: { diaryNumber: string }) => c.diaryNumber)).toEqual(["2026-000001"]);
  });
});

describe("stored files on PostgreSQL", () => {
  it("live in the database: a packet and a scanned reply stored on one machine are read on another", { timeout: 240_000 }, async () => {
    const a = await linkopingOnPostgres({ now: NOW });
    sandboxes.push(a);
    for (let i = 1; i <= 3; i++) await a.cliJson(outgoingCase(i === 3 ? ["--ref", "synergi:45678"] : []));
    const packet = await a.cliJson(["packet", "2026-000001", "--with-personal-data"]);
    expect((await a.cliJson(["reply", "attach", scan("form2-noqr-200-bw.png")])).matchedBy).toBe("ocr");
    await a.cliJson(["exchange", "export", "2026-000003", "-o", join(a.home, "utbyte.pdf")]);
    // Nothing of it in the data directory: every stored file is a row with its bytes in the database.
    expect(existsSync(join(a.env.AVVIK_HOME!, "files"))).toBe(false);
    const files = await query<{ hash: string; encrypted: number; stored: boolean }>(a.databaseUrl, "SELECT f.hash, f.encrypted, c.hash IS NOT NULL AS stored FROM files f LEFT JOIN file_contents c ON c.hash = f.hash");
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.every((f) => f.stored)).toBe(true);
    // The packet with personal data and the scan are encrypted there: no text of the scan in clear.
    const dump = await query<{ data: Buffer }>(a.databaseUrl, "SELECT data FROM file_contents");
    for (const d of dump) expect(d.data.includes("Svarsblankett")).toBe(false);

    // Another registrar: another machine (another home and data directory), the same database and key.
    const key = join(a.home, "delad-nyckel");
    cpSync(join(a.env.AVVIK_HOME!, "key"), key);
    const b = machine(a.databaseUrl, key);
    const shown = await b.cliJson(["case", "show", "2026-000002"]);
    expect(shown.recognisedTexts[0].text).toMatch(/Svarsblankett/);
    expect(shown).toEqual(await a.cliJson(["case", "show", "2026-000002"]));
    // check there reads every stored file's bytes from the database and verifies their hashes.
    const check = await b.cliJson(["check"]);
    expect(check).toMatchObject({ ok: true, files: files.length });
    // The exchange file again, unchanged since: written from the stored copy, the same bytes as on the first machine.
    await b.cliJson(["exchange", "export", "2026-000003", "-o", join(b.home, "utbyte.pdf")]);
    expect(readFileSync(join(b.home, "utbyte.pdf")).equals(readFileSync(join(a.home, "utbyte.pdf")))).toBe(true);
    expect(packet.encrypted).toBe(true);

    // A stored file's bytes changed on the server are found by check, on any machine.
    const plain = files.find((f) => Number(f.encrypted) === 0);
    expect(plain).toBeDefined(); // the exchange file without personal data
    await query(a.databaseUrl, "UPDATE file_contents SET data = $1 WHERE hash = $2", [Buffer.from("changed"), plain!.hash]);
    const bad = await b.cli(["check", "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).problems.map((p: { kind: string }) => p.kind)).toContain("file-changed");
  });
});
