// Guarding the register: the health check, retention (purge), backup and restore.
// All SQL for these lives here; the CLI renders the results.

import Database from "better-sqlite3";
import { createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { addMonths, type IsoDate } from "../core/dates.js";
import { FailedError, PrivilegeError, RefusedError } from "../core/errors.js";
import { outputError, type OutputFile } from "./outputFile.js";
import type { AuditProblem } from "./audit.js";
import { DB_FILE } from "./db.js";
import { sha256 } from "./files.js";
import { SIGNING_KEY_FILE, SIGNING_KEY_SETTING } from "./orgKeys.js";
import type { AuditRepo } from "./audit.js";
import type { FileRepo } from "./files.js";
import type { SettingsRepo } from "./settings.js";
import type { Clock, Keys } from "./sql.js";
import type { Sql } from "./sql.js";
import { sqliteOnly } from "./sqlite.js";

/** One thing `check` found wrong. `key`/`params` describe key problems with the catalogue's error key. */
export type CheckProblem =
  | { kind: "integrity"; detail: string }
  | { kind: "foreign-key"; table: string; rowid: number | null; parent: string }
  | { kind: "audit"; problem: AuditProblem }
  | { kind: "file-missing"; hash: string; documents: string[] }
  | { kind: "file-changed"; hash: string; documents: string[] }
  | { kind: "file-not-erased"; hash: string }
  | { kind: "key"; key: string; params: import("../core/errors.js").MessageParams }
  | { kind: "key-mode"; file: string; mode: string }
  | { kind: "home-mode"; dir: string; mode: string };

export interface CheckReport {
  ok: boolean;
  integrity: "ok" | "failed";
  auditEvents: number;
  files: number;
  persons: number;
  problems: CheckProblem[];
  /** Not wrong, but to be done: bytes of purged files still on disk (a purge was interrupted; run it again). */
  warnings: CheckProblem[];
}

export interface PurgeCounts {
  closedBefore: IsoDate;
  cases: number;
  persons: number;
  files: number;
}

export interface PurgeResult extends PurgeCounts {
  /** Stored files whose bytes were deleted now (also those left by an interrupted purge). */
  erasedFiles: number;
  /** False when another process kept the write-ahead log from being emptied. */
  walTruncated: boolean;
}

export const RETENTION_SETTING = "retention_years";

/** Column types whose values the PostgreSQL executor gives as numbers (int8 among them, as SQLite's integers). */
const INTEGER_TYPES = new Set(["smallint", "integer", "bigint"]);

/**
 * Files in the data directory that a backup does not take: the database (copied by SQLite), the key, and the
 * key that signs our exchange files (whoever holds a backup must not be able to sign as us; after a restore
 * a new one is made, and counterparts import it: docs/exchange/signing.md).
 */
function skipInBackup(rel: string): boolean {
  const base = rel.split(sep).pop() ?? rel;
  return rel === DB_FILE || rel.startsWith(`${DB_FILE}-`) || rel === "key" || rel === SIGNING_KEY_FILE || base.endsWith(".tmp") || base.startsWith(".");
}

export class ProtectionRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly keys: Keys,
    private readonly repos: { settings: SettingsRepo; audit: AuditRepo; files: FileRepo },
    private readonly home: string,
    private readonly keyFile: string,
  ) {}

  // --- check ---

  /** SQLite's integrity and foreign-key checks, the audit trail, every stored file and the key. */
  async check(): Promise<CheckReport> {
    const problems: CheckProblem[] = [];
    const warnings: CheckProblem[] = [];
    // PostgreSQL: what the server can tell (checksum failures, amcheck where installed, rows that lost their parent).
    const integrity = this.db.engine === "sqlite" ? (sqliteOnly(this.db, "health").native.pragma("integrity_check") as Array<{ integrity_check: string }>) : await this.postgresIntegrity();
    const integrityOk = integrity.length === 1 && integrity[0]!.integrity_check === "ok";
    if (!integrityOk) {
      // One problem per line SQLite reports (a row may hold several), without its section headers.
      const details = integrity.flatMap((r) => r.integrity_check.split("\n")).filter((l) => l.trim() && !l.startsWith("***"));
      for (const detail of [...new Set(details)].slice(0, 50)) problems.push({ kind: "integrity", detail });
    }
    // The rest from one snapshot, so that cases, files and the audit trail written meanwhile by others agree.
    return this.db.read(() => this.checkContents(problems, warnings, integrityOk));
  }

  private async checkContents(problems: CheckProblem[], warnings: CheckProblem[], integrityOk: boolean): Promise<CheckReport> {
    let audit: { events: number; problems: AuditProblem[] };
    try {
      const fks = this.db.engine === "sqlite" ? (sqliteOnly(this.db, "health").native.pragma("foreign_key_check") as Array<{ table: string; rowid: number | null; parent: string }>) : await this.postgresOrphans();
      for (const r of fks.slice(0, 50)) problems.push({ kind: "foreign-key", table: r.table, rowid: r.rowid, parent: r.parent });
      audit = await this.repos.audit.verify();
      for (const p of audit.problems) problems.push({ kind: "audit", problem: p });
    } catch (e) {
      // A damaged database cannot be read further; the integrity problems above say why.
      if (!isDamaged(e)) throw e;
      if (integrityOk) problems.push({ kind: "integrity", detail: (e as Error).message });
      return { ok: false, integrity: "failed", auditEvents: 0, files: 0, persons: 0, problems, warnings };
    }

    let keyProblem: CheckProblem | undefined;
    const withKey = async <T>(fn: () => T | Promise<T>): Promise<T | undefined> => {
      if (keyProblem) return undefined;
      try {
        return await fn();
      } catch (e) {
        if (e instanceof FailedError && e.key.startsWith("error.key")) {
          keyProblem = { kind: "key", key: e.key, params: { ...e.params } };
          problems.push(keyProblem);
          return undefined;
        }
        throw e;
      }
    };

    const files = await this.db.all<{ hash: string; encrypted: number; purged_at: string | null; documents: string | null }>(
      `SELECT f.hash, f.encrypted, f.purged_at, ${this.db.dialect.groupConcat("d.number", "', '")} AS documents
       FROM files f LEFT JOIN documents d ON (d.file_hash = f.hash OR d.recognised_hash = f.hash) GROUP BY f.hash ORDER BY f.hash`,
    );
    for (const f of files) {
      const documents = f.documents ? f.documents.split(", ") : [];
      // Wherever the bytes live (the data directory, the database), through the one repository.
      let raw: Buffer | undefined;
      try {
        if (f.purged_at) {
          if (await this.repos.files.hasBytes(f.hash)) warnings.push({ kind: "file-not-erased", hash: f.hash });
          continue;
        }
        raw = await this.repos.files.stored(f.hash);
      } catch (e) {
        if (!(e instanceof FailedError && e.key === "error.fileHashInvalid")) throw e;
        problems.push({ kind: "file-changed", hash: f.hash.slice(0, 80), documents });
        continue;
      }
      if (raw === undefined) {
        problems.push({ kind: "file-missing", hash: f.hash, documents });
        continue;
      }
      const plain = f.encrypted ? await withKey(async () => (await this.keys()).decrypt(raw)) : raw;
      if (plain === undefined) continue;
      if (sha256(plain) !== f.hash) problems.push({ kind: "file-changed", hash: f.hash, documents });
    }

    // Every person not purged must open with this key.
    const persons = await this.db.all<{ sealed: Buffer | null }>("SELECT sealed FROM persons WHERE purged_at IS NULL");
    const cipher = persons.length ? await withKey(() => this.keys()) : undefined;
    for (const p of cipher ? persons : []) {
      if (keyProblem) break;
      await withKey(() => {
        if (p.sealed) cipher!.openPerson(p.sealed);
      });
    }
    if (!keyProblem) {
      // The key must belong to this register (also when it holds no personal data yet), and be private.
      await withKey(() => this.keys());
      if (!keyProblem) {
        const mode = statSync(this.keyFile).mode & 0o777;
        if (mode & 0o077) problems.push({ kind: "key-mode", file: this.keyFile, mode: mode.toString(8).padStart(4, "0") });
      }
    }
    // The key that signs our exchange files must open as one, and its file be private too (it is made on first
    // need: maybe not yet). On PostgreSQL it is the register's, sealed with the register's key in a setting.
    const signingKey = join(this.home, SIGNING_KEY_FILE);
    if (this.db.engine === "postgres") {
      const sealed = await this.repos.settings.get(SIGNING_KEY_SETTING);
      if (sealed !== undefined && !keyProblem) {
        const cipher = await withKey(() => this.keys());
        if (cipher && !isEd25519(() => cipher.decrypt(Buffer.from(sealed, "base64")))) problems.push({ kind: "key", key: "error.signingKeyInvalidShared", params: {} });
      }
    } else if (existsSync(signingKey)) {
      if (!isEd25519(() => readFileSync(signingKey))) problems.push({ kind: "key", key: "error.signingKeyInvalid", params: { file: signingKey } });
      const mode = statSync(signingKey).mode & 0o777;
      if (mode & 0o077) problems.push({ kind: "key-mode", file: signingKey, mode: mode.toString(8).padStart(4, "0") });
    }
    const homeMode = openHomeMode(this.home);
    if (homeMode) warnings.push({ kind: "home-mode", dir: this.home, mode: homeMode });
    return { ok: problems.length === 0, integrity: integrityOk ? "ok" : "failed", auditEvents: audit.events, files: files.length, persons: persons.length, problems, warnings };
  }

  /**
   * PostgreSQL's own word on its pages, in SQLite's form (one row "ok", else one row per problem): the checksum
   * failures the server has counted in this database (when the cluster was made with data checksums), and,
   * where an administrator has installed the `amcheck` extension, its check of every B-tree index and table of
   * the register. Without either, a damaged page is found only when a query reads it (SQLSTATE XX001).
   */
  private async postgresIntegrity(): Promise<Array<{ integrity_check: string }>> {
    const out: string[] = [];
    const sums = await this.db.get<{ failures: number | null; last: string | null }>(
      "SELECT checksum_failures AS failures, CAST(checksum_last_failure AS text) AS last FROM pg_stat_database WHERE datname = current_database()",
    );
    if (sums?.failures) out.push(`PostgreSQL: ${sums.failures} checksum failure(s) in this database, the last at ${sums.last ?? "?"}`);
    const amcheck = await this.db.get<{ schema: string }>("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'");
    if (amcheck) {
      const fn = (name: string) => `"${amcheck.schema.replaceAll('"', '""')}".${name}`;
      const indexes = await this.db.all<{ oid: number; name: string }>(
        `SELECT CAST(i.indexrelid AS bigint) AS oid, c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE a.amname = 'btree' AND n.nspname = current_schema() AND i.indisvalid ORDER BY c.relname`,
      );
      // A role without EXECUTE on amcheck's functions (they are the administrator's) checks without them.
      try {
        for (const ix of indexes) {
          try {
            await this.db.get(`SELECT ${fn("bt_index_check")}(CAST(CAST(? AS bigint) AS oid), true)`, [ix.oid]);
          } catch (e) {
            if (e instanceof PrivilegeError) throw e;
            out.push(`PostgreSQL amcheck, index ${ix.name}: ${(e as Error).message}`);
          }
        }
        const heaps = await this.db.all<{ name: string; blkno: number | null; msg: string }>(
          `SELECT c.relname AS name, CAST(v.blkno AS bigint) AS blkno, v.msg FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
             LATERAL ${fn("verify_heapam")}(c.oid) v
           WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname`,
        );
        for (const h of heaps) out.push(`PostgreSQL amcheck, table ${h.name}, page ${h.blkno ?? "?"}: ${h.msg}`);
      } catch (e) {
        if (!(e instanceof PrivilegeError)) throw e;
      }
    }
    return out.length ? out.map((integrity_check) => ({ integrity_check })) : [{ integrity_check: "ok" }];
  }

  /**
   * PostgreSQL enforces foreign keys always, except where an administrator has switched triggers off
   * (`session_replication_role = replica`, `ALTER TABLE … DISABLE TRIGGER ALL`): every foreign key of the
   * register's tables is checked for rows whose parent is missing, as SQLite's foreign_key_check does.
   */
  private async postgresOrphans(): Promise<Array<{ table: string; rowid: number | null; parent: string }>> {
    // Each key with the type of its table's `id` column, if it has one (the row named by it, as SQLite's rowid).
    const keys = await this.db.all<{ child: string; parent: string; columns: string; refs: string; id_type: string | null }>(
      `SELECT quote_ident(cl.relname) AS child, quote_ident(pr.relname) AS parent,
              (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
              (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS refs,
              (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attname = 'id' AND a.attnum > 0 AND NOT a.attisdropped) AS id_type
       FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class pr ON pr.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
       WHERE con.contype = 'f' AND n.nspname = current_schema() ORDER BY cl.relname, con.conname`,
    );
    if (keys.length === 0) return [];
    // Every key's orphans (at most 50 each) in one statement, the keys in the order above; the ids as text
    // (one column for tables whose ids differ in type), given back as the table has them.
    const rows = await this.db.all<{ k: number; rowid: string | null }>(
      keys
        .map((k, n) => {
          const cols = k.columns.split(",");
          const refs = k.refs.split(",");
          return `(SELECT ${n} AS k, ${k.id_type ? "CAST(c.id AS text)" : "CAST(NULL AS text)"} AS rowid FROM ${k.child} c
                    WHERE ${cols.map((c) => `c.${c} IS NOT NULL`).join(" AND ")}
                      AND NOT EXISTS (SELECT 1 FROM ${k.parent} p WHERE ${cols.map((c, i) => `p.${refs[i]} = c.${c}`).join(" AND ")}) LIMIT 50)`;
        })
        .join("\nUNION ALL\n"),
    );
    const unquoted = (name: string) => name.replace(/^"|"$/g, "");
    return rows
      .sort((a, b) => a.k - b.k)
      .map((r) => {
        const k = keys[r.k]!;
        const rowid = r.rowid !== null && INTEGER_TYPES.has(k.id_type ?? "") ? Number(r.rowid) : (r.rowid as number | null);
        return { table: unquoted(k.child), rowid, parent: unquoted(k.parent) };
      });
  }

  // --- retention ---

  async retentionYears(): Promise<number | undefined> {
    const v = Number((await this.repos.settings.get(RETENTION_SETTING)) ?? "");
    return Number.isInteger(v) && v > 0 ? v : undefined;
  }

  /** Sets the retention period in years; call inside `store.write`. */
  async setRetentionYears(years: number): Promise<void> {
    await this.repos.settings.set(RETENTION_SETTING, String(years));
    await this.repos.audit.record("retention.set", null, { years });
  }

  /** The cut-off date from the retention period: cases closed before today minus the period are purged. */
  retentionCutoff(years: number): IsoDate {
    return addMonths(this.clock.today, -12 * years);
  }

  /** What a purge of cases closed before `before` would erase. */
  async purgeCounts(before: IsoDate): Promise<PurgeCounts> {
    const cases = (await this.db.get<{ n: number }>(
      `SELECT count(*) AS n FROM cases c WHERE ${PURGEABLE_CASE}
         AND (EXISTS (SELECT 1 FROM persons p WHERE p.case_id = c.id AND p.purged_at IS NULL)
              OR EXISTS (SELECT 1 FROM documents d JOIN files f ON (f.hash = d.file_hash OR f.hash = d.recognised_hash)
                         WHERE d.case_id = c.id AND ${PURGEABLE_FILE}))`,
      { before },
    ))!;
    const persons = (await this.db.get<{ n: number }>(
      `SELECT count(*) AS n FROM persons p JOIN cases c ON c.id = p.case_id WHERE p.purged_at IS NULL AND ${PURGEABLE_CASE}`,
      { before },
    ))!;
    const files = (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM files f WHERE ${PURGEABLE_FILE}`, { before }))!;
    return { closedBefore: before, cases: cases.n, persons: persons.n, files: files.n };
  }

  /**
   * Erases the personal data of cases closed before `before`: the persons' encrypted fields and keyed hash
   * become NULL (the row stays with `purged_at`), encrypted stored files that belong only to such cases lose
   * their bytes (the row stays, marked). Cases, the diary, statistics and the audit trail stay; the purge is
   * recorded with counts only. One transaction; the file bytes are deleted after it commits, so a purge that
   * is killed is finished by running it again. Then the database is vacuumed and its log emptied, so that the
   * erased values are not left in free pages or in the write-ahead log.
   */
  async purge(before: IsoDate): Promise<PurgeResult> {
    const native = this.db.engine === "sqlite" ? sqliteOnly(this.db, "purge").native : undefined;
    native?.pragma("secure_delete = ON");
    if (!native) {
      // Purging is an administrator's (docs/postgresql.md): a registrar may update persons, but not delete them.
      const may = (await this.db.get<{ role: string; ok: boolean }>("SELECT session_user AS role, has_table_privilege('persons', 'DELETE') AS ok"))!;
      if (!may.ok) throw new PrivilegeError(may.role, "purge needs the privileges of an administrator (DELETE on persons)");
    }
    const counts = await this.db.write(async () => {
      const counts = await this.purgeCounts(before);
      const now = this.clock.now;
      await this.db.run(
        `UPDATE persons SET sealed = NULL, pnr_hash = NULL, purged_at = @now
         WHERE purged_at IS NULL AND case_id IN (SELECT c.id FROM cases c WHERE ${PURGEABLE_CASE})`,
        { before, now },
      );
      await this.db.run(`UPDATE files SET purged_at = @now WHERE hash IN (SELECT f.hash FROM files f WHERE ${PURGEABLE_FILE})`, { before, now });
      if (counts.cases || counts.persons || counts.files) {
        await this.repos.audit.record("purge", null, { closedBefore: before, cases: counts.cases, persons: counts.persons, files: counts.files });
      }
      return counts;
    });
    let erasedFiles = 0;
    const purged = await this.db.all<{ hash: string }>("SELECT hash FROM files WHERE purged_at IS NOT NULL");
    for (const f of purged) if (await this.repos.files.erase(f.hash)) erasedFiles++;
    let walTruncated = true;
    if (counts.persons || counts.files || erasedFiles) {
      if (native) {
        native.exec("VACUUM");
        const r = native.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number; log: number; checkpointed: number }>;
        walTruncated = r[0]?.busy === 0;
      } else walTruncated = await this.rewriteErased();
    }
    return { ...counts, erasedFiles, walTruncated };
  }

  /**
   * PostgreSQL: an UPDATE or DELETE leaves the old row version (the sealed person and its keyed hash in the
   * index; a stored file's encrypted bytes in `file_contents` and its TOAST table) in the table's pages until it
   * is vacuumed, and a plain VACUUM only marks the space free. VACUUM FULL writes each table and its indexes anew
   * and removes the old files, so the erased values leave the tables' files; it needs the table's owner or
   * MAINTAIN and holds the table alone meanwhile (waiting at most 30 s for readers). False when a table could not
   * be rewritten (the next purge does it). What the server keeps elsewhere (WAL not yet recycled, archived WAL,
   * base backups, replicas, freed disk blocks, a snapshot older than the purge) is docs/postgresql.md's.
   */
  private async rewriteErased(): Promise<boolean> {
    const tables = ["persons", "file_contents"];
    const nodes = async () =>
      (await this.db.all<{ node: number }>(`SELECT CAST(pg_relation_filenode(CAST(t AS regclass)) AS bigint) AS node FROM unnest(CAST(? AS text[])) AS t`, [tables])).map((r) => r.node);
    try {
      const before = await nodes();
      await this.db.exec("SET lock_timeout = '30s'");
      await this.db.exec(`VACUUM (FULL) ${tables.join(", ")}`);
      // Without the privilege PostgreSQL only warns and skips: a rewritten table lives in a new file.
      const after = await nodes();
      return after.every((node, i) => node !== before[i]);
    } catch {
      return false;
    } finally {
      await this.db.exec("RESET lock_timeout").catch(() => undefined);
    }
  }

  // --- backup ---

  /**
   * Copies the register to `target` with SQLite's online backup (consistent while others write), then adds
   * every other file of the data directory (stored files, outbox) into the copy's `backup_files` table, so
   * that the backup is one file. The key file is never copied. The copy is made in a temporary file beside
   * the target, created 0600 before SQLite writes its first byte (its journal gets the same mode), synced
   * and renamed: a backup that is killed leaves no half file under the name asked for, and the next run
   * removes what it left (src/store/outputFile.ts). The target was checked to lie outside the data directory.
   */
  async backup(target: OutputFile): Promise<{ file: string; bytes: number; files: number }> {
    const home = resolve(this.home);
    const tmp = target.stagePath();
    try {
      await sqliteOnly(this.db, "backup").native.backup(tmp);
      const copy = new Database(tmp);
      let count = 0;
      try {
        copy.pragma("journal_mode = DELETE");
        copy.exec("DROP TABLE IF EXISTS backup_files; CREATE TABLE backup_files (path TEXT PRIMARY KEY, data BLOB NOT NULL)");
        const insert = copy.prepare("INSERT INTO backup_files (path, data) VALUES (?, ?)");
        copy.transaction(() => {
          for (const path of walk(home)) {
            const r = relative(home, path);
            if (skipInBackup(r)) continue;
            let data: Buffer;
            try {
              data = readFileSync(path);
            } catch {
              continue; // erased or moved meanwhile
            }
            insert.run(r.split(sep).join("/"), data);
            count++;
          }
        })();
        copy.exec("VACUUM");
      } finally {
        copy.close();
      }
      target.commit();
      return { file: target.path, bytes: statSync(target.path).size, files: count };
    } catch (e) {
      target.discard();
      if ((e as { code?: string })?.code?.startsWith("SQLITE_")) throw outputError(Object.assign(new Error(), { code: sqliteErrno(e) }), target.path, "avvik backup");
      throw e;
    }
  }
}

/** The file-system error behind an SQLite error writing the backup (a full disk, a read-only directory). */
function sqliteErrno(e: unknown): string {
  const code = (e as { code?: string }).code ?? "";
  if (code === "SQLITE_FULL") return "ENOSPC";
  if (code === "SQLITE_READONLY" || code === "SQLITE_PERM" || code.startsWith("SQLITE_CANTOPEN")) return "EACCES";
  return code;
}

/** The data directory's permission bits ("0777") when the group or others have any access to it; else null. */
export function openHomeMode(home: string): string | null {
  let mode: number;
  try {
    const st = statSync(home);
    if (!st.isDirectory()) return null;
    mode = st.mode & 0o777;
  } catch {
    return null;
  }
  return mode & 0o077 ? mode.toString(8).padStart(4, "0") : null;
}

/**
 * Makes an existing data directory private (0700) when the group or others have any access to it: it holds
 * the register, the stored files and usually the key. Returns the mode it had, or null when it was private
 * already (or does not exist yet). A directory whose mode cannot be changed (another owner) is refused.
 */
export function tightenHome(home: string): string | null {
  const before = openHomeMode(home);
  if (!before) return null;
  try {
    chmodSync(home, 0o700);
  } catch {
    throw new RefusedError("error.homeModeOpen", { home, mode: before });
  }
  return before;
}

/** SQLite's "the file is damaged / not a database" errors. */
export function isDamaged(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  // PostgreSQL: data_corrupted, index_corrupted.
  return code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB" || code === "XX001" || code === "XX002";
}

/** Cases whose personal data may go: closed before the date (`@before`). */
const PURGEABLE_CASE = "c.status = 'closed' AND c.closed_at IS NOT NULL AND substr(c.closed_at, 1, 10) < @before";

/**
 * Stored files of purgeable cases that no other case uses: the encrypted ones (they may hold personal data),
 * and those delivered to the e-archive by every case that uses them (`archive export`: the archive keeps
 * them now, so the retention plan's date erases the register's copy too). A file that never went into a
 * package and holds no personal data stays.
 */
const PURGEABLE_FILE = `f.purged_at IS NULL
  AND EXISTS (SELECT 1 FROM documents d JOIN cases c ON c.id = d.case_id WHERE (d.file_hash = f.hash OR d.recognised_hash = f.hash) AND ${PURGEABLE_CASE})
  AND NOT EXISTS (SELECT 1 FROM documents d JOIN cases c ON c.id = d.case_id WHERE (d.file_hash = f.hash OR d.recognised_hash = f.hash) AND NOT (${PURGEABLE_CASE}))
  AND (f.encrypted = 1 OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.file_hash = f.hash
         AND NOT EXISTS (SELECT 1 FROM archive_files a WHERE a.file_hash = f.hash AND a.case_id = d.case_id)))`;

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walk(path);
    else if (e.isFile()) yield path;
  }
}

/**
 * Restores a backup made by `backup` into an empty data directory: the database, and the files kept in the
 * backup's `backup_files` table back in their places. Paths that would leave the directory are refused.
 * The key is not in the backup: put the key file back as `<home>/key` (or set AVVIK_KEY_FILE).
 */
export function restoreBackup(file: string, home: string): { home: string; files: number } {
  const source = resolve(file);
  const dir = resolve(home);
  if (!existsSync(source)) throw new FailedError("error.restoreMissing", { file: source });
  if (!statSync(source).isFile()) throw new FailedError("error.restoreSource", { file: source });
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new FailedError("error.homeNotDirectory", { home: dir });
    if (readdirSync(dir).some((name) => name !== "key")) throw new RefusedError("error.restoreTarget", { home: dir });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `${DB_FILE}.restore.tmp`);
  writeFileSync(tmp, readFileSync(source), { mode: 0o600 });
  const written: string[] = [];
  try {
    let db: Database.Database;
    try {
      db = new Database(tmp, { fileMustExist: true });
      const ok = db.pragma("quick_check", { simple: true });
      if (ok !== "ok") throw new Error(String(ok));
      const hasSettings = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get();
      if (!hasSettings || !db.prepare("SELECT 1 FROM settings WHERE key = 'org_id'").get()) throw new Error("no register");
    } catch {
      throw new FailedError("error.restoreSource", { file: source });
    }
    let count = 0;
    try {
      const hasFiles = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_files'").get();
      if (hasFiles) {
        for (const r of db.prepare("SELECT path, data FROM backup_files ORDER BY path").iterate() as IterableIterator<{ path: string; data: Buffer }>) {
          const rel = normalize(String(r.path));
          const target = resolve(dir, rel);
          const inside = relative(dir, target);
          if (!inside || inside.startsWith("..") || isAbsolute(rel) || isAbsolute(inside) || skipInBackup(inside)) {
            throw new FailedError("error.restoreBadPath", { path: String(r.path).slice(0, 200) });
          }
          mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
          writeFileSync(target, r.data, { mode: 0o600, flag: "wx" });
          written.push(target);
          count++;
        }
        db.exec("DROP TABLE backup_files");
        db.exec("VACUUM");
      }
    } finally {
      db.close();
    }
    renameSync(tmp, join(dir, DB_FILE));
    return { home: dir, files: count };
  } catch (e) {
    for (const w of written) rmSync(w, { force: true });
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Whether the PEM that `pem` gives is an Ed25519 private key (false when it cannot be read, opened or parsed). */
function isEd25519(pem: () => Buffer): boolean {
  try {
    return createPrivateKey(pem()).asymmetricKeyType === "ed25519";
  } catch {
    return false;
  }
}
