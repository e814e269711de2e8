// The register on PostgreSQL (issue 18): the main flows give the same answers as on SQLite. The same command
// lines run in this process against a Linköping register on each engine (SQLite: a copy of the template
// register; PostgreSQL: a database copied from the test run's template database on its server), and every
// output and exit code is compared. What works only on SQLite so far is refused on PostgreSQL in one line.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, linkopingOnPostgres, outgoingCase, ROOT, sandbox, type Sandbox } from "../helpers/cli.js";
import { asRole, freshDatabase, makeRole, ownPostgres } from "../helpers/postgres.js";

const FIX = join(ROOT, "fixtures");

const sandboxes: Sandbox[] = [];
/** Servers of a test's own, stopped after it. */
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of sandboxes.splice(0)) s.cleanup();
  for (const stop of stops.splice(0)) await stop();
});

/** The same command lines on both engines: each one's exit code and output, with the sandbox's directory named alike. */
async function both(steps: Array<(s: Sandbox) => string[]>): Promise<{ sqlite: string[]; postgres: string[] }> {
  const sqlite = linkoping();
  const postgres = await linkopingOnPostgres();
  sandboxes.push(sqlite, postgres);
  const out = { sqlite: [] as string[], postgres: [] as string[] };
  for (const step of steps) {
    for (const [name, s] of [["sqlite", sqlite], ["postgres", postgres]] as const) {
      const args = step(s);
      const r = await s.cli(args);
      // The audit chain's hashes differ: the two templates were made with signing keys of their own.
      // Message-IDs are random.
      const text = (t: string) =>
        t
          .replaceAll(s.home, "<home>")
          .replace(/("auditHead":\{"id":\d+,"hash":"|\(för --expect\): \d+:)[0-9a-f]{64}/g, "$1<hash>")
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>");
      out[name].push(`$ ${text(args.join(" "))}\n${r.code}\n${text(r.stdout)}${text(r.stderr)}`);
    }
  }
  return out;
}

function copy(s: Sandbox, name: string): string {
  const target = join(s.home, name.split("/").pop()!);
  copyFileSync(join(FIX, name), target);
  return target;
}

describe("the register on PostgreSQL", () => {
  it("answers the main flows as SQLite does: cases, diary, a reply, statistics, summary, audit and check", async () => {
    const json = (...args: string[]) => () => [...args, "--json"];
    const { sqlite, postgres } = await both([
      () => outgoingCase(["--ref", "synergi:45678", "--person", "19121212-1212", "--json"]),
      () => incomingCase(["--json"]),
      () => outgoingCase(["--person", "19121212-1212", "--summary", "Samma händelse, andra gången", "--json"]),
      json("case", "list"),
      json("case", "list", "--text", "LÄKEMEDELSLISTA"),
      json("case", "show", "2026-000001"),
      json("case", "update", "2026-000002", "--severity", "gul", "--description", "Ringde avdelningen"),
      json("case", "update", "2026-000003", "--duplicate-of", "2026-000001"),
      json("packet", "2026-000001"),
      (s) => ["reply", "attach", copy(s, "replies/hand-ert-dnr.pdf"), "--json"],
      json("case", "show", "2026-000001"),
      json("diary", "list"),
      json("contact", "list"),
      json("duplicates"),
      json("stats", "--period", "2026H1"),
      json("summary"),
      json("audit", "list", "--case", "2026-000001"),
      json("check"),
      () => ["audit", "verify"],
      () => ["case", "show", "2026-000099"],
    ]);
    expect(postgres).toEqual(sqlite);
  });

  it("answers the mail and action flows as SQLite does: notices, actions, the outbox flushed, the summary mailed", async () => {
    const OWNER = "sara.nilsson@linkoping.example";
    const json = (...args: string[]) => () => [...args, "--json"];
    const { sqlite, postgres } = await both([
      () => incomingCase(["--json"]),
      json("case", "assign", "2026-000001", "--to", OWNER),
      json("action", "add", "2026-000001", "--text", "Inför checklista vid utskrivning", "--owner", OWNER, "--due", "2026-04-15"),
      json("action", "add", "2026-000001", "--text", "Stickprov", "--owner", OWNER, "--due", "2026-03-10", "--no-notify"),
      json("action", "list"),
      json("action", "list", "--overdue"),
      json("notify", "2026-000001", "--template", "reminder", "--to", "mas@linkoping.example", "--queue-only"),
      json("outbox", "list"),
      json("outbox", "flush"),
      () => ["outbox", "flush"],
      json("summary", "--email", OWNER),
      json("outbox", "list"),
      json("outbox", "show", "1"),
      json("action", "done", "1"),
      () => ["case", "status", "2026-000001", "answered"],
      () => ["case", "status", "2026-000001", "followed_up"],
      () => ["case", "status", "2026-000001", "closed"], // refused: action 2 is open
      json("action", "done", "2"),
      () => ["case", "status", "2026-000001", "closed"],
      json("action", "list", "--case", "2026-000001"),
      json("audit", "list", "--case", "2026-000001"),
      () => ["audit", "verify"],
    ]);
    expect(postgres).toEqual(sqlite);
    expect(sqlite.filter((o) => o.split("\n")[1] !== "0").map((o) => o.split("\n")[0])).toEqual(["$ case status 2026-000001 closed"]);
  });

  it("keeps the audit chain whole on the server, append-only there too, with who did what", async () => {
    const s = await linkopingOnPostgres();
    sandboxes.push(s);
    await s.cliJson(outgoingCase());
    const as = await s.cli(["case", "status", "2026-000001", "sent", "--as", "eva"]);
    expect(as.stderr).toMatch(/databasrollen test .*; eva \(--as eller AVVIK_USER\) gäller inte där/);
    const v = await s.cliJson(["audit", "verify"]);
    expect(v.problems).toEqual([]);
    // the server holds the trail: an event changed there is found
    const c = new pg.Client({ connectionString: s.env.AVVIK_DATABASE_URL });
    await c.connect();
    try {
      await expect(c.query("UPDATE audit SET action = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
      expect((await c.query(`SELECT "user" FROM audit ORDER BY id DESC LIMIT 1`)).rows[0].user).toBe("test");
      const persons = await c.query("SELECT count(*) AS n FROM persons");
      expect(Number(persons.rows[0].n)).toBe(0);
    } finally {
      await c.end();
    }
  });

  it("gives 8 registrars registering at once from processes of their own gap-free, unique numbers and one chain", async () => {
    const s = await linkopingOnPostgres();
    sandboxes.push(s);
    // Each logs in as a role of their own; AVVIK_USER (the sandbox's "test") is said not to apply.
    const roles = Array.from({ length: 8 }, (_, i) => `reg${i + 1}`);
    for (const role of roles) await makeRole(role);
    const runs = await Promise.all(roles.map((role, i) => s.spawn([...outgoingCase(["--summary", `Registrerad av nummer ${i + 1}`]), "--json"], { env: { AVVIK_DATABASE_URL: asRole(s.databaseUrl, role) } })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    for (const [i, r] of runs.entries()) expect(r.stderr).toContain(`På PostgreSQL registreras den inloggade databasrollen reg${i + 1} som den som gör ändringen; test (--as eller AVVIK_USER) gäller inte där.`);
    const numbers = runs.map((r) => JSON.parse(r.stdout).diaryNumber as string).sort();
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => `2026-00000${i + 1}`));
    const v = await s.cliJson(["audit", "verify"]);
    expect(v.problems).toEqual([]);
    const users = (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "case.new").map((e: { user: string }) => e.user);
    expect(users.sort()).toEqual(roles);
  });

  it("stores personal data encrypted: the server never sees a personnummer or a name in clear", async () => {
    const s = await linkopingOnPostgres();
    sandboxes.push(s);
    await s.cliJson(outgoingCase(["--person", "19121212-1212"]));
    const c = new pg.Client({ connectionString: s.env.AVVIK_DATABASE_URL });
    await c.connect();
    try {
      const rows = (await c.query("SELECT sealed, pnr_hash FROM persons")).rows as Array<{ sealed: Buffer; pnr_hash: Buffer }>;
      expect(rows).toHaveLength(1);
      expect(Buffer.isBuffer(rows[0]!.sealed)).toBe(true);
      // The chain's hashes and the signing key's fingerprint are random hex (which may well hold "1212"): left out.
      const audit = (await c.query(`SELECT id, at, "user", action, case_id, details FROM audit`)).rows;
      const dump = JSON.stringify((await c.query("SELECT * FROM persons")).rows) + JSON.stringify(audit).replace(/\\"fingerprint\\":\\"[0-9A-F ]+\\"/g, "");
      expect(dump).not.toMatch(/1212|19121212/);
    } finally {
      await c.end();
    }
    expect((await s.cliJson(["case", "show", "2026-000001"])).persons).toEqual(["19121212-****"]);
  });

  it("refuses in one Swedish line what works on SQLite only so far, and changes nothing; backup and restore point at pg_dump", async () => {
    const s = await linkopingOnPostgres();
    sandboxes.push(s);
    for (const [args, said] of [
      [["backup", join(s.home, "kopia.db")], /^Ett register i PostgreSQL säkerhetskopieras med PostgreSQL:s egna verktyg \(pg_dump/],
      [["restore", join(s.home, "kopia.db")], /återställs med pg_restore/],
    ] as const) {
      const r = await s.cli([...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(said);
    }
    expect(existsSync(join(s.home, "kopia.db"))).toBe(false);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
  });

  const closeFirst = ["sent", "answered", "followed_up", "closed"].map((st) => () => ["case", "status", "2026-000001", st, "--json"]);

  it("purges as SQLite does, and check answers alike before and after", async () => {
    const { sqlite, postgres } = await both([
      () => outgoingCase(["--person", "19121212-1212", "--json"]),
      () => outgoingCase(["--person", "19121212-1212", "--summary", "Samma person, ett annat ärende", "--json"]),
      ...closeFirst,
      () => ["purge", "--closed-before", "2026-03-11", "--dry-run", "--json"],
      () => ["purge", "--closed-before", "2026-03-11", "--yes", "--json"],
      () => ["purge", "--closed-before", "2026-03-11", "--yes"],
      () => ["case", "show", "2026-000001", "--reveal", "--json"],
      () => ["case", "show", "2026-000002", "--reveal", "--json"],
      () => ["check", "--json"],
      () => ["check"],
      () => ["audit", "verify"],
    ]);
    expect(postgres).toEqual(sqlite);
  });

  it("purges the erased values out of the table's files (VACUUM FULL), and check finds rows whose parent is gone", async () => {
    // A server of its own: a transaction that has written anything, in ANY database of the server (another test
    // file's import, say), keeps the old row versions alive through VACUUM FULL (tried: an open INSERT in another
    // database is enough; a read-only snapshot there is not), so this file check needs a server nobody else writes to.
    const server = await ownPostgres();
    const db = await freshDatabase(undefined, server.url);
    const s = sandbox({ env: { AVVIK_DATABASE_URL: db.url } });
    sandboxes.push(s);
    stops.push(() => server.stop());
    await s.cliJson(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
    await s.cliJson(["org", "import", "ostergotland"]);
    await s.cliJson(outgoingCase(["--person", "19121212-1212"]));
    for (const step of closeFirst) await s.cliJson(step().slice(0, -1));
    const c = new pg.Client({ connectionString: s.env.AVVIK_DATABASE_URL });
    await c.connect();
    try {
      // A snapshot of this database older than the purge keeps the old row version alive through VACUUM FULL
      // (docs/postgresql.md): on this server of its own that could only be autovacuum's, switched off for these tables.
      for (const r of (await c.query("SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = current_schema()")).rows) {
        await c.query(`ALTER TABLE ${r.t} SET (autovacuum_enabled = false)`);
      }
      const sealed = (await c.query("SELECT sealed FROM persons")).rows[0].sealed as Buffer;
      const dir = (await c.query("SHOW data_directory")).rows[0].data_directory as string;
      const tableFile = async () => {
        await c.query("CHECKPOINT"); // the pages on disk, as the server keeps them
        return readFileSync(join(dir, (await c.query("SELECT pg_relation_filepath('persons') AS p")).rows[0].p as string));
      };
      expect((await tableFile()).includes(sealed)).toBe(true);
      const r = await s.cliJson(["purge", "--closed-before", "2026-03-11", "--yes"]);
      expect(r).toMatchObject({ cases: 1, persons: 1, walTruncated: true });
      expect((await c.query("SELECT sealed, pnr_hash FROM persons")).rows).toEqual([{ sealed: null, pnr_hash: null }]);
      // An UPDATE alone leaves the old row version in the page; the table was written anew without it.
      expect((await tableFile()).includes(sealed)).toBe(false);

      // An administrator switches the triggers off and leaves a person without its case: check says so.
      expect(await s.cliJson(["check"])).toMatchObject({ ok: true, integrity: "ok" });
      // With amcheck installed by an administrator, check runs it over every index and table of the register.
      await c.query("CREATE EXTENSION amcheck");
      expect(await s.cliJson(["check"])).toMatchObject({ ok: true, integrity: "ok" });
      await c.query("SET session_replication_role = replica");
      await c.query("UPDATE persons SET case_id = 999");
      await c.query("RESET session_replication_role");
      const bad = await s.cli(["check", "--json"]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).problems).toContainEqual(expect.objectContaining({ kind: "foreign-key", table: "persons", rowid: 1, parent: "cases", message: "Rad 1 i persons hänvisar till något som saknas i cases." }));
    } finally {
      await c.end();
    }
  });

  it("makes a register in an empty database only by init: another command says there is none and creates nothing", async () => {
    const db = await freshDatabase();
    const s = sandbox({ env: { AVVIK_DATABASE_URL: db.url } });
    sandboxes.push(s);
    const r = await s.cli(["case", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Inget register i postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/avvik_\w+\. Kör 'avvik init/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await c.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n).toBe("0");
    } finally {
      await c.end();
    }
    await s.cliJson(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
  });

  it("takes only a postgres:// address as the register's URL: anything else is one line and exit 2, nothing opened", async () => {
    const s = linkoping();
    sandboxes.push(s);
    const r = await s.cli(["case", "list"], { env: { AVVIK_DATABASE_URL: "db.kommun.se/avvik" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("AVVIK_DATABASE_URL är ingen PostgreSQL-adress: den ska börja med postgres:// (t.ex. postgres://anna@db.kommun.se/avvik). Rätta den, eller ta bort den för att använda registret i datakatalogen.");
    const config = join(s.env.AVVIK_HOME!, "config.json");
    writeFileSync(config, JSON.stringify({ ...(existsSync(config) ? JSON.parse(readFileSync(config, "utf8")) : {}), database: { url: "avvik" } }));
    const c = await s.cli(["case", "list", "--lang", "en"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("database.url is not a PostgreSQL address");
  });

  it("is checked by doctor: the connection, the schema version and whether TLS protects it", async () => {
    const s = await linkopingOnPostgres();
    sandboxes.push(s);
    const r = await s.cliJson(["doctor"]);
    const db = r.findings.filter((f: { check: string }) => f.check === "database");
    expect(db.map((f: { status: string }) => f.status)).toEqual(["ok", "ok"]);
    expect(db[0].message).toMatch(/schemaversion 21, 0 ärenden/);
    expect(db[0].message).not.toContain(new URL(s.env.AVVIK_DATABASE_URL!).password);
    expect(db[1].message).toMatch(/utan TLS, men bara inom den här datorn/);
    const down = await s.cli(["doctor", "--json"], { env: { AVVIK_DATABASE_URL: "postgres://nobody:x@127.0.0.1:1/none" } });
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).findings.find((f: { check: string }) => f.check === "database").message).toMatch(/går inte att nå/);
  });
});
