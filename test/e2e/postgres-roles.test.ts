// Roles on PostgreSQL (issue 18): `avvik db grant ROLE --role …` gives a login role (no superuser) the
// privileges of a reader, manager, registrar or administrator, and the database itself refuses the rest: one
// Swedish line naming the role and what it may not do, exit 1, nothing changed.

import { randomBytes } from "node:crypto";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, linkopingOnPostgres, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";
import { asRole, makeRole } from "../helpers/postgres.js";

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const s of sandboxes.splice(0)) s.cleanup();
});

/** A register on PostgreSQL, and a function running a command as a new login role without superuser. */
async function register() {
  const s = await linkopingOnPostgres();
  sandboxes.push(s);
  const suffix = randomBytes(4).toString("hex");
  const as = async (name: string) => {
    const role = `${name}_${suffix}`;
    await makeRole(role, undefined, { superuser: false });
    // AVVIK_USER said to be the role: no line saying --as does not apply.
    const env = { AVVIK_DATABASE_URL: asRole(s.databaseUrl, role), AVVIK_USER: role };
    return { role, cli: (args: string[]) => s.cli(args, { env }), json: (args: string[]) => s.cliJson(args, { env }) };
  };
  return { s, as };
}

describe("roles on PostgreSQL (db grant)", () => {
  it("lets a reader read and run statistics, and refuses its writes in one line naming the role, changing nothing", async () => {
    const { s, as } = await register();
    await s.cliJson(outgoingCase());
    const reader = await as("reader");
    // Before any grant the role may not even read.
    const none = await reader.cli(["case", "list"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(new RegExp(`^Rollen ${reader.role} får inte köra 'avvik case list'`));
    const g = await s.cliJson(["db", "grant", reader.role, "--role", "reader"]);
    expect(g).toMatchObject({ role: reader.role, grant: "reader", superuser: false });
    expect(g.tables).toBeGreaterThan(20);
    expect((await reader.json(["case", "list"])).map((c: { diaryNumber: string }) => c.diaryNumber)).toEqual(["2026-000001"]);
    expect((await reader.json(["stats", "--period", "2026H1"])).total).toBe(1);
    for (const args of [["case", "show", "2026-000001"], ["diary", "list"], ["audit", "verify"], ["check"]]) expect((await reader.cli(args)).code, args.join(" ")).toBe(0);
    const events = (await s.cliJson(["audit", "list"])).length;
    const r = await reader.cli(outgoingCase());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`Rollen ${reader.role} får inte registrera ärenden. En administratör kan ge rollen mer med 'avvik db grant ${reader.role} --role …'.\n`);
    expect((await reader.json(["case", "list"])).length).toBe(1);
    expect((await s.cliJson(["audit", "list"])).length).toBe(events);
    const en = await reader.cli(["case", "update", "2026-000001", "--probability", "2", "--lang", "en"]);
    expect(en.code).toBe(1);
    expect(en.stderr).toMatch(new RegExp(`^The role ${reader.role} may not change cases\\.`));
  });

  it("lets a registrar register and diarise, recorded as itself; a manager handles cases but registers none and grants nothing", async () => {
    const { s, as } = await register();
    const registrar = await as("registrar");
    const manager = await as("manager");
    expect((await s.cli(["db", "grant", registrar.role, "--role", "registrar"])).code).toBe(0);
    expect((await s.cli(["db", "grant", manager.role, "--role", "manager"])).code).toBe(0);
    const made = await registrar.json(outgoingCase());
    expect(made.diaryNumber).toBe("2026-000001");
    expect((await registrar.cli(["diary", "add", "2026-000001", "--direction", "internal", "--subject", "Tjänsteanteckning"])).code).toBe(0);
    const r = await manager.cli(outgoingCase());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Rollen ${manager.role} får inte registrera ärenden\\.`));
    expect((await manager.cli(["case", "update", "2026-000001", "--probability", "2", "--consequence", "3"])).code).toBe(0);
    const purge = await registrar.cli(["purge", "--closed-before", "2026-03-11", "--yes"]);
    expect(purge.code).toBe(1);
    expect(purge.stderr.trim()).toMatch(new RegExp(`^Rollen ${registrar.role} får inte gallra personuppgifter\\.[^\\n]*$`));
    const grant = await manager.cli(["db", "grant", manager.role, "--role", "admin"]);
    expect(grant.code).toBe(1);
    expect(grant.stderr).toMatch(new RegExp(`^Rollen ${manager.role} får inte ge roller behörigheter\\.`));
    const audit = await s.cliJson(["audit", "list"]);
    expect(audit.filter((e: { action: string }) => e.action === "case.new").map((e: { user: string }) => e.user)).toEqual([registrar.role]);
    expect(audit.filter((e: { action: string }) => e.action === "case.update").map((e: { user: string }) => e.user)).toEqual([manager.role]);
    expect((await s.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("lets an administrator without superuser grant in turn, and takes back what a role had when it gets less", async () => {
    const { s, as } = await register();
    const admin = await as("admin");
    const other = await as("other");
    await s.cliJson(["db", "grant", admin.role, "--role", "admin"]);
    await admin.json(["db", "grant", other.role, "--role", "registrar"]);
    expect((await other.json(outgoingCase())).diaryNumber).toBe("2026-000001");
    await admin.json(["db", "grant", other.role, "--role", "reader"]);
    const r = await other.cli(outgoingCase());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/får inte registrera ärenden/);
    // An administrator purges. `db grant --role admin` gives MAINTAIN too (PostgreSQL 17 and later), which VACUUM
    // FULL needs; without it (an older server, or taken away as here) the purge erases and says persons was not rewritten.
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    try {
      await c.query(`REVOKE MAINTAIN ON persons FROM ${admin.role}`);
    } finally {
      await c.end();
    }
    await admin.json(outgoingCase(["--person", "19121212-1212"]));
    for (const st of ["sent", "answered", "followed_up", "closed"]) await admin.json(["case", "status", "2026-000002", st]);
    const purged = await admin.cli(["purge", "--closed-before", "2026-03-11", "--yes", "--json"]);
    expect(purged.code, purged.stderr).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ cases: 1, persons: 1, walTruncated: false });
    expect(purged.stderr).toMatch(/^! Personuppgifterna är raderade, men tabellerna persons och file_contents kunde inte skrivas om \(VACUUM FULL\)/);
    const grants = (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "db.grant");
    expect(grants.map((e: { user: string; details: unknown }) => [e.user, e.details])).toEqual([
      ["test", { role: admin.role, grant: "admin" }],
      [admin.role, { role: other.role, grant: "registrar" }],
      [admin.role, { role: other.role, grant: "reader" }],
    ]);
  });

  it("lets only an administrator import an export: a reader, a manager and a registrar are refused in one line, nothing written", async () => {
    const { s, as } = await register();
    const file = join(s.home, "synergi-vecka10.csv");
    copyFileSync(join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), file);
    const events = (await s.cliJson(["audit", "list"])).length;
    for (const role of ["reader", "manager", "registrar"] as const) {
      const who = await as(role);
      await s.cliJson(["db", "grant", who.role, "--role", role]);
      for (const flags of [[], ["--dry-run"]]) {
        const r = await who.cli(["import", file, "--profile", "synergi", ...flags]);
        expect(r.code, role).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`Rollen ${who.role} får inte importera ärenden. En administratör kan ge rollen mer med 'avvik db grant ${who.role} --role …'.\n`);
      }
    }
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect((await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action !== "db.grant")).toHaveLength(events);
    const admin = await as("importer");
    await s.cliJson(["db", "grant", admin.role, "--role", "admin"]);
    expect(await admin.json(["import", file, "--profile", "synergi"])).toMatchObject({ created: 5, imported: true });
    const imported = (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "import");
    expect(imported.map((e: { user: string }) => e.user)).toEqual([admin.role]);
    expect((await s.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("takes a role's password from a pgpass file when the URL has none, with no warning printed", async () => {
    const { s, as } = await register();
    const reader = await as("pgpass");
    await s.cliJson(["db", "grant", reader.role, "--role", "reader"]);
    const url = new URL(asRole(s.databaseUrl, reader.role));
    const file = join(s.home, "pgpass");
    writeFileSync(file, `${url.hostname}:${url.port}:${url.pathname.slice(1)}:${reader.role}:${decodeURIComponent(url.password)}\n`, { mode: 0o600 });
    url.password = "";
    const env = { AVVIK_DATABASE_URL: url.toString(), AVVIK_USER: reader.role };
    const without = await s.spawn(["case", "list", "--json"], { env: { ...env, PGPASSFILE: join(s.home, "none") } });
    expect(without.code).toBe(1);
    const r = await s.spawn(["case", "list", "--json"], { env: { ...env, PGPASSFILE: file } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it("says a role that does not exist must be created first, and on SQLite that roles are PostgreSQL's", async () => {
    const { s } = await register();
    const r = await s.cli(["db", "grant", "ingen_sadan", "--role", "reader"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Rollen ingen_sadan finns inte i databasen. Skapa den först (CREATE ROLE … LOGIN) och kör kommandot igen.\n");
    const bad = await s.cli(["db", "grant", "x", "--role", "chef"]);
    expect(bad.code).toBe(2);
    const sqlite = linkoping();
    sandboxes.push(sqlite);
    const l = await sqlite.cli(["db", "grant", "anna", "--role", "registrar"]);
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/^Roller finns bara på PostgreSQL/);
  });
});
