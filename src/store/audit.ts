import { createHash } from "node:crypto";
import type { AuditEvent } from "../core/types.js";
import type { SettingsRepo } from "./settings.js";
import type { Clock, Sql } from "./sql.js";

interface AuditRow {
  id: number;
  at: string;
  user: string;
  action: string;
  case_id: number | null;
  details: string;
  prev_hash: string;
  hash: string;
  diary_number?: string | null;
}

export const GENESIS_HASH = "0".repeat(64);

/** The hash of one event: covers every stored field and the hash of the event before it. */
export function eventHash(prevHash: string, e: { id: number; at: string; user: string; action: string; case_id: number | null; details: string }): string {
  return createHash("sha256")
    .update(JSON.stringify([prevHash, e.id, e.at, e.user, e.action, e.case_id, e.details]))
    .digest("hex");
}

/**
 * What `verify()` can find. Ids are the events' current ids (`audit.id`); `from` is the id an event was
 * hashed with when it was written.
 * - edited: the event's content no longer matches its hash, or its hash was recomputed (the next event, or
 *   the recorded head, still points at the old hash);
 * - deleted: events that were written (the chain or the head says so) are gone;
 * - inserted: an event that was never part of the chain (appended after the head, or slipped in between);
 * - reordered: two events swapped places;
 * - renumbered: events moved to other ids (after a deletion or insertion that renumbered the rest);
 * - head: the recorded head (last id and hash) is missing or unreadable;
 * - empty: an initialised register without any event (`init` records one: they were all deleted);
 * - unrecorded: cases or diary entries without the event that created them (see `unrecorded()`), which
 *   the chain alone cannot show when every event and the head were deleted, or the trail was cut short.
 */
export type AuditProblem =
  | { kind: "edited"; id: number }
  | { kind: "deleted"; ids: number[] }
  | { kind: "inserted"; id: number }
  | { kind: "reordered"; ids: [number, number] }
  | { kind: "renumbered"; ids: number[]; offset: number }
  | { kind: "head"; reason: "missing" | "invalid" }
  | { kind: "empty" }
  | { kind: "unrecorded"; what: "case" | "document"; count: number; examples: string[] };

/** The last event as recorded in the settings row `audit_head`, updated in the same transaction as each event. */
export interface AuditHead {
  id: number;
  hash: string;
}

export const HEAD_SETTING = "audit_head";

/** Events in one INSERT of `recordAll`: 8 values each, within both engines' limits on a statement's parameters. */
const EVENTS_PER_INSERT = 500;

export class AuditRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly settings: SettingsRepo,
  ) {}

  /**
   * Appends an event; call inside `store.write` so that it commits with the change it records.
   * `details` must never hold personal data in clear. The head (last id and hash) is kept in the settings
   * in the same transaction, so that deleting events at the end of the trail is found too.
   */
  async record(action: string, caseId: number | null, details: Record<string, unknown> = {}): Promise<void> {
    await this.recordAll([{ action, caseId, details }]);
  }

  /**
   * Appends events in this order, as `record` would one by one, in a statement per EVENTS_PER_INSERT of them
   * (the last event read once, the chain's hashes computed here, the head set once): an import's changed cases
   * on PostgreSQL, where each statement is a round trip, are not four round trips each.
   */
  async recordAll(events: ReadonlyArray<{ action: string; caseId: number | null; details?: Record<string, unknown> }>): Promise<void> {
    if (events.length === 0) return;
    // The events and the head belong together: outside a transaction, make one (immediate, so that reading
    // the last event and appending never race another writer).
    if (!this.db.inTransaction) return this.db.write(() => this.recordAll(events));
    const last = await this.db.get<{ id: number; hash: string }>("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
    let id = last?.id ?? 0;
    let prev = last?.hash ?? GENESIS_HASH;
    const rows = events.map((e) => {
      const row = { id: ++id, at: this.clock.now, user: this.clock.actor.user, action: e.action, case_id: e.caseId, details: JSON.stringify(e.details ?? {}) };
      const hash = eventHash(prev, row);
      const out = [row.id, row.at, row.user, row.action, row.case_id, row.details, prev, hash];
      prev = hash;
      return out;
    });
    for (let i = 0; i < rows.length; i += EVENTS_PER_INSERT) {
      const part = rows.slice(i, i + EVENTS_PER_INSERT);
      await this.db.run(`INSERT INTO audit (id, at, "user", action, case_id, details, prev_hash, hash) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`, part.flat());
    }
    await this.settings.set(HEAD_SETTING, JSON.stringify({ id, hash: prev }));
  }

  /** The recorded head; undefined when none is recorded, null when the row is unreadable. */
  async head(): Promise<AuditHead | undefined | null> {
    const text = await this.settings.get(HEAD_SETTING);
    if (text === undefined) return undefined;
    try {
      const v = JSON.parse(text) as AuditHead;
      return Number.isInteger(v.id) && typeof v.hash === "string" ? { id: v.id, hash: v.hash } : null;
    } catch {
      return null;
    }
  }

  /** The stored hash of one event (to compare with a head noted outside the register). */
  async hashOf(id: number): Promise<string | undefined> {
    const r = (await this.db.get("SELECT hash FROM audit WHERE id = ?", [id])) as { hash: string } | undefined;
    return r?.hash;
  }

  /** Cases and diary entries without the event that created them (see `unrecordedIn`). */
  async unrecorded(): Promise<AuditProblem[]> {
    return this.db.read(() => unrecordedIn(this.db));
  }

  /** The last event as stored (id and hash), to note outside the register; null when there is none. */
  async last(): Promise<AuditHead | null> {
    const r = (await this.db.get("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")) as AuditHead | undefined;
    return r ? { id: r.id, hash: r.hash } : null;
  }

  async list(caseId?: number): Promise<AuditEvent[]> {
    // A case's history: its own events, and the import that created it (one event records the range of case
    // ids an import created, migration 008).
    const sql =
      caseId === undefined
        ? "SELECT a.*, c.diary_number FROM audit a LEFT JOIN cases c ON c.id = a.case_id ORDER BY a.id"
        : `SELECT a.*, c.diary_number FROM audit a LEFT JOIN cases c ON c.id = a.case_id WHERE a.case_id = @id
           UNION ALL
           SELECT a.*, NULL FROM audit a${this.db.dialect.indexedBy("audit_imports")}
           WHERE a.action = 'import' AND a.case_id IS NULL
             AND @id BETWEEN ${this.db.dialect.jsonInteger("a.details", "firstCase")} AND ${this.db.dialect.jsonInteger("a.details", "lastCase")}
           ORDER BY id`;
    const rows = (caseId === undefined ? (await this.db.all(sql)) : (await this.db.all(sql, { id: caseId }))) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      user: r.user,
      action: r.action,
      caseId: r.case_id,
      diaryNumber: r.diary_number ?? null,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  /**
   * Walks the chain and says which events were edited, deleted, inserted, reordered or renumbered.
   * Ids are dense from 1 and every hash covers the event's id, content and the previous hash, so each event
   * can be put back at the place it was written; what does not fit is reported. See `analyseChain`.
   */
  async verify(): Promise<{ events: number; problems: AuditProblem[]; head: AuditHead | null }> {
    // The events and the head from one snapshot: a writer committing between the two reads would otherwise
    // look like deleted events.
    const { rows, head, initialised, unrecorded } = await this.db.read(async () => ({
      rows: (await this.db.all(`SELECT id, at, "user", action, case_id, details, prev_hash, hash FROM audit ORDER BY id`)) as AuditRow[],
      head: await this.head(),
      initialised: (await this.settings.get("org_id")) !== undefined,
      unrecorded: await this.unrecorded(),
    }));
    const problems = analyseChain(rows, head);
    if (rows.length === 0 && initialised) problems.unshift({ kind: "empty" });
    problems.push(...unrecorded);
    const last = rows[rows.length - 1];
    return { events: rows.length, problems, head: last ? { id: last.id, hash: last.hash } : null };
  }
}

const EXAMPLES = 5;

/**
 * Cases and diary entries that no event in the trail created. A case is created by its `case.new` event
 * (`case.import` in registers from before migration 008), or lies in the range of case ids that an `import`
 * event records (one event per import, not per case: the ids an import creates are consecutive, written
 * under the write lock). A diary entry is recorded by the `diary.add` event of its case naming its number.
 * Cases and diary entries are never deleted (a purge keeps them), so each must keep its event.
 */
async function unrecordedIn(db: Sql): Promise<AuditProblem[]> {
  const problems: AuditProblem[] = [];
  // The id ranges imports created, merged; the cases outside them are looked up gap by gap (by primary
  // key), so a register of a million imported cases is not walked case by case.
  const ranges = (
    await db.all<{ f: unknown; l: unknown }>(
      `SELECT ${db.dialect.jsonInteger("details", "firstCase")} AS f, ${db.dialect.jsonInteger("details", "lastCase")} AS l
       FROM audit${db.dialect.indexedBy("audit_imports")} WHERE action = 'import' AND case_id IS NULL`,
    )
  )
    .filter((r): r is { f: number; l: number } => Number.isInteger(r.f) && Number.isInteger(r.l) && (r.f as number) <= (r.l as number))
    .sort((a, b) => a.f - b.f);
  const gaps: Array<[number, number]> = [];
  let from = 1;
  for (const r of ranges) {
    if (r.f > from) gaps.push([from, r.f - 1]);
    from = Math.max(from, r.l + 1);
  }
  gaps.push([from, Number.MAX_SAFE_INTEGER]);
  const casesIn = `SELECT c.id, c.diary_number FROM cases c
     WHERE c.id BETWEEN ? AND ?
       AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.case_id = c.id AND a.action IN ('case.new', 'case.import'))
     ORDER BY c.id`;
  const cases: string[] = [];
  for (const [a, b] of gaps) {
    for (const r of await db.all<{ id: number; diary_number: string | null }>(casesIn, [a, b])) cases.push(r.diary_number ?? String(r.id));
  }
  if (cases.length) problems.push({ kind: "unrecorded", what: "case", count: cases.length, examples: cases.slice(0, EXAMPLES) });

  const documents = (
    await db.all<{ number: string }>(
      `SELECT d.number FROM documents d
       WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.case_id = d.case_id AND a.action = 'diary.add'
                         AND ${db.dialect.jsonText("a.details", "document")} = d.number)
       ORDER BY d.id`,
    )
  ).map((r) => r.number);
  if (documents.length) problems.push({ kind: "unrecorded", what: "document", count: documents.length, examples: documents.slice(0, EXAMPLES) });
  return problems;
}

type ChainRow = Pick<AuditRow, "id" | "at" | "user" | "action" | "case_id" | "details" | "prev_hash" | "hash">;

const WINDOW = 8;

/**
 * The analysis behind `verify()`, on plain rows (testable without a database).
 * 1. Each event's original id: the id its stored hash was computed with (its current id, the id after its
 *    predecessor's, or one nearby). None fits: its content was edited.
 * 2. Several events claiming one original id: the one the next event's `prev_hash` names is genuine, the
 *    others are inserted. Original ids after the head's are inserted as well.
 * 3. Original ids from 1 to the head's (or the highest seen) that no event claims were deleted.
 * 4. A genuine event whose successor (or the head) names another hash had its hash recomputed: edited.
 * 5. Events at another id than their original: pairs that swapped are reordered, the rest renumbered.
 */
export function analyseChain(rows: readonly ChainRow[], head: AuditHead | undefined | null): AuditProblem[] {
  const problems: AuditProblem[] = [];
  if (rows.length > 0 && head === undefined) problems.push({ kind: "head", reason: "missing" });
  if (head === null) problems.push({ kind: "head", reason: "invalid" });
  const byHash = new Map<string, number>();
  rows.forEach((r, i) => byHash.set(r.hash, i));
  const orig: Array<number | null> = Array.from({ length: rows.length }, () => null);
  rows.forEach((r, i) => {
    const candidates: number[] = [r.id];
    const p = byHash.get(r.prev_hash);
    if (p !== undefined && p < i && orig[p] !== null) candidates.push(orig[p]! + 1);
    if (r.prev_hash === GENESIS_HASH) candidates.push(1);
    for (let d = 1; d <= WINDOW; d++) candidates.push(r.id - d, r.id + d);
    for (const c of candidates) {
      if (c >= 1 && eventHash(r.prev_hash, { ...r, id: c }) === r.hash) {
        orig[i] = c;
        break;
      }
    }
  });
  const edited = new Set<number>();
  rows.forEach((r, i) => {
    if (orig[i] === null) edited.add(r.id);
  });

  // 2. Claims on each original id; the genuine claimant is named by its successor's prev_hash.
  const claims = new Map<number, number[]>();
  orig.forEach((o, i) => {
    if (o !== null) claims.set(o, [...(claims.get(o) ?? []), i]);
  });
  const headId = head ? head.id : undefined;
  const genuine = new Map<number, number>(); // original id → row index
  const inserted = new Set<number>();
  const successorPrev = (o: number): string[] => {
    const next = claims.get(o + 1) ?? [];
    const hashes = next.map((j) => rows[j]!.prev_hash);
    // An edited successor still carries its prev_hash.
    rows.forEach((r) => {
      if (edited.has(r.id) && r.id === o + 1) hashes.push(r.prev_hash);
    });
    if (head && head.id === o) hashes.push(head.hash);
    return hashes;
  };
  for (const [o, idx] of claims) {
    if (headId !== undefined && o > headId) {
      for (const i of idx) inserted.add(rows[i]!.id);
      continue;
    }
    if (idx.length === 1) {
      genuine.set(o, idx[0]!);
      continue;
    }
    const named = successorPrev(o);
    const pick = idx.find((i) => named.includes(rows[i]!.hash)) ?? idx.find((i) => rows[i]!.id !== o) ?? idx[0]!;
    genuine.set(o, pick);
    for (const i of idx) if (i !== pick) inserted.add(rows[i]!.id);
  }

  // 3. Deleted: original ids nobody claims (an edited event keeps its place).
  let top = headId ?? 0;
  for (const o of genuine.keys()) if (headId === undefined && o > top) top = o;
  for (const id of edited) if (headId === undefined && id > top) top = id;
  const deleted: number[] = [];
  for (let o = 1; o <= top; o++) {
    if (genuine.has(o)) continue;
    if (edited.has(o) && ![...genuine.values()].some((i) => rows[i]!.id === o)) continue;
    deleted.push(o);
  }
  if (deleted.length) {
    // One problem per run of consecutive ids.
    let run: number[] = [];
    for (const id of deleted) {
      if (run.length && id !== run[run.length - 1]! + 1) {
        problems.push({ kind: "deleted", ids: run });
        run = [];
      }
      run.push(id);
    }
    problems.push({ kind: "deleted", ids: run });
  }

  // 4. A genuine event whose hash its successor (or the head) does not name was re-hashed after an edit.
  for (const [o, i] of genuine) {
    const named = successorPrev(o);
    const hasSuccessor = genuine.has(o + 1) || (head !== undefined && head !== null && head.id === o) || rows.some((r) => edited.has(r.id) && r.id === o + 1);
    if (hasSuccessor && named.length > 0 && !named.includes(rows[i]!.hash)) edited.add(rows[i]!.id);
    // The first event must start the chain.
    if (o === 1 && rows[i]!.prev_hash !== GENESIS_HASH) edited.add(rows[i]!.id);
  }

  // 5. Moved events: swapped pairs, then runs of renumbered ids.
  const moved = new Map<number, number>(); // current id → original id
  for (const [o, i] of genuine) if (rows[i]!.id !== o && !edited.has(rows[i]!.id)) moved.set(rows[i]!.id, o);
  const pairs: Array<[number, number]> = [];
  for (const [id, o] of moved) {
    if (id < o && moved.get(o) === id) pairs.push([id, o]);
  }
  for (const [a, b] of pairs) {
    moved.delete(a);
    moved.delete(b);
    problems.push({ kind: "reordered", ids: [a, b] });
  }
  const shifted = [...moved.entries()].sort((x, y) => x[0] - y[0]);
  let run: number[] = [];
  let offset = 0;
  for (const [id, o] of shifted) {
    const d = id - o;
    if (run.length && (d !== offset || id !== run[run.length - 1]! + 1)) {
      problems.push({ kind: "renumbered", ids: run, offset });
      run = [];
    }
    offset = d;
    run.push(id);
  }
  if (run.length) problems.push({ kind: "renumbered", ids: run, offset });

  for (const id of [...edited].sort((a, b) => a - b)) problems.push({ kind: "edited", id });
  for (const id of [...inserted].sort((a, b) => a - b)) problems.push({ kind: "inserted", id });
  const order = { head: 0, edited: 1, deleted: 2, inserted: 3, reordered: 4, renumbered: 5, empty: 6, unrecorded: 7 } as const;
  const first = (p: AuditProblem): number => ("id" in p ? p.id : "ids" in p ? (p.ids[0] ?? 0) : 0);
  return problems.sort((a, b) => first(a) - first(b) || order[a.kind] - order[b.kind]);
}
