import { createHash } from "node:crypto";
import type { AuditEvent } from "../core/types.js";
import type { Store } from "./store.js";

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

export type AuditProblem =
  | { kind: "edited"; id: number }
  | { kind: "broken-link"; id: number }
  | { kind: "gap"; afterId: number; missing: number };

export class AuditRepo {
  constructor(private readonly s: Store) {}

  /**
   * Appends an event; call inside `store.write` so that it commits with the change it records.
   * `details` must never hold personal data in clear.
   */
  record(action: string, caseId: number | null, details: Record<string, unknown> = {}): void {
    const last = this.s.db.prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string } | undefined;
    const row = {
      id: (last?.id ?? 0) + 1,
      at: this.s.now,
      user: this.s.actor.user,
      action,
      case_id: caseId,
      details: JSON.stringify(details),
    };
    const prev = last?.hash ?? GENESIS_HASH;
    this.s.db
      .prepare("INSERT INTO audit (id, at, user, action, case_id, details, prev_hash, hash) VALUES (@id, @at, @user, @action, @case_id, @details, @prev_hash, @hash)")
      .run({ ...row, prev_hash: prev, hash: eventHash(prev, row) });
  }

  list(caseId?: number): AuditEvent[] {
    const sql = `SELECT a.*, c.diary_number FROM audit a LEFT JOIN cases c ON c.id = a.case_id ${caseId === undefined ? "" : "WHERE a.case_id = ?"} ORDER BY a.id`;
    const rows = (caseId === undefined ? this.s.db.prepare(sql).all() : this.s.db.prepare(sql).all(caseId)) as AuditRow[];
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

  /** Walks the chain; returns every event that was edited, inserted out of chain, or whose predecessor is gone. */
  verify(): { events: number; problems: AuditProblem[] } {
    const problems: AuditProblem[] = [];
    let prevHash = GENESIS_HASH;
    let prevId = 0;
    let count = 0;
    for (const r of this.s.db.prepare("SELECT * FROM audit ORDER BY id").iterate() as IterableIterator<AuditRow>) {
      count++;
      if (r.id !== prevId + 1) problems.push({ kind: "gap", afterId: prevId, missing: r.id - prevId - 1 });
      if (r.prev_hash !== prevHash) problems.push({ kind: "broken-link", id: r.id });
      if (eventHash(r.prev_hash, r) !== r.hash) problems.push({ kind: "edited", id: r.id });
      prevHash = r.hash;
      prevId = r.id;
    }
    return { events: count, problems };
  }
}
