// What an import does with each row, the same on both engines: ImportWriter (SQLite, src/store/imports.ts) and
// PgImportWriter (PostgreSQL, src/store/pgImports.ts) write it each their own way, but which row is new, known,
// unchanged, closed or a duplicate, what an update changes, and the due dates and stamps it sets are decided here.

import type { Direction, Status } from "../core/codes.js";
import { dueDate } from "../core/deadline.js";
import { stampsOf, statusesOf, type Stamp } from "../core/workflow.js";
import type { CaseFields, ImportedRow, RowOutcome } from "./imports.js";

/** The fields an export may change, and their columns. */
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

/** A reference the register already holds for a row's external id. */
export interface KnownRef {
  caseId: number;
  direction: Direction;
  status: Status;
  label: string;
  fingerprint: string | null;
  run: string | null;
  line: number | null;
}

/** What to do with a row: nothing (`skip`), mark its reference seen (`seen`), create its case, or update it. */
export type RowStep<K extends KnownRef> =
  | { step: "skip"; outcome: RowOutcome }
  | { step: "seen"; outcome: RowOutcome }
  | { step: "create" }
  | { step: "update"; known: K };

/**
 * Decides a row of a batch. `inBatch` holds the external ids this batch has already taken (and is added to);
 * `run` is this import's own mark, so a row repeated in a later batch is a duplicate too.
 */
export function decideRow<K extends KnownRef>(row: ImportedRow, k: K | undefined, inBatch: Map<string, number>, run: string, direction: Direction): RowStep<K> {
  const first = inBatch.get(row.externalId);
  if (first !== undefined) return { step: "skip", outcome: { kind: "duplicate", firstLine: first } };
  if (k?.run === run) return { step: "skip", outcome: { kind: "duplicate", firstLine: k.line ?? 0 } };
  if (k && k.direction !== direction) return { step: "skip", outcome: { kind: "direction", label: k.label, caseDirection: k.direction } };
  inBatch.set(row.externalId, row.line);
  const unchanged = k !== undefined && k.fingerprint === row.fingerprint;
  if (!row.sealed && !unchanged) throw new Error(`import: row ${row.line} was not sealed but must be written`);
  if (!k) return { step: "create" };
  if (unchanged) return { step: "seen", outcome: { kind: "unchanged", caseId: k.caseId } };
  if (k.status === "closed") return { step: "seen", outcome: { kind: "closed", label: k.label } };
  return { step: "update", known: k };
}

/** The due dates of an import's cases: each organisation's months to answer in, read before its rows. */
export class ImportDeadlines {
  private readonly dueDates = new Map<string, string>();

  constructor(private readonly months: ReadonlyMap<string, number>) {}

  due(f: CaseFields): string {
    const m = this.months.get(f.counterpartId);
    if (m === undefined) throw new Error(`import: no deadline for ${f.counterpartId}`);
    const key = `${m}|${f.discoveredDate}`;
    let due = this.dueDates.get(key);
    if (due === undefined) this.dueDates.set(key, (due = dueDate(f.discoveredDate, m)));
    return due;
  }
}

/** The time stamps a case in `status` has, set to `now` (the others null). */
export function stampColumns(direction: Direction, status: Status, now: string): { sent_at: string | null; answered_at: string | null; closed_at: string | null } {
  const has = new Set(stampsOf(direction, status));
  const at = (s: Stamp) => (has.has(s) ? now : null);
  return { sent_at: at("sent"), answered_at: at("answered"), closed_at: at("closed") };
}

export interface UpdatePlan {
  /** `UPDATE cases SET …` with `@name` parameters, without `updated_at`; empty when nothing changes. */
  sets: string[];
  params: Record<string, unknown>;
  /** The fields changed, as the `case.update` event names them. */
  changed: string[];
  statusChange: { from: Status; to: Status } | null;
}

/**
 * What an export's row changes in a case the register holds (`current`: its columns): a field whose cell is
 * empty never erases what the register holds; a changed discovery date or counterpart gives a new due date; the
 * export may move the case forward along its workflow, never back (what the register has recorded, sent,
 * answered, followed up, stays whatever an older state in the other system says), and a stamp once set stays.
 */
export function planUpdate(f: CaseFields, current: Readonly<Record<string, unknown>>, direction: Direction, status: Status, deadlines: ImportDeadlines, now: string): UpdatePlan {
  const sets: string[] = [];
  const params: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const [key, col] of FIELD_COLUMNS) {
    const value = f[key];
    if (value === null || value === current[col]) continue;
    sets.push(`${col} = @${col}`);
    params[col] = value;
    changed.push(key);
  }
  if (changed.includes("discoveredDate") || changed.includes("counterpartId")) {
    sets.push("due_date = @due_date");
    params.due_date = deadlines.due(f);
  }
  const order = statusesOf(direction);
  const forward = f.status !== null && order.indexOf(f.status) > order.indexOf(status);
  const statusChange = forward ? { from: status, to: f.status! } : null;
  if (statusChange) {
    sets.push("status = @status");
    params.status = f.status;
    for (const [col, v] of Object.entries(stampColumns(direction, f.status!, now))) {
      if (v === null) continue;
      sets.push(`${col} = COALESCE(${col}, @${col})`);
      params[col] = v;
    }
    changed.push("status");
  }
  return { sets, params, changed, statusChange };
}
