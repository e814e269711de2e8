// The write side of a CSV import on PostgreSQL: the same rules as ImportWriter (src/store/imports.ts), written
// set-based. Every batch of checked rows is decided in one read (which external ids the register knows, with
// their cases), then written by `COPY … FROM STDIN` (pg-copy-streams, the text format generated here): the new
// cases, their references and persons straight into the register's tables, and what the batch says of the rows
// the register knows (unchanged, or imported again) into a temporary staging table, from which one UPDATE …
// FROM marks their references. Everything inside one transaction held from `begin()` to `commit()` (the
// register's write lock: other writers wait, readers read the register as it was), all or nothing.
//
// The new cases are counted in the statistics by the statement-level trigger of `cases` (one grouped upsert per
// COPY, src/store/migrations/postgres/baseline.ts); their ids (and the persons') are chosen here, max(id) + 1
// onwards, as SQLite gives them: nobody else writes meanwhile. The changed cases of a batch are updated in one
// statement for each set of columns they change (an UPDATE … FROM unnest(…) of their new values), and each
// gets its own `case.update` audit event; diary numbers and audit events go through their repositories, in
// row order, just before the commit, the events between two diary numbers appended together
// (AuditRepo.recordAll).

import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PrivilegeError } from "../core/errors.js";
import type { Direction, Status } from "../core/codes.js";
import { caseLabel } from "../core/diaryNumber.js";
import { decideRow, ImportDeadlines, planUpdate, stampColumns, type KnownRef } from "./importRows.js";
import type { ApplyResult, ImportDeps, ImportedRow, ImportOptions, ImportWriting, RowOutcome, SealedPerson } from "./imports.js";
import type { from as CopyFrom } from "pg-copy-streams";
import type { PostgresSql } from "./postgres.js";
import { assertAdministrator } from "./roles.js";
import type { HeldTransaction } from "./sql.js";

const CASE_COLUMNS =
  "id, direction, status, counterpart_id, unit_id, event_date, discovered_date, received_date, registered_at, due_date, kind, area, severity, summary, description, sent_at, answered_at, closed_at, updated_at";

/** The staging table of the references a batch marks (ON COMMIT DROP: it ends with the transaction, either way). */
const SEEN = "avvik_import_seen";

interface Known extends KnownRef {
  /** The case's current fields, as an update compares them. */
  current: Record<string, string | null>;
}

/** A changed case's update: its SET clauses (planUpdate's, `@name` for each value) and their values. */
interface CaseUpdate {
  id: number;
  sets: string[];
  params: Record<string, unknown>;
}

/** What the commit writes, in row order: a case's audit event, or its diary number. */
type Pending = { event: { action: string; caseId: number; details: Record<string, unknown> } } | { diarise: number };

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A value in COPY's text format: NULL as \N, the delimiter, line breaks and backslashes escaped. */
function cell(v: string | number | null): string {
  if (v === null) return "\\N";
  if (typeof v === "number") return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
}

/** A bytea value in COPY's text format: the hex form, its backslash escaped. */
function bytes(u: Uint8Array): string {
  return `\\\\x${Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("hex")}`;
}

/** One COPY's rows being built: lines of tab-separated cells. */
class CopyText {
  private parts: string[] = [];
  rows = 0;

  add(cells: string[]): void {
    this.parts.push(cells.join("\t"), "\n");
    this.rows++;
  }

  take(): string {
    const text = this.parts.join("");
    this.parts = [];
    this.rows = 0;
    return text;
  }
}

export class PgImportWriter implements ImportWriting {
  /** Marks the rows of this import in case_refs, to recognise an external id repeated in the file. */
  private readonly run = randomBytes(8).toString("hex");
  private readonly pg: PostgresSql;
  private tx: HeldTransaction | undefined;
  private open = false;
  private before = 0;
  private lastCase = 0;
  private lastPerson = 0;
  private readonly result: ApplyResult = { created: 0, updated: 0, unchanged: 0, diarised: 0 };
  private readonly months = new Map<string, number>();
  private readonly deadlines = new ImportDeadlines(this.months);
  private pending: Pending[] = [];
  private readonly now: string;
  private copyFrom: typeof CopyFrom | undefined;

  private readonly cases = new CopyText();
  private readonly refs = new CopyText();
  private readonly persons = new CopyText();
  private readonly seen = new CopyText();

  constructor(
    private readonly s: ImportDeps,
    private readonly o: ImportOptions,
  ) {
    if (s.db.engine !== "postgres") throw new Error("PgImportWriter on an SQLite register");
    this.pg = s.db as PostgresSql;
    this.now = s.clock.now;
  }

  /** PostgreSQL keeps every index up itself: nothing is built at the end. */
  get bulkMode(): boolean {
    return false;
  }

  /** Refuses a role that is not an administrator, takes the write lock and opens the transaction. */
  async begin(): Promise<void> {
    await assertAdministrator(this.s.db);
    this.copyFrom = (await import("pg-copy-streams")).from;
    for (const org of await this.s.orgs.list()) this.months.set(org.id, await this.s.cases.deadlineMonthsFor(org.id));
    this.tx = await this.s.db.hold();
    this.open = true;
    try {
      await this.tx.run(async () => {
        this.before = this.lastCase = (await this.s.db.get<{ n: number }>("SELECT COALESCE(max(id), 0) AS n FROM cases"))!.n;
        this.lastPerson = (await this.s.db.get<{ n: number }>("SELECT COALESCE(max(id), 0) AS n FROM persons"))!.n;
        await this.s.db.exec(`CREATE TEMPORARY TABLE ${SEEN} (external_id TEXT NOT NULL, line BIGINT NOT NULL, fingerprint TEXT) ON COMMIT DROP`);
      });
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  /** Writes one batch of rows (in file order); the outcome of each, in the same order. */
  async apply(rows: readonly ImportedRow[]): Promise<RowOutcome[]> {
    if (!this.open) throw new Error("import transaction not open");
    return this.tx!.run(async () => {
      const known = await this.lookup(rows.map((r) => r.externalId));
      const hashes = await this.personHashes(rows, known);
      const inBatch = new Map<string, number>();
      const updates: CaseUpdate[] = [];
      const outcomes = rows.map((row): RowOutcome => {
        const d = decideRow(row, known.get(row.externalId), inBatch, this.run, this.o.direction);
        if (d.step === "skip") return d.outcome;
        if (d.step === "create") return this.create(row);
        if (d.step === "update") return this.update(row, d.known, hashes.get(d.known.caseId) ?? new Set(), updates);
        this.seen.add([cell(row.externalId), String(row.line), "\\N"]);
        this.result.unchanged++;
        return d.outcome;
      });
      // Parents before children: the cases, then their references and persons; then the marks of the known ones.
      await this.copy(`COPY cases (${CASE_COLUMNS}) FROM STDIN`, this.cases);
      await this.updateCases(updates);
      await this.copy("COPY case_refs (case_id, system, external_id, fingerprint, imported_at, import_run, import_line) FROM STDIN", this.refs);
      await this.copy("COPY persons (id, case_id, sealed, pnr_hash) FROM STDIN", this.persons);
      if (this.seen.rows > 0) {
        await this.copy(`COPY ${SEEN} (external_id, line, fingerprint) FROM STDIN`, this.seen);
        await this.s.db.run(
          `UPDATE case_refs r SET import_run = @run, import_line = s.line,
                  fingerprint = COALESCE(s.fingerprint, r.fingerprint),
                  imported_at = CASE WHEN s.fingerprint IS NULL THEN r.imported_at ELSE @now END
             FROM ${SEEN} s WHERE r.system = @system AND r.external_id = s.external_id`,
          { run: this.run, now: this.now, system: this.o.system },
        );
        await this.s.db.exec(`TRUNCATE ${SEEN}`);
      }
      return outcomes;
    });
  }

  /** Records the import in the audit trail (after the diary numbers and case events, in row order) and commits. */
  async commit(summary: Record<string, string | number>): Promise<ApplyResult> {
    const created = this.result.created > 0 ? { firstCase: this.before + 1, lastCase: this.lastCase } : {};
    await this.tx!.run(async () => {
      let events: Array<{ action: string; caseId: number; details: Record<string, unknown> }> = [];
      for (const p of this.pending) {
        if ("event" in p) events.push(p.event);
        else {
          await this.s.audit.recordAll(events);
          events = [];
          await this.s.diary.diarise(p.diarise);
        }
      }
      await this.s.audit.recordAll(events);
      this.pending = [];
      await this.s.audit.record("import", null, {
        system: this.o.system,
        ...summary,
        created: this.result.created,
        updated: this.result.updated,
        unchanged: this.result.unchanged,
        ...created,
      });
    });
    this.open = false;
    await this.tx!.commit();
    return { ...this.result };
  }

  /** What would have been done, and nothing of it. */
  async rollback(): Promise<ApplyResult> {
    this.pending = [];
    if (this.open) {
      this.open = false;
      await this.tx?.rollback();
    }
    return { ...this.result };
  }

  /** The references of these external ids the register holds (before this batch), with their cases. */
  private async lookup(ids: readonly string[]): Promise<Map<string, Known>> {
    const found = await this.s.db.all<Record<string, string | null> & { external_id: string; case_id: number; direction: Direction; status: Status; run: string | null; line: number | null }>(
      `SELECT r.external_id, r.case_id, c.direction, c.status, c.diary_number, r.fingerprint, r.import_run AS run, r.import_line AS line,
              c.event_date, c.discovered_date, c.received_date, c.summary, c.description, c.area, c.kind, c.severity, c.counterpart_id, c.unit_id
         FROM case_refs r JOIN cases c ON c.id = r.case_id
        WHERE r.system = ? AND r.external_id = ANY(CAST(? AS text[]))`,
      [this.o.system, ids],
    );
    const known = new Map<string, Known>();
    for (const r of found) {
      known.set(r.external_id, {
        caseId: Number(r.case_id),
        direction: r.direction,
        status: r.status,
        label: caseLabel(r.diary_number, Number(r.case_id)),
        fingerprint: r.fingerprint ?? null,
        run: r.run,
        line: r.line === null ? null : Number(r.line),
        current: r,
      });
    }
    return known;
  }

  /** The persons' hashes (latin1 strings of their bytes) of the known cases this batch may update. */
  private async personHashes(rows: readonly ImportedRow[], known: Map<string, Known>): Promise<Map<number, Set<string>>> {
    const ids = new Set<number>();
    for (const row of rows) {
      const k = known.get(row.externalId);
      if (k && k.run !== this.run && k.direction === this.o.direction && k.fingerprint !== row.fingerprint && k.status !== "closed") ids.add(k.caseId);
    }
    const out = new Map<number, Set<string>>();
    if (ids.size === 0) return out;
    for (const r of await this.s.db.all<{ case_id: number; pnr_hash: Buffer | null }>("SELECT case_id, pnr_hash FROM persons WHERE case_id = ANY(CAST(? AS bigint[]))", [[...ids]])) {
      const id = Number(r.case_id);
      let set = out.get(id);
      if (!set) out.set(id, (set = new Set()));
      set.add(r.pnr_hash ? r.pnr_hash.toString("latin1") : "");
    }
    return out;
  }

  /**
   * Updates the batch's changed cases: one statement for the cases whose updates set the same columns, their
   * ids and new values given as arrays (`v.p_<column>` in the SET clauses, so that a clause's own column, as
   * in COALESCE(sent_at, …), is the case's). Each case is changed once a batch (an external id repeated in it
   * is a duplicate); should one come twice, the second waits for a statement of its own, after the first.
   */
  private async updateCases(updates: readonly CaseUpdate[]): Promise<void> {
    let round = new Map<string, CaseUpdate[]>();
    const ids = new Set<number>();
    const flush = async () => {
      for (const [key, group] of round) {
        const names = Object.keys(group[0]!.params);
        const sets = key.replace(/@(\w+)/g, "v.p_$1");
        const arrays: Record<string, unknown> = { ids: group.map((u) => u.id), now: this.now };
        names.forEach((n, i) => (arrays[`a${i}`] = group.map((u) => u.params[n] ?? null)));
        await this.s.db.run(
          `UPDATE cases c SET ${sets}, updated_at = @now
             FROM unnest(CAST(@ids AS bigint[])${names.map((_, i) => `, CAST(@a${i} AS text[])`).join("")}) AS v(id${names.map((n) => `, p_${n}`).join("")})
            WHERE c.id = v.id`,
          arrays,
        );
      }
      round = new Map();
      ids.clear();
    };
    for (const u of updates) {
      if (ids.has(u.id)) await flush();
      ids.add(u.id);
      const key = u.sets.join(", ");
      const group = round.get(key);
      if (group) group.push(u);
      else round.set(key, [u]);
    }
    await flush();
  }

  private async copy(sql: string, rows: CopyText): Promise<void> {
    if (rows.rows === 0) return;
    const text = rows.take();
    try {
      // The COPY stream is submitted to the connection like a query; it ends when the server has taken every row.
      const stream = this.pg.native.query(this.copyFrom!(sql));
      await pipeline(Readable.from([text]), stream);
    } catch (e) {
      if ((e as { code?: unknown }).code === "42501") throw new PrivilegeError(this.pg.native.user ?? "?", (e as Error).message);
      throw e;
    }
  }

  /** Adds the persons not yet known to the batch's COPY (`known`: their hashes' bytes as latin1 strings). */
  private addPersons(caseId: number, persons: readonly SealedPerson[], known: Set<string>): number {
    let added = 0;
    for (const p of persons) {
      const key = Buffer.from(p.hash.buffer, p.hash.byteOffset, p.hash.byteLength).toString("latin1");
      if (known.has(key)) continue;
      known.add(key);
      this.persons.add([String(++this.lastPerson), String(caseId), bytes(p.sealed), bytes(p.hash)]);
      added++;
    }
    return added;
  }

  private create(row: ImportedRow): RowOutcome {
    const f = row.fields;
    const status = f.status ?? "registered";
    const direction = this.o.direction;
    const st = stampColumns(direction, status, this.now);
    const caseId = ++this.lastCase;
    this.cases.add([
      String(caseId),
      direction,
      status,
      cell(f.counterpartId),
      cell(f.unitId),
      cell(f.eventDate),
      cell(f.discoveredDate),
      cell(f.receivedDate),
      cell(this.now),
      cell(this.deadlines.due(f)),
      cell(f.kind),
      cell(f.area),
      cell(f.severity),
      cell(f.summary),
      cell(f.description),
      cell(st.sent_at),
      cell(st.answered_at),
      cell(st.closed_at),
      cell(this.now),
    ]);
    this.refs.add([String(caseId), cell(this.o.system), cell(row.externalId), cell(row.fingerprint), cell(this.now), this.run, String(row.line)]);
    if (row.persons.length) this.addPersons(caseId, row.persons, new Set());
    this.result.created++;
    if (this.o.diarise) this.diarise(caseId);
    return { kind: "created", caseId };
  }

  private update(row: ImportedRow, k: Known, personHashes: Set<string>, updates: CaseUpdate[]): RowOutcome {
    const f = row.fields;
    const caseId = k.caseId;
    const cur = k.current;
    const { sets, params, changed, statusChange } = planUpdate(f, cur, k.direction, k.status, this.deadlines, this.now);
    if (sets.length) updates.push({ id: caseId, sets, params });
    const added = this.addPersons(caseId, row.persons, personHashes);
    if (added) changed.push("persons");
    this.seen.add([cell(row.externalId), String(row.line), cell(row.fingerprint)]);
    let outcome: RowOutcome;
    if (changed.length) {
      const details = { source: "import", ref: `${this.o.system}:${row.externalId}`, fields: changed, ...(statusChange ? { status: statusChange } : {}) };
      this.pending.push({ event: { action: "case.update", caseId, details } });
      this.result.updated++;
      outcome = { kind: "updated", caseId };
    } else {
      this.result.unchanged++;
      outcome = { kind: "unchanged", caseId };
    }
    if (this.o.diarise && cur.diary_number === null) this.diarise(caseId);
    return outcome;
  }

  private diarise(caseId: number): void {
    this.pending.push({ diarise: caseId });
    this.result.diarised++;
  }
}
