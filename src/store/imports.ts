// SQL of the CSV bridge: the staging file of an import, the one transaction that applies it, and the
// paged reading of cases for an export.
//
// An import runs in two phases. The first (asynchronous, streaming) reads and checks every row and puts the
// valid ones, already normalised and with personnummer encrypted, into a staging database: a separate SQLite
// file in the data directory that holds no clear personal data and is removed afterwards. The second phase is
// synchronous: one immediate transaction on the register reads the staging file row by row (another
// connection, so the two never block each other) and creates or updates the cases. No transaction is ever
// held across an `await`, memory stays flat, and the import is all or nothing.

import Database from "better-sqlite3";
import { statusesOf } from "../core/workflow.js";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Area, Direction, Kind, Severity, Status } from "../core/codes.js";
import { dueDate } from "../core/deadline.js";
import { GENESIS_HASH, eventHash } from "./audit.js";
import type { Store } from "./store.js";

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

const FIELD_COLUMNS: Array<[keyof CaseFields, string]> = [
  ["eventDate", "event_date"],
  ["discoveredDate", "discovered_date"],
  ["receivedDate", "received_date"],
  ["summary", "summary"],
  ["description", "description"],
  ["area", "area"],
  ["kind", "kind"],
  ["severity", "severity"],
  ["counterpartId", "counterpart_id"],
  ["unitId", "unit_id"],
];

export interface StagedPerson {
  digits: string;
  name: string | null;
}

export interface KnownRef {
  caseId: number;
  direction: Direction;
  status: Status;
  label: string;
  fingerprint: string | null;
}

export interface ApplyOptions {
  system: string;
  direction: Direction;
  diarise: boolean;
  dryRun: boolean;
  /** Called every few thousand rows with the number applied so far (progress). */
  onProgress?: (applied: number) => void;
  /** Recorded in the audit event of the import (no personal data: file name and counts). */
  summary: Record<string, string | number>;
}

export interface ApplyResult {
  created: number;
  updated: number;
  unchanged: number;
  diarised: number;
}

interface StagingRow {
  line: number;
  external_id: string;
  case_id: number | null;
  fingerprint: string;
  data: string | null;
  persons: string | null;
}

/** The rows of one import between its two phases. */
export class Staging {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly firstLine: Database.Statement;
  private open = true;

  constructor(dir: string) {
    this.file = join(dir, `.import-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    this.db = new Database(this.file);
    this.db.pragma("journal_mode = OFF");
    this.db.pragma("synchronous = OFF");
    this.db.exec(`CREATE TABLE rows (
      line INTEGER NOT NULL, external_id TEXT NOT NULL UNIQUE, case_id INTEGER, fingerprint TEXT NOT NULL,
      data TEXT, persons TEXT)`);
    this.insert = this.db.prepare("INSERT OR IGNORE INTO rows (line, external_id, case_id, fingerprint, data, persons) VALUES (?, ?, ?, ?, ?, ?)");
    this.firstLine = this.db.prepare("SELECT line FROM rows WHERE external_id = ?").pluck();
  }

  /**
   * Stages one checked row; `fields` null means there is nothing to apply (unchanged). Returns the line of an
   * earlier row with the same external id (a duplicate in the file), else 0.
   */
  add(line: number, externalId: string, caseId: number | null, fingerprint: string, fields: CaseFields | null, persons: string | null): number {
    const r = this.insert.run(line, externalId, caseId, fingerprint, fields ? JSON.stringify(fields) : null, persons);
    if (r.changes === 1) return 0;
    return this.firstLine.get(externalId) as number;
  }

  /** Runs `fn` in one transaction of the staging file (batches of rows). */
  batch(fn: () => void): void {
    this.db.transaction(fn)();
  }

  *rows(): IterableIterator<StagingRow> {
    yield* this.db.prepare("SELECT * FROM rows WHERE data IS NOT NULL ORDER BY rowid").iterate() as IterableIterator<StagingRow>;
  }

  count(): number {
    return this.db.prepare("SELECT count(*) FROM rows WHERE data IS NOT NULL").pluck().get() as number;
  }

  remove(): void {
    if (this.open) this.db.close();
    this.open = false;
    rmSync(this.file, { force: true });
  }
}

/** Removes staging files left by imports that were killed (their process is gone). */
function removeStaleStaging(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.import-(\d+)-[0-9a-f]+\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (!alive) rmSync(join(dir, name), { force: true });
  }
}

class DryRunDone extends Error {
  constructor(readonly result: ApplyResult) {
    super("dry run");
  }
}

/** The persons of a staged row: the encrypted number and name and the keyed hash of the number. */
interface SealedPerson {
  p: string;
  n: string | null;
  h: string;
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

export class ImportRepo {
  private lookupStmt: Database.Statement | undefined;
  private fingerprintSalt: string | undefined;

  constructor(private readonly s: Store) {}

  /**
   * The cases that external references already belong to (one query for a batch of ids), with what was
   * imported for each last time.
   */
  lookup(system: string, externalIds: readonly string[]): Map<string, KnownRef> {
    this.lookupStmt ??= this.s.db.prepare(
      `SELECT r.external_id, r.case_id, c.direction, c.status, c.diary_number, i.fingerprint
       FROM json_each(?) j
       CROSS JOIN case_refs r ON r.system = ? AND r.external_id = j.value
       JOIN cases c ON c.id = r.case_id
       LEFT JOIN import_rows i ON i.system = r.system AND i.external_id = r.external_id`,
    );
    const map = new Map<string, KnownRef>();
    const rows = this.lookupStmt.all(JSON.stringify(externalIds), system) as Array<{
      external_id: string;
      case_id: number;
      direction: Direction;
      status: Status;
      diary_number: string | null;
      fingerprint: string | null;
    }>;
    for (const r of rows) {
      map.set(r.external_id, { caseId: r.case_id, direction: r.direction, status: r.status, label: r.diary_number ?? `#${r.case_id}`, fingerprint: r.fingerprint });
    }
    return map;
  }

  /**
   * A keyed hash of a row as read: equal rows give equal fingerprints, and nothing can be learnt from it
   * without the key (SHA-256 over a secret derived from the register's key, then the row).
   */
  fingerprint(fields: CaseFields, persons: readonly StagedPerson[]): string {
    this.fingerprintSalt ??= this.s.cipher.hash("row fingerprint", "import");
    return createHash("sha256").update(this.fingerprintSalt).update(JSON.stringify([fields, persons])).digest("base64").slice(0, 32);
  }

  /** Encrypts the persons of a row for the staging file. */
  seal(persons: readonly StagedPerson[]): string | null {
    if (persons.length === 0) return null;
    const c = this.s.cipher;
    const sealed: SealedPerson[] = persons.map((p) => ({
      p: c.encrypt(p.digits).toString("base64"),
      n: p.name ? c.encrypt(p.name).toString("base64") : null,
      h: c.hash(p.digits),
    }));
    return JSON.stringify(sealed);
  }

  openStaging(): Staging {
    removeStaleStaging(this.s.home);
    return new Staging(this.s.home);
  }

  /**
   * Applies the staged rows in one immediate transaction: all of them, or (on any error, or with `dryRun`)
   * none. Every created or changed case gets an audit event marked as coming from the import.
   */
  apply(staging: Staging, o: ApplyOptions): ApplyResult {
    try {
      return this.s.write(() => {
        const result = this.applyRows(staging, o);
        this.s.audit.record("import", null, { system: o.system, ...o.summary, created: result.created, updated: result.updated, unchanged: result.unchanged });
        if (o.dryRun) throw new DryRunDone(result);
        return result;
      });
    } catch (e) {
      if (e instanceof DryRunDone) return e.result;
      throw e;
    }
  }

  private applyRows(staging: Staging, o: ApplyOptions): ApplyResult {
    const db = this.s.db;
    // A large transaction: keep its pages in memory rather than spilling them early (64 MB at most).
    db.pragma("cache_size = -65536");
    const now = this.s.now;
    const user = this.s.actor.user;
    const lastAudit = db.prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
    const insertAudit = db.prepare("INSERT INTO audit (id, at, user, action, case_id, details, prev_hash, hash) VALUES (@id, @at, @user, @action, @case_id, @details, @prev_hash, @hash)");
    // The hash chain continues from the last event; re-read after anything else has recorded events (diarise).
    let last: { id: number; hash: string } | undefined;
    const audit = (action: string, caseId: number, details: Record<string, unknown>) => {
      last ??= (lastAudit.get() as { id: number; hash: string } | undefined) ?? { id: 0, hash: GENESIS_HASH };
      const row = { id: last.id + 1, at: now, user, action, case_id: caseId, details: JSON.stringify(details) };
      const hash = eventHash(last.hash, row);
      insertAudit.run({ ...row, prev_hash: last.hash, hash });
      last = { id: row.id, hash };
    };
    const insertCase = db.prepare(
      `INSERT INTO cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, received_date, registered_at,
                          due_date, kind, area, severity, summary, description, sent_at, answered_at, closed_at, updated_at)
       VALUES (@direction, @status, @counterpart_id, @unit_id, @event_date, @discovered_date, @received_date, @now, @due_date,
               @kind, @area, @severity, @summary, @description, @sent_at, @answered_at, @closed_at, @now)`,
    );
    const insertRef = db.prepare("INSERT INTO case_refs (case_id, system, external_id) VALUES (?, ?, ?)");
    const insertPerson = db.prepare("INSERT INTO persons (case_id, pnr_enc, name_enc, pnr_hash) VALUES (?, ?, ?, ?)");
    const personHashes = db.prepare("SELECT pnr_hash FROM persons WHERE case_id = ?").pluck();
    const upsertImport = db.prepare(
      `INSERT INTO import_rows (system, external_id, case_id, fingerprint, imported_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (system, external_id) DO UPDATE SET case_id = excluded.case_id, fingerprint = excluded.fingerprint, imported_at = excluded.imported_at`,
    );
    const current = db.prepare(
      `SELECT id, direction, status, diary_number, event_date, discovered_date, received_date, summary, description, area, kind,
              severity, counterpart_id, unit_id FROM cases WHERE id = ?`,
    );
    const updates = new Map<string, Database.Statement>();
    const months = new Map<string, number>();
    const due = (f: CaseFields) => {
      let m = months.get(f.counterpartId);
      if (m === undefined) {
        m = this.s.cases.deadlineMonthsFor(f.counterpartId);
        months.set(f.counterpartId, m);
      }
      return dueDate(f.discoveredDate, m);
    };
    const stamps = (direction: Direction, status: Status) => {
      const answered = status === "answered" || status === "followed_up" || status === "closed";
      return {
        sent_at: direction === "out" && status !== "registered" ? now : null,
        answered_at: answered ? now : null,
        closed_at: status === "closed" ? now : null,
      };
    };
    const addPersons = (caseId: number, sealed: string | null, known: Set<string>): number => {
      if (!sealed) return 0;
      let added = 0;
      for (const p of JSON.parse(sealed) as SealedPerson[]) {
        if (known.has(p.h)) continue;
        known.add(p.h);
        insertPerson.run(caseId, Buffer.from(p.p, "base64"), p.n ? Buffer.from(p.n, "base64") : null, p.h);
        added++;
      }
      return added;
    };

    const result: ApplyResult = { created: 0, updated: 0, unchanged: 0, diarised: 0 };
    let applied = 0;
    for (const r of staging.rows()) {
      const f = JSON.parse(r.data!) as CaseFields;
      let caseId: number;
      if (r.case_id === null) {
        const status = f.status ?? "registered";
        const direction = o.direction;
        const dueDateValue = due(f);
        caseId = Number(
          insertCase.run({
            direction,
            status,
            counterpart_id: f.counterpartId,
            unit_id: f.unitId,
            event_date: f.eventDate,
            discovered_date: f.discoveredDate,
            received_date: f.receivedDate,
            now,
            due_date: dueDateValue,
            kind: f.kind,
            area: f.area,
            severity: f.severity,
            summary: f.summary,
            description: f.description,
            ...stamps(direction, status),
          }).lastInsertRowid,
        );
        insertRef.run(caseId, o.system, r.external_id);
        const persons = addPersons(caseId, r.persons, new Set());
        audit("case.import", caseId, { ref: `${o.system}:${r.external_id}`, direction, counterpart: f.counterpartId, status, dueDate: dueDateValue, persons });
        result.created++;
        if (o.diarise) {
          this.s.cases.diarise(caseId);
          last = undefined;
          result.diarised++;
        }
      } else {
        caseId = r.case_id;
        const cur = current.get(caseId) as Record<string, string | null> & { id: number; diary_number: string | null; direction: Direction; status: Status };
        const sets: string[] = [];
        const params: Record<string, unknown> = { id: caseId, now };
        const changed: string[] = [];
        for (const [key, col] of FIELD_COLUMNS) {
          const value = f[key];
          // An empty cell never erases what the register holds.
          if (value === null || value === cur[col]) continue;
          sets.push(`${col} = @${col}`);
          params[col] = value;
          changed.push(key);
        }
        if (changed.includes("discoveredDate") || changed.includes("counterpartId")) {
          sets.push("due_date = @due_date");
          params.due_date = due(f);
        }
        // The export may move a case forward along its workflow, never back: what the register has already
        // recorded (sent, answered, followed up) stays, whatever an older state in the other system says.
        const order = statusesOf(cur.direction);
        const forward = f.status !== undefined && f.status !== null && order.indexOf(f.status) > order.indexOf(cur.status);
        const statusChange = forward ? { from: cur.status, to: f.status! } : null;
        if (statusChange) {
          const st = stamps(cur.direction, f.status!);
          sets.push("status = @status");
          params.status = f.status;
          for (const [col, v] of Object.entries(st)) {
            if (v === null) continue;
            sets.push(`${col} = COALESCE(${col}, @${col})`);
            params[col] = v;
          }
          changed.push("status");
        }
        if (sets.length) {
          const sql = `UPDATE cases SET ${sets.join(", ")}, updated_at = @now WHERE id = @id`;
          let stmt = updates.get(sql);
          if (!stmt) updates.set(sql, (stmt = db.prepare(sql)));
          stmt.run(params);
        }
        const added = addPersons(caseId, r.persons, new Set(personHashes.all(caseId) as string[]));
        if (added) changed.push("persons");
        if (changed.length) {
          audit("case.update", caseId, { source: "import", ref: `${o.system}:${r.external_id}`, fields: changed, ...(statusChange ? { status: statusChange } : {}) });
          result.updated++;
        } else {
          result.unchanged++;
        }
        if (o.diarise && cur.diary_number === null) {
          this.s.cases.diarise(caseId);
          last = undefined;
          result.diarised++;
        }
      }
      upsertImport.run(o.system, r.external_id, caseId, r.fingerprint, now);
      if (++applied % 5000 === 0) o.onProgress?.(applied);
    }
    o.onProgress?.(applied);
    return result;
  }

  /**
   * Cases for an export, in id order, one page at a time (memory stays flat): registered between `from` and
   * `to` (dates, inclusive), with their references and their persons' numbers decrypted for the caller to mask.
   */
  exportPage(filter: { from?: string; to?: string }, afterId: number, limit: number): ExportCase[] {
    const where = ["c.id > @after"];
    if (filter.from) where.push("substr(c.registered_at, 1, 10) >= @from");
    if (filter.to) where.push("substr(c.registered_at, 1, 10) <= @to");
    const rows = this.s.db
      .prepare(
        `SELECT c.*, o.name AS counterpart_name, u.name AS unit_name FROM cases c
         JOIN orgs o ON o.id = c.counterpart_id LEFT JOIN orgs u ON u.id = c.unit_id
         WHERE ${where.join(" AND ")} ORDER BY c.id LIMIT @limit`,
      )
      .all({ after: afterId, from: filter.from ?? null, to: filter.to ?? null, limit }) as Array<Record<string, any>>;
    if (rows.length === 0) return [];
    const first = rows[0]!.id as number;
    const last = rows[rows.length - 1]!.id as number;
    const refs = new Map<number, string[]>();
    for (const r of this.s.db.prepare("SELECT case_id, system, external_id FROM case_refs WHERE case_id BETWEEN ? AND ? ORDER BY case_id, system, external_id").all(first, last) as Array<{ case_id: number; system: string; external_id: string }>) {
      const list = refs.get(r.case_id) ?? [];
      list.push(`${r.system}:${r.external_id}`);
      refs.set(r.case_id, list);
    }
    const persons = new Map<number, string[]>();
    for (const r of this.s.db.prepare("SELECT case_id, pnr_enc FROM persons WHERE case_id BETWEEN ? AND ? AND pnr_enc IS NOT NULL ORDER BY case_id, id").all(first, last) as Array<{ case_id: number; pnr_enc: Buffer }>) {
      const list = persons.get(r.case_id) ?? [];
      list.push(this.s.cipher.decryptText(r.pnr_enc));
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
