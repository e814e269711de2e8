// `db copy`: a local SQLite register copied into an empty PostgreSQL database, every table row for row with its
// ids, so that the audit chain (whose events name ids and whose hashes cover them), the diary numbers and the
// stored files' addresses stay what they were; the stored files' bytes (as stored: encrypted where they were)
// go from the data directory into `file_contents`. Nothing is decrypted: the server never sees personal data.
//
// One snapshot of the source (a read transaction) into one transaction on the target (the register's write
// lock first, as every write there): the schema is made inside it, so a copy that fails anywhere, or is
// killed, leaves the database as empty as it was. Before it commits, the rows of every table and every file's
// bytes are counted and compared with the source's.

import { createHash } from "node:crypto";
import { localDate, localTimestamp } from "../core/dates.js";
import { FailedError, RefusedError } from "../core/errors.js";
import { AuditRepo } from "./audit.js";
import type { FileRepo } from "./files.js";
import { migratePostgres, POSTGRES_MIGRATIONS, POSTGRES_ONLY_TABLES, schemaVersion } from "./migrations/postgres/index.js";
import { SIGNING_KEY_SETTING } from "./orgKeys.js";
import type { PostgresSql } from "./postgres.js";
import { SettingsRepo } from "./settings.js";
import type { Clock, Sql } from "./sql.js";

/**
 * What the register's arrival adds on the target, after the copied rows are verified: the signing key of its
 * exchange files (on SQLite a file in the data directory; on PostgreSQL a settings row, sealed), and the
 * audit event `db.copy` that closes the copied chain (when it arrived, and who copied it).
 */
export interface Arrival {
  /** The instant of the copy (the run's, which honours AVVIK_NOW). */
  at: Date;
  /** The source's signing key, sealed with the register's key (base64), and its fingerprint; absent when it has none. */
  signingKey?: { sealed: string; fingerprint: string };
}

export interface CopyReport {
  /** The schema version both registers have. */
  schemaVersion: number;
  /**
   * Rows per table on the target once the copy is committed: the source's (verified), and the arrival's
   * (one more audit event; the signing key's settings row).
   */
  tables: Record<string, number>;
  /** Stored files whose bytes were copied, and their size as stored. */
  files: number;
  fileBytes: number;
}

/**
 * The aggregates the triggers of `cases` keep on PostgreSQL (as on SQLite): the triggers build them again while
 * the cases are copied, and they are then replaced by the source's rows, so that they are copied as they are.
 */
const AGGREGATES = new Set(["stats_month", "stats_handling", "stats_day", "stats_handling_day"]);

/** An SQL identifier, quoted (so `user` and any name are taken as they are). */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Bind parameters per statement stay below PostgreSQL's limit (65535). */
const MAX_PARAMS = 30_000;
const MAX_ROWS = 500;

interface Table {
  name: string;
  columns: string[];
  /** The primary key's columns (ordering and the second pass). */
  key: string[];
  /** Nullable columns that refer to the same table: written in a second pass, once every row is there. */
  selfRefs: string[];
  /** The tables it refers to. */
  parents: string[];
}

export class RegisterCopy {
  constructor(
    private readonly source: Sql,
    private readonly files: FileRepo,
    private readonly target: PostgresSql,
    private readonly arrival: Arrival,
  ) {
    if (source.engine !== "sqlite") throw new Error("db copy reads an SQLite register");
  }

  /** Copies the source register into the target database, which must hold no register (nor any other table). */
  async run(): Promise<CopyReport> {
    return this.source.read(() => this.target.write(() => this.copy()));
  }

  private async copy(): Promise<CopyReport> {
    await this.assertEmpty();
    await migratePostgres(this.target);
    const version = (await this.source.get<{ v: number }>("SELECT user_version AS v FROM pragma_user_version"))!.v;
    const latest = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;
    if (version !== latest || (await schemaVersion(this.target)) !== latest) throw new Error(`schema versions differ: SQLite ${version}, PostgreSQL ${latest}`);
    const tables = this.ordered(await this.sourceTables());
    // Every table of the target is one of the source's, or PostgreSQL's own (the files' bytes, the version).
    const own = new Set([...Object.keys(POSTGRES_ONLY_TABLES), "schema_version", ...tables.map((t) => t.name)]);
    for (const name of await this.targetTables()) if (!own.has(name)) throw new Error(`table ${name} exists only on PostgreSQL`);
    const counts: Record<string, number> = {};
    const paused = await this.pauseTriggers(tables.map((t) => t.name));
    for (const t of tables) {
      await this.assertSameColumns(t);
      counts[t.name] = await this.copyTable(t);
    }
    for (const name of paused) await this.target.exec(`ALTER TABLE ${ident(name)} ENABLE TRIGGER USER`);
    const files = await this.copyFileBytes();
    counts.file_contents = files.count;
    await this.verify(counts, files.digests);
    await this.arrive(version, counts, files);
    // The tables the arrival wrote, counted again (the others hold what was verified).
    const now = { ...counts, audit: await this.countOf("audit"), settings: await this.countOf("settings") };
    return { schemaVersion: version, tables: now, files: files.count, fileBytes: files.bytes };
  }

  /**
   * The arrival, in the copy's transaction: the signing key (so counterparts that trust the SQLite register's
   * key trust the copy's files), then one audit event after the copied chain, by the role that logged in
   * (as every event on PostgreSQL). Its details are counts and the key's fingerprint: no path, no password.
   */
  private async arrive(version: number, counts: Record<string, number>, files: { count: number; bytes: number }): Promise<void> {
    const settings = new SettingsRepo(this.target);
    if (this.arrival.signingKey) await settings.set(SIGNING_KEY_SETTING, this.arrival.signingKey.sealed);
    const role = (await this.target.get<{ role: string }>("SELECT session_user AS role"))!.role;
    const at = this.arrival.at;
    const clock: Clock = { actor: { user: role, now: at }, now: localTimestamp(at), today: localDate(at) };
    await new AuditRepo(this.target, clock, settings).record("db.copy", null, {
      from: "sqlite",
      schemaVersion: version,
      tables: counts,
      files: files.count,
      fileBytes: files.bytes,
      signingKey: this.arrival.signingKey?.fingerprint ?? null,
    });
  }

  private async countOf(table: string): Promise<number> {
    return (await this.target.get<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`))!.n;
  }

  /**
   * The target's own triggers (ids given when left out, the aggregates kept per case) have nothing to do for
   * rows that arrive with their ids and aggregates: switched off for the copy (inside its transaction, back on
   * before it commits) on the tables this role owns, which are all of them when the copy made the schema. On a
   * table it does not own they run, and the aggregates they build are replaced by the source's all the same
   * (copyTable). A per-case trigger costs about a dozen upserts: most of the time of a copy.
   */
  private async pauseTriggers(names: string[]): Promise<string[]> {
    const owned = await this.target.all<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND pg_has_role(current_user, c.relowner, 'USAGE')
          AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)`,
    );
    const paused = owned.map((r) => r.name).filter((n) => names.includes(n));
    for (const name of paused) await this.target.exec(`ALTER TABLE ${ident(name)} DISABLE TRIGGER USER`);
    return paused;
  }

  /** Refuses a database that holds a register (even an empty one with rows in any table) or tables of anything else. */
  private async assertEmpty(): Promise<void> {
    const present = await this.targetTables();
    if (present.length === 0) return;
    const version = await schemaVersion(this.target);
    if (version === 0) throw new RefusedError("db.copy.notEmptyTables", { tables: present.slice(0, 5).join(", "), n: present.length });
    const org = present.includes("settings") ? await this.target.get<{ value: string }>("SELECT value FROM settings WHERE key = 'org_id'") : undefined;
    if (org) throw new RefusedError("db.copy.notEmptyRegister", { org: org.value });
    for (const name of present) {
      if (name === "schema_version") continue;
      if (await this.target.get(`SELECT 1 AS one FROM ${ident(name)} LIMIT 1`)) throw new RefusedError("db.copy.notEmptyRows", { table: name });
    }
  }

  private async targetTables(): Promise<string[]> {
    return (await this.target.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")).map((r) => r.name);
  }

  private async sourceTables(): Promise<Table[]> {
    const names = (await this.source.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r) => r.name);
    const out: Table[] = [];
    for (const name of names) {
      const info = await this.source.all<{ name: string; notnull: number; pk: number }>(`SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, [name]);
      const fks = await this.source.all<{ table: string; from: string }>(`SELECT "table", "from" FROM pragma_foreign_key_list(?)`, [name]);
      const notNull = new Set(info.filter((c) => c.notnull || c.pk).map((c) => c.name));
      const selfRefs = fks.filter((f) => f.table === name).map((f) => f.from);
      for (const c of selfRefs) if (notNull.has(c)) throw new Error(`${name}.${c} refers to its own table and may not be NULL: cannot be copied`);
      out.push({
        name,
        columns: info.map((c) => c.name),
        key: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        selfRefs,
        parents: [...new Set(fks.map((f) => f.table).filter((t) => t !== name))],
      });
    }
    return out;
  }

  /** Referred-to tables before the tables referring to them; the aggregates after the cases (whose triggers write them). */
  private ordered(tables: Table[]): Table[] {
    const byName = new Map(tables.map((t) => [t.name, t]));
    const done = new Set<string>();
    const out: Table[] = [];
    const visit = (t: Table, path: string[]) => {
      if (done.has(t.name)) return;
      if (path.includes(t.name)) throw new Error(`foreign keys form a cycle: ${[...path, t.name].join(" → ")}`);
      for (const p of t.parents) {
        const parent = byName.get(p);
        if (parent) visit(parent, [...path, t.name]);
      }
      done.add(t.name);
      out.push(t);
    };
    for (const t of tables) if (!AGGREGATES.has(t.name)) visit(t, []);
    for (const t of tables) if (AGGREGATES.has(t.name)) visit(t, []);
    return out;
  }

  /** The target has the table with the very same columns (the schemas are compared by test/unit/schema-engines.test.ts). */
  private async assertSameColumns(t: Table): Promise<void> {
    const columns = (await this.target.all<{ name: string }>(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
      [t.name],
    )).map((r) => r.name);
    const a = [...columns].sort().join(",");
    const b = [...t.columns].sort().join(",");
    if (a !== b) throw new Error(`table ${t.name} differs between the engines: PostgreSQL (${a}), SQLite (${b})`);
  }

  /** Copies one table's rows in batches of multi-row INSERTs; its self-references in a second pass. Returns the rows read. */
  private async copyTable(t: Table): Promise<number> {
    const cols = t.columns.map(ident).join(", ");
    const order = t.key.length ? ` ORDER BY ${t.key.map(ident).join(", ")}` : "";
    // What the cases' triggers made of the aggregates gives way to the source's own rows.
    if (AGGREGATES.has(t.name)) await this.target.run(`DELETE FROM ${ident(t.name)}`);
    const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / t.columns.length)));
    const self = new Set(t.selfRefs);
    const later: Array<{ key: unknown[]; values: unknown[] }> = [];
    let batch: unknown[][] = [];
    let n = 0;
    const flush = async () => {
      if (!batch.length) return;
      const row = `(${t.columns.map(() => "?").join(", ")})`;
      await this.target.run(`INSERT INTO ${ident(t.name)} (${cols}) VALUES ${batch.map(() => row).join(", ")}`, batch.flat());
      batch = [];
    };
    for await (const r of this.source.iterate<Record<string, unknown>>(`SELECT ${cols} FROM ${ident(t.name)}${order}`)) {
      n++;
      if (self.size && t.selfRefs.some((c) => r[c] !== null && r[c] !== undefined)) later.push({ key: t.key.map((k) => r[k]), values: t.selfRefs.map((c) => r[c]) });
      batch.push(t.columns.map((c) => (self.has(c) ? null : r[c])));
      if (batch.length >= perStatement) await flush();
    }
    await flush();
    if (later.length) await this.setSelfRefs(t, later);
    return n;
  }

  /** The self-references of the rows that have them, many rows per statement (UPDATE … FROM VALUES, typed as the columns). */
  private async setSelfRefs(t: Table, rows: Array<{ key: unknown[]; values: unknown[] }>): Promise<void> {
    const types = new Map(
      (await this.target.all<{ name: string; type: string }>(
        "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
        [t.name],
      )).map((r) => [r.name, r.type]),
    );
    const columns = [...t.key, ...t.selfRefs];
    const row = `(${columns.map((c) => `CAST(? AS ${types.get(c)})`).join(", ")})`;
    const names = [...t.key.map((_, i) => `k${i}`), ...t.selfRefs.map((_, i) => `s${i}`)];
    const set = t.selfRefs.map((c, i) => `${ident(c)} = v.s${i}`).join(", ");
    const where = t.key.map((k, i) => `t.${ident(k)} = v.k${i}`).join(" AND ");
    const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
    for (let i = 0; i < rows.length; i += perStatement) {
      const batch = rows.slice(i, i + perStatement);
      await this.target.run(
        `UPDATE ${ident(t.name)} AS t SET ${set} FROM (VALUES ${batch.map(() => row).join(", ")}) AS v (${names.join(", ")}) WHERE ${where}`,
        batch.flatMap((r) => [...r.key, ...r.values]),
      );
    }
  }

  /**
   * The bytes of every stored file not purged, as they are stored (encrypted where they are), one file at a
   * time. A file the register names whose bytes are missing, or an unencrypted one whose bytes no longer
   * match its hash, stops the copy: `avvik check` names them.
   */
  private async copyFileBytes(): Promise<{ count: number; bytes: number; digests: Map<string, string> }> {
    const digests = new Map<string, string>();
    let bytes = 0;
    const rows = await this.source.all<{ hash: string; encrypted: number }>("SELECT hash, encrypted FROM files WHERE purged_at IS NULL ORDER BY hash");
    for (const f of rows) {
      const data = await this.files.stored(f.hash);
      if (data === undefined) throw new FailedError("db.copy.fileMissing", { hash: f.hash.slice(0, 12) });
      const digest = createHash("sha256").update(data).digest("hex");
      if (!f.encrypted && digest !== f.hash) throw new FailedError("db.copy.fileChanged", { hash: f.hash.slice(0, 12) });
      await this.target.run("INSERT INTO file_contents (hash, data) VALUES (?, ?)", [f.hash, data]);
      digests.set(f.hash, digest);
      bytes += data.length;
    }
    return { count: rows.length, bytes, digests };
  }

  /** Every table's rows counted on the target, and every file's bytes hashed by the server, against the source. */
  private async verify(counts: Record<string, number>, digests: Map<string, string>): Promise<void> {
    for (const [table, n] of Object.entries(counts)) {
      const there = await this.countOf(table);
      if (there !== n) throw new FailedError("db.copy.countDiffers", { table, source: n, target: there });
    }
    const stored = await this.target.all<{ hash: string; digest: string }>("SELECT hash, encode(sha256(data), 'hex') AS digest FROM file_contents");
    for (const r of stored) {
      if (digests.get(r.hash) !== r.digest) throw new FailedError("db.copy.fileDiffers", { hash: r.hash.slice(0, 12) });
    }
  }
}
