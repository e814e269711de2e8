// SQL of the CSV bridge: the one transaction that writes an import, and the paged reading of cases for an
// export.
//
// An import reads and checks the file in batches (src/csv/check.ts, in a worker thread for large files) while
// the main thread writes each batch here, inside one immediate transaction held from the first batch to the
// last: all of the file, or (on any error, an invalid row without --skip-invalid, or --dry-run) none of it.
// Nothing between the batches uses this connection, so holding the transaction across them is safe; other
// registrars' writes wait (busy timeout) while an import runs, as they would for any large write.

import BetterSqlite from "better-sqlite3";
import type Database from "better-sqlite3";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Area, Direction, Kind, Severity, Status } from "../core/codes.js";
import type { AuditRepo } from "./audit.js";
import type { CaseRepo } from "./cases.js";
import type { ClassificationRepo } from "./classification.js";
import type { DiaryRepo } from "./diary.js";
import type { OrgRepo } from "./orgs.js";
import type { Clock, HeldTransaction, Keys } from "./sql.js";
import type { Sql } from "./sql.js";
import { sqliteOnly, type SqliteSql } from "./sqlite.js";
import { NewCaseCounts, type StatsRepo } from "./stats.js";
import { caseLabel } from "../core/diaryNumber.js";
import { PgImportWriter } from "./pgImports.js";
import { decideRow, ImportDeadlines, planUpdate, stampColumns, type KnownRef } from "./importRows.js";

/** A case as an export row describes it (normalised: codes, ISO dates, organisation ids). */
export interface CaseFields {
  eventDate: string;
  discoveredDate: string;
  receivedDate: string | null;
  summary: string;
  description: string | null;
  area: Area;
  kind: Kind;
  severity: Severity | null;
  counterpartId: string;
  unitId: string | null;
  status: Status | null;
}

/** A person of an imported row, as stored: number and name sealed together, and the keyed hash of the number (32 bytes). */
export interface SealedPerson {
  sealed: Uint8Array;
  hash: Uint8Array;
}

/** One checked row of an export, ready to write. */
export interface ImportedRow {
  line: number;
  externalId: string;
  fields: CaseFields;
  /** A keyed hash of the row as read: equal to last time means nothing changed there. */
  fingerprint: string;
  persons: SealedPerson[];
  /**
   * False when the reading side found the row unchanged against the register and did not encrypt its persons
   * (`persons` is then empty): such a row may only turn out unchanged or a duplicate, never be written.
   */
  sealed: boolean;
}

/** What became of one row. */
export type RowOutcome =
  | { kind: "created"; caseId: number }
  | { kind: "updated"; caseId: number }
  | { kind: "unchanged"; caseId: number }
  /** The same external id earlier in this file, at `firstLine`. */
  | { kind: "duplicate"; firstLine: number }
  /** The reference belongs to a case of the other direction. */
  | { kind: "direction"; label: string; caseDirection: Direction }
  /** The row changed, but the case is closed in the register: left as it is. */
  | { kind: "closed"; label: string };

export interface ImportOptions {
  system: string;
  direction: Direction;
  diarise: boolean;
}

/**
 * From this many rows expected, an import into a register holding a quarter of that or fewer builds indexes once.
 * Measured at 1,200 rows into an empty register: 0.70–0.96 s of CPU with the indexes built at the end, 0.71–0.93 s
 * kept up row by row (three runs each): no cost at this size, and the gain grows with the file.
 */
export const BULK_FROM_ROWS = 1_000;

/**
 * The secondary indexes a bulk import keeps up as it writes: an update reads a case's persons through
 * `persons_case`; the others only ever grow at their end during an import (its cases' one registration time,
 * increasing case ids, no archive delivery), which costs less than reading the table again to build them.
 */
const KEPT_INDEXES = new Set(["persons_case", "cases_registered", "case_refs_case", "cases_archive_delivery"]);

export interface ApplyResult {
  created: number;
  updated: number;
  unchanged: number;
  diarised: number;
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** Removes staging files that imports before version 8 left behind when they were killed. */
function removeOldStaging(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.import-(\d+)-[0-9a-f]+\.tmp(-journal)?$/.exec(name);
    if (!m) continue;
    let alive = Number(m[1]) === process.pid;
    if (!alive) {
      try {
        process.kill(Number(m[1]), 0);
        alive = true;
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (!alive) rmSync(join(dir, name), { force: true });
  }
}

/**
 * The fingerprints the register holds for external ids of one system, read through a connection of its own
 * (read-only; used by the reading side of an import, in its worker thread). It sees the register as it was
 * before the import's transaction, which is what a row is compared with.
 */
export function openFingerprintLookup(databaseFile: string, system: string): { lookup(ids: readonly string[]): Map<string, string>; close(): void } {
  const db = new BetterSqlite(databaseFile, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 15000");
  const stmt = db.prepare(
    "SELECT r.external_id, r.fingerprint FROM json_each(?) j CROSS JOIN case_refs r ON r.system = ? AND r.external_id = j.value WHERE r.fingerprint IS NOT NULL",
  );
  return {
    lookup(ids) {
      const rows = stmt.all(JSON.stringify(ids), system) as Array<{ external_id: string; fingerprint: string }>;
      return new Map(rows.map((r) => [r.external_id, r.fingerprint]));
    },
    close: () => db.close(),
  };
}

/** The write side of one import, whatever the engine: ImportWriter on SQLite, PgImportWriter (pgImports.ts) on PostgreSQL. */
export interface ImportWriting {
  /** Whether the import builds the secondary indexes once at its end. */
  readonly bulkMode: boolean;
  begin(expectedRows?: number): Promise<void>;
  apply(rows: readonly ImportedRow[]): RowOutcome[] | Promise<RowOutcome[]>;
  commit(summary: Record<string, string | number>): Promise<ApplyResult>;
  rollback(): Promise<ApplyResult>;
}

/**
 * The write side of one import. `begin()` takes the write lock; `apply()` writes a batch of rows and says
 * what became of each; `commit()` adds the new cases to the statistics, records the import in the audit
 * trail and commits; `rollback()` leaves the register as it was. The created cases have consecutive ids
 * (nobody else writes meanwhile), recorded as a range in the one `import` audit event; every case the import
 * changes gets its own `case.update` event.
 */
export class ImportWriter implements ImportWriting {
  /** Marks the rows of this import in case_refs, to recognise an external id repeated in the file. */
  private readonly run = randomBytes(8).toString("hex");
  private before = 0;
  private open = false;
  private triggerSql: string | undefined;
  private readonly result: ApplyResult = { created: 0, updated: 0, unchanged: 0, diarised: 0 };
  private readonly months = new Map<string, number>();
  private readonly deadlines = new ImportDeadlines(this.months);
  /** The new cases' contributions to the monthly aggregates, written once at the end. */
  private readonly counts = new NewCaseCounts();
  /** Bulk mode: secondary indexes set aside until the end (their SQL), foreign keys checked once at the end. */
  private deferred: Array<{ name: string; sql: string }> = [];
  private bulk = false;
  private personsBefore = 0;
  private readonly st: ReturnType<ImportWriter["prepare"]>;
  private readonly updates = new Map<string, Database.Statement>();
  /** The time of the import, the same on every row it writes. */
  private readonly now: string;

  /** The writes that go through the repositories (diary numbers, audit events), in row order, made before COMMIT. */
  private pending: Array<() => Promise<unknown>> = [];
  private tx: HeldTransaction | undefined;

  /** The SQLite connection its rows are written through (PostgreSQL has PgImportWriter). */
  private readonly sqlite: SqliteSql;

  constructor(
    private readonly s: ImportDeps,
    private readonly o: ImportOptions,
  ) {
    this.sqlite = sqliteOnly(s.db, "import");
    this.st = this.prepare();
    this.now = s.clock.now;
  }

  private prepare() {
    const db = this.sqlite.native;
    return {
      lookup: db.prepare(
        `SELECT r.external_id, r.case_id, c.direction, c.status, c.diary_number, r.fingerprint, r.import_run AS run, r.import_line AS line
         FROM json_each(?) j
         CROSS JOIN case_refs r ON r.system = ? AND r.external_id = j.value
         JOIN cases c ON c.id = r.case_id`,
      ),
      // Positional parameters: binding is cheaper than by name, and this runs once per imported case.
      insertCase: db.prepare(
        `INSERT INTO cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, received_date, registered_at,
                            due_date, kind, area, severity, summary, description, sent_at, answered_at, closed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertRef: db.prepare(
        "INSERT INTO case_refs (case_id, system, external_id, fingerprint, imported_at, import_run, import_line) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      insertPerson: db.prepare("INSERT INTO persons (case_id, sealed, pnr_hash) VALUES (?, ?, ?)"),
      personHashes: db.prepare("SELECT pnr_hash FROM persons WHERE case_id = ?").pluck(),
      imported: db.prepare("UPDATE case_refs SET fingerprint = ?, imported_at = ?, import_run = ?, import_line = ? WHERE system = ? AND external_id = ?"),
      seen: db.prepare("UPDATE case_refs SET import_run = ?, import_line = ? WHERE system = ? AND external_id = ?"),
      trigger: db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'cases_stats_insert'").pluck(),
      current: db.prepare(
        `SELECT id, direction, status, diary_number, event_date, discovered_date, received_date, summary, description, area, kind,
                severity, counterpart_id, unit_id FROM cases WHERE id = ?`,
      ),
      maxId: db.prepare("SELECT ifnull(max(id), 0) FROM cases").pluck(),
      maxPersonId: db.prepare("SELECT ifnull(max(id), 0) FROM persons").pluck(),
    };
  }

  /** Whether this import builds the secondary indexes once at its end (see begin). */
  get bulkMode(): boolean {
    return this.bulk;
  }

  /**
   * Takes the write lock and opens the transaction. `expectedRows` (estimated from the file) decides the bulk
   * mode: when the file is large and the register holds at most a quarter as many cases as it brings, keeping every
   * secondary index up row by row costs more than building them once from all the rows, so they are dropped
   * inside the transaction and created again just before it commits (no other connection ever sees the register
   * without them, and a rollback brings them back); the foreign keys of the rows written are then checked once,
   * set-based, instead of per row.
   */
  async begin(expectedRows = 0): Promise<void> {
    removeOldStaging(this.s.home);
    const db = this.sqlite.native;
    // The months to answer in of every organisation, read before: the rows are then written without a wait.
    for (const org of await this.s.orgs.list()) this.months.set(org.id, await this.s.cases.deadlineMonthsFor(org.id));
    const existing = this.st.maxId.get() as number;
    // Small relative to the file: building the indexes reads the register's rows too, so it pays only when they
    // are few beside the file's (an export imported again into the register it filled is no bulk import).
    this.bulk = expectedRows >= BULK_FROM_ROWS && existing * 4 <= expectedRows;
    // Outside a transaction only (SQLite ignores it inside one); set back after the commit or the rollback.
    try {
      this.tx = await this.sqlite.hold(() => {
        if (this.bulk) db.pragma("foreign_keys = OFF");
      });
    } catch (e) {
      if (this.bulk) db.pragma("foreign_keys = ON");
      throw e;
    }
    this.open = true;
    // A large transaction: keep its pages in memory rather than spilling them early (64 MB at most).
    db.pragma("cache_size = -65536");
    this.before = this.st.maxId.get() as number;
    this.personsBefore = this.st.maxPersonId.get() as number;
    // The statistics trigger stands aside while the import writes: the new cases are counted as they are
    // written and added to the monthly aggregates at the end (StatsRepo.addCounts). Dropped and created again
    // inside this transaction, so no other connection ever sees the register without it, and a rollback brings it back.
    this.triggerSql = this.st.trigger.get() as string | undefined;
    if (this.triggerSql) db.exec("DROP TRIGGER cases_stats_insert");
    if (this.bulk) {
      const indexes = db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'case_refs', 'persons') AND sql IS NOT NULL ORDER BY name")
        .all() as Array<{ name: string; sql: string }>;
      this.deferred = indexes.filter((i) => !KEPT_INDEXES.has(i.name));
      for (const i of this.deferred) db.exec(`DROP INDEX "${i.name}"`);
    }
  }

  /** Writes one batch of rows (in file order); the outcome of each, in the same order. */
  apply(rows: readonly ImportedRow[]): RowOutcome[] {
    if (!this.open) throw new Error("import transaction not open");
    const known = new Map<string, KnownRef>();
    const found = this.st.lookup.all(JSON.stringify(rows.map((r) => r.externalId)), this.o.system) as Array<{
      external_id: string;
      case_id: number;
      direction: Direction;
      status: Status;
      diary_number: string | null;
      fingerprint: string | null;
      run: string | null;
      line: number | null;
    }>;
    for (const r of found) {
      known.set(r.external_id, { caseId: r.case_id, direction: r.direction, status: r.status, label: caseLabel(r.diary_number, r.case_id), fingerprint: r.fingerprint, run: r.run, line: r.line });
    }
    // Ids of this batch already written (the lookup above was made before them).
    const inBatch = new Map<string, number>();
    const outcomes = rows.map((row): RowOutcome => {
      const d = decideRow(row, known.get(row.externalId), inBatch, this.run, this.o.direction);
      if (d.step === "skip") return d.outcome;
      if (d.step === "create") return this.create(row);
      if (d.step === "update") return this.update(row, d.known);
      this.st.seen.run(this.run, row.line, this.o.system, row.externalId);
      this.result.unchanged++;
      return d.outcome;
    });
    return outcomes;
  }

  /**
   * Adds the new cases to the statistics, builds the indexes set aside (bulk mode) and checks the rows' foreign
   * keys, records the import and commits.
   */
  async commit(summary: Record<string, string | number>): Promise<ApplyResult> {
    const db = this.sqlite.native;
    try {
      const created = this.result.created > 0 ? { firstCase: this.before + 1, lastCase: this.st.maxId.get() as number } : {};
      await this.tx!.run(async () => {
        for (const write of this.pending) await write();
        this.pending = [];
        await this.s.stats.addCounts(this.counts);
        if (this.triggerSql) db.exec(this.triggerSql);
        if (this.deferred.length) {
          // Memory cap: each index is sorted in runs of at most 32 MB spilled to a temporary file of SQLite's
          // (deleted as it is opened; index keys only: codes, dates, keyed hashes, never personal data in clear)
          // instead of wholly in memory; set back after the commit or the rollback.
          db.pragma("temp_store = FILE");
          db.pragma("cache_size = -32768");
          for (const i of this.deferred) db.exec(i.sql);
        }
        if (this.bulk) this.checkForeignKeys();
        await this.s.audit.record("import", null, {
          system: this.o.system,
          ...summary,
          created: this.result.created,
          updated: this.result.updated,
          unchanged: this.result.unchanged,
          ...created,
          ...(this.bulk ? { indexesBuiltAtEnd: true } : {}),
        });
      });
      this.open = false;
      await this.tx!.commit();
    } finally {
      this.restore();
    }
    return { ...this.result };
  }

  /** What would have been done, and nothing of it. */
  async rollback(): Promise<ApplyResult> {
    this.pending = [];
    if (this.open) await this.tx?.rollback();
    this.open = false;
    this.restore();
    return { ...this.result };
  }

  private restore(): void {
    if (this.bulk && !this.sqlite.native.inTransaction) {
      this.sqlite.native.pragma("foreign_keys = ON");
      this.sqlite.native.pragma("temp_store = MEMORY");
      this.bulk = false;
    }
  }

  /**
   * The foreign keys of what a bulk import wrote, checked once for all its rows (the per-row checks were off): the
   * new cases' organisations, and the cases of the references and persons written. A violation is a fault of the
   * import itself: it fails, and the caller rolls everything back.
   */
  private checkForeignKeys(): void {
    const db = this.sqlite.native;
    const bad =
      (db
        .prepare(
          `SELECT count(*) FROM cases c WHERE c.id > ? AND (NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = c.counterpart_id)
             OR (c.unit_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = c.unit_id)))`,
        )
        .pluck()
        .get(this.before) as number) +
      (db.prepare("SELECT count(*) FROM case_refs r WHERE r.case_id > ? AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)").pluck().get(this.before) as number) +
      (db.prepare("SELECT count(*) FROM persons p WHERE p.id > ? AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = p.case_id)").pluck().get(this.personsBefore) as number);
    if (bad > 0) throw new Error(`import: ${bad} rows written would break the register's foreign keys`);
  }

  /** The one writer of the audit chain (src/store/audit.ts) appends it, inside the import's transaction. */
  private audit(action: string, caseId: number, details: Record<string, unknown>): void {
    this.pending.push(() => this.s.audit.record(action, caseId, details));
  }

  private diarise(caseId: number): void {
    this.pending.push(() => this.s.diary.diarise(caseId));
    this.result.diarised++;
  }

  /** Adds the persons not yet known (`known`: their hashes' bytes as latin1 strings). */
  private addPersons(caseId: number, persons: readonly SealedPerson[], known: Set<string>): number {
    let added = 0;
    for (const p of persons) {
      const hash = asBuffer(p.hash);
      const key = hash.toString("latin1");
      if (known.has(key)) continue;
      known.add(key);
      this.st.insertPerson.run(caseId, asBuffer(p.sealed), hash);
      added++;
    }
    return added;
  }

  private create(row: ImportedRow): RowOutcome {
    const f = row.fields;
    const status = f.status ?? "registered";
    const direction = this.o.direction;
    const st = stampColumns(direction, status, this.now);
    const due = this.deadlines.due(f);
    const caseId = Number(
      this.st.insertCase.run(
        direction,
        status,
        f.counterpartId,
        f.unitId,
        f.eventDate,
        f.discoveredDate,
        f.receivedDate,
        this.now,
        due,
        f.kind,
        f.area,
        f.severity,
        f.summary,
        f.description,
        st.sent_at,
        st.answered_at,
        st.closed_at,
        this.now,
      ).lastInsertRowid,
    );
    this.counts.add({
      registeredAt: this.now,
      direction,
      area: f.area,
      kind: f.kind,
      severity: f.severity,
      counterpartId: f.counterpartId,
      unitId: f.unitId,
      discoveredDate: f.discoveredDate,
      dueDate: due,
      answeredAt: st.answered_at,
    });
    this.st.insertRef.run(caseId, this.o.system, row.externalId, row.fingerprint, this.now, this.run, row.line);
    if (row.persons.length) this.addPersons(caseId, row.persons, new Set());
    this.result.created++;
    if (this.o.diarise) this.diarise(caseId);
    return { kind: "created", caseId };
  }

  private update(row: ImportedRow, k: KnownRef): RowOutcome {
    const f = row.fields;
    const caseId = k.caseId;
    const cur = this.st.current.get(caseId) as Record<string, string | null> & { diary_number: string | null; direction: Direction; status: Status };
    const { sets, params, changed, statusChange } = planUpdate(f, cur, cur.direction, cur.status, this.deadlines, this.now);
    if (sets.length) {
      const sql = `UPDATE cases SET ${sets.join(", ")}, updated_at = @now WHERE id = @id`;
      let stmt = this.updates.get(sql);
      if (!stmt) this.updates.set(sql, (stmt = this.sqlite.native.prepare(sql)));
      stmt.run({ ...params, id: caseId, now: this.now });
    }
    const added = this.addPersons(caseId, row.persons, new Set((this.st.personHashes.all(caseId) as Array<Buffer | null>).map((h) => (h ? h.toString("latin1") : ""))));
    if (added) changed.push("persons");
    this.st.imported.run(row.fingerprint, this.now, this.run, row.line, this.o.system, row.externalId);
    let outcome: RowOutcome;
    if (changed.length) {
      this.audit("case.update", caseId, { source: "import", ref: `${this.o.system}:${row.externalId}`, fields: changed, ...(statusChange ? { status: statusChange } : {}) });
      this.result.updated++;
      outcome = { kind: "updated", caseId };
    } else {
      this.result.unchanged++;
      outcome = { kind: "unchanged", caseId };
    }
    if (this.o.diarise && cur.diary_number === null) this.diarise(caseId);
    return outcome;
  }
}

export interface ExportCase {
  id: number;
  diaryNumber: string | null;
  refs: string[];
  direction: Direction;
  status: Status;
  counterpartId: string;
  counterpartName: string;
  unitId: string | null;
  unitName: string | null;
  eventDate: string;
  discoveredDate: string;
  receivedDate: string | null;
  registeredAt: string;
  dueDate: string;
  kind: Kind;
  area: Area;
  severity: Severity | null;
  /** Risk assessment (1–4 each), null when not assessed. */
  probability: number | null;
  consequence: number | null;
  /** The matter's classification code, else the organisation's default. */
  classification: string | null;
  summary: string;
  description: string | null;
  causes: string | null;
  actions: string | null;
  followUp: string | null;
  answeredAt: string | null;
  closedAt: string | null;
  /** Twelve digits each, decrypted: the caller masks or pseudonymises them. */
  persons: string[];
}

/**
 * What an import writes through: the SQLite connection (its rows are written synchronously, the hot loop),
 * and the repositories whose writes it queues in row order and makes before it commits.
 */
export interface ImportDeps {
  db: Sql;
  clock: Clock;
  keys: Keys;
  home: string;
  audit: AuditRepo;
  diary: DiaryRepo;
  stats: StatsRepo;
  classification: ClassificationRepo;
  orgs: OrgRepo;
  cases: CaseRepo;
}

export class ImportRepo {
  constructor(private readonly s: ImportDeps) {}

  /** The write side of one import (see ImportWriter, PgImportWriter); call `begin()` on it. */
  writer(o: ImportOptions): ImportWriting {
    return this.s.db.engine === "postgres" ? new PgImportWriter(this.s, o) : new ImportWriter(this.s, o);
  }

  /**
   * Cases for an export, in id order, one page at a time (memory stays flat): registered between `from` and
   * `to` (dates, inclusive), with their references and their persons' numbers decrypted for the caller to mask.
   */
  async exportPage(filter: { from?: string; to?: string }, afterId: number, limit: number): Promise<ExportCase[]> {
    const where = ["c.id > @after"];
    if (filter.from) where.push("substr(c.registered_at, 1, 10) >= @from");
    if (filter.to) where.push("substr(c.registered_at, 1, 10) <= @to");
    const rows = await this.s.db.all<Record<string, any>>(
      `SELECT c.*, o.name AS counterpart_name, u.name AS unit_name, COALESCE(c.classification, @classification) AS class_code FROM cases c
       JOIN orgs o ON o.id = c.counterpart_id LEFT JOIN orgs u ON u.id = c.unit_id
       WHERE ${where.join(" AND ")} ORDER BY c.id LIMIT @limit`,
      { after: afterId, from: filter.from ?? null, to: filter.to ?? null, limit, classification: await this.s.classification.defaultCode() },
    );
    if (rows.length === 0) return [];
    const first = rows[0]!.id as number;
    const last = rows[rows.length - 1]!.id as number;
    const refs = new Map<number, string[]>();
    for (const r of await this.s.db.all<{ case_id: number; system: string; external_id: string }>(
      "SELECT case_id, system, external_id FROM case_refs WHERE case_id BETWEEN ? AND ? ORDER BY case_id, system, external_id",
      [first, last],
    )) {
      const list = refs.get(r.case_id) ?? [];
      list.push(`${r.system}:${r.external_id}`);
      refs.set(r.case_id, list);
    }
    const persons = new Map<number, string[]>();
    const personRows = await this.s.db.all<{ case_id: number; sealed: Buffer }>(
      "SELECT case_id, sealed FROM persons WHERE case_id BETWEEN ? AND ? AND sealed IS NOT NULL ORDER BY case_id, id",
      [first, last],
    );
    const cipher = personRows.length ? await this.s.keys() : undefined;
    for (const r of personRows) {
      const list = persons.get(r.case_id) ?? [];
      list.push(cipher!.openPerson(r.sealed).digits);
      persons.set(r.case_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      diaryNumber: r.diary_number,
      refs: refs.get(r.id) ?? [],
      direction: r.direction,
      status: r.status,
      counterpartId: r.counterpart_id,
      counterpartName: r.counterpart_name,
      unitId: r.unit_id,
      unitName: r.unit_name,
      eventDate: r.event_date,
      discoveredDate: r.discovered_date,
      receivedDate: r.received_date,
      registeredAt: r.registered_at,
      dueDate: r.due_date,
      kind: r.kind,
      area: r.area,
      severity: r.severity,
      probability: r.risk_probability,
      consequence: r.risk_consequence,
      classification: r.class_code,
      summary: r.summary,
      description: r.description,
      causes: r.causes,
      actions: r.actions,
      followUp: r.follow_up,
      answeredAt: r.answered_at,
      closedAt: r.closed_at,
      persons: persons.get(r.id) ?? [],
    }));
  }
}
