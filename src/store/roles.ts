// The register's roles on PostgreSQL (`avvik db grant`): what a database role may do, given as GRANTs on the
// tables of the register's schema. The database itself refuses what a role may not (42501, insufficient
// privilege: `PrivilegeError`), so the rules hold for every client, not only for this tool.
//
// What each role may do, table by table (SELECT on everything for all four):
// - reader: nothing more (case list, show, stats, summary, audit list and verify, check).
// - manager: handles cases: updates them, their actions, answers (diary documents, stored files, exchange
//   files), contacts and the outbox; not register new cases (INSERT on cases), import, purge, change the
//   directory's keys, the classification scheme or the archive, nor grant.
// - registrar: what a manager may, and registers cases (cases, persons) and organisations.
// - admin: every privilege on every table, with the grant option (so an admin may run `db grant` in turn);
//   only an admin imports a CSV export (`assertAdministrator`: the database's grant option on the tables an
//   import writes, which db grant gives an admin alone, as a superuser or the tables' owner has it).
// The audit trail is appendable (INSERT) by every writing role and never updatable (its triggers refuse
// UPDATE and DELETE whoever asks); the aggregates the triggers of `cases` keep are writable by whoever may
// write cases, since a trigger runs with the privileges of the role whose statement fired it.

import { NotFoundError, PrivilegeError, RefusedError } from "../core/errors.js";
import type { Sql } from "./sql.js";

export const ROLES = ["registrar", "manager", "admin", "reader"] as const;
export type Role = (typeof ROLES)[number];

type Privilege = "INSERT" | "UPDATE" | "DELETE";

/** The tables a manager writes, with the privileges beyond SELECT. */
const MANAGER: Readonly<Record<string, readonly Privilege[]>> = {
  audit: ["INSERT"],
  // The audit chain's head is a setting, written with every event: settings are writable by every writing
  // role (so `config set` of the settings stored in the register is not yet refused to them by the database).
  settings: ["INSERT", "UPDATE"],
  cases: ["UPDATE"],
  case_refs: ["INSERT", "UPDATE"],
  actions: ["INSERT", "UPDATE"],
  documents: ["INSERT", "UPDATE"],
  diary_sequences: ["INSERT", "UPDATE"],
  files: ["INSERT", "UPDATE"],
  // A stored file's bytes (migration 020), written with its row.
  file_contents: ["INSERT", "UPDATE"],
  exchange_exports: ["INSERT", "UPDATE"],
  contacts: ["INSERT", "UPDATE"],
  outbox: ["INSERT", "UPDATE"],
  outbox_attachments: ["INSERT", "UPDATE"],
  stats_month: ["INSERT", "UPDATE"],
  stats_day: ["INSERT", "UPDATE"],
  stats_handling: ["INSERT", "UPDATE"],
  stats_handling_day: ["INSERT", "UPDATE"],
};

/** A registrar: the manager's tables, and registering cases and organisations. */
const REGISTRAR: Readonly<Record<string, readonly Privilege[]>> = {
  ...MANAGER,
  cases: ["INSERT", "UPDATE"],
  persons: ["INSERT", "UPDATE"],
  orgs: ["INSERT", "UPDATE"],
};

/** The GRANT statements beyond SELECT of a role on `table` (ALL for an admin). */
export function privilegesOf(role: Role, table: string): readonly Privilege[] | "ALL" {
  if (role === "admin") return "ALL";
  if (role === "reader") return [];
  return (role === "manager" ? MANAGER : REGISTRAR)[table] ?? [];
}

/** The tables a CSV import writes rows into (pgImports.ts). */
const IMPORTED = ["cases", "case_refs", "persons"];

/**
 * Refuses (PrivilegeError, before anything is written) a role that is not an administrator of the register: a
 * registrar may write cases one by one, but a whole export at once is an administrator's (issue 18).
 */
export async function assertAdministrator(db: Sql): Promise<void> {
  const checks = IMPORTED.map((t) => `has_table_privilege('${t}', 'INSERT WITH GRANT OPTION') AND has_table_privilege('${t}', 'UPDATE WITH GRANT OPTION')`).join(" AND ");
  const r = (await db.get<{ ok: boolean; role: string }>(`SELECT ${checks} AS ok, session_user AS role`))!;
  if (!r.ok) throw new PrivilegeError(r.role);
}

/** A role's name as an SQL identifier ("" doubled). */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class RoleRepo {
  constructor(private readonly db: Sql) {}

  /**
   * Gives the database role `name` the privileges of `role` on every table of the register's schema, in
   * place of what it had there (revoked first). Inside the caller's write transaction: all or nothing.
   */
  async grant(name: string, role: Role): Promise<{ tables: number; superuser: boolean }> {
    if (this.db.engine !== "postgres") throw new RefusedError("db.grant.sqlite");
    const found = await this.db.get<{ login: boolean; superuser: boolean }>("SELECT rolcanlogin AS login, rolsuper AS superuser FROM pg_roles WHERE rolname = ?", [name]);
    if (!found) throw new NotFoundError("db.grant.noRole", { role: name });
    const tables = await this.db.all<{ name: string; grantable: boolean }>(
      `SELECT tablename AS name,
              has_table_privilege(format('%I.%I', schemaname, tablename), 'SELECT WITH GRANT OPTION')
          AND has_table_privilege(format('%I.%I', schemaname, tablename), 'INSERT WITH GRANT OPTION')
          AND has_table_privilege(format('%I.%I', schemaname, tablename), 'UPDATE WITH GRANT OPTION')
          AND has_table_privilege(format('%I.%I', schemaname, tablename), 'DELETE WITH GRANT OPTION') AS grantable
         FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
    );
    // PostgreSQL only warns when a GRANT gives less than asked: the grant option on every table is checked first.
    if (tables.some((t) => !t.grantable)) {
      const me = await this.db.get<{ role: string }>("SELECT current_user AS role");
      throw new PrivilegeError(me!.role);
    }
    const schema = (await this.db.get<{ schema: string }>("SELECT current_schema() AS schema"))!.schema;
    const to = ident(name);
    // The schema's USAGE, where this role may give it (a schema of its own; `public` is usable by everyone).
    const usage = await this.db.get<{ ok: boolean }>("SELECT has_schema_privilege(current_schema(), 'USAGE WITH GRANT OPTION') AS ok");
    if (usage?.ok) await this.db.exec(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${to}`);
    // CONNECT on the database, where this role may give it (docs/postgresql.md revokes it from PUBLIC).
    const connect = await this.db.get<{ ok: boolean; database: string }>("SELECT has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION') AS ok, current_database() AS database");
    if (connect?.ok) await this.db.exec(`GRANT CONNECT ON DATABASE ${ident(connect.database)} TO ${to}`);
    await this.db.exec(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(schema)} FROM ${to}`);
    await this.db.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${to}`);
    for (const t of tables) {
      const p = privilegesOf(role, t.name);
      if (p === "ALL") await this.db.exec(`GRANT ALL ON ${ident(schema)}.${ident(t.name)} TO ${to} WITH GRANT OPTION`);
      else if (p.length > 0) await this.db.exec(`GRANT ${p.join(", ")} ON ${ident(schema)}.${ident(t.name)} TO ${to}`);
    }
    return { tables: tables.length, superuser: found.superuser };
  }
}
