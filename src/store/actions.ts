// Actions (åtgärder) of a case: SQL for adding, listing and completing them (migration 015).

import { isActionOverdue, type CaseAction } from "../core/actions.js";
import type { IsoDate } from "../core/dates.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import type { Store } from "./store.js";

interface ActionRow {
  id: number;
  case_id: number;
  diary_number: string | null;
  text: string;
  owner_id: number;
  owner_name: string;
  owner_email: string;
  due_date: string;
  done_at: string | null;
}

const SELECT = `
  SELECT a.id, a.case_id, c.diary_number, a.text, a.owner_id, k.name AS owner_name, k.email AS owner_email, a.due_date, a.done_at
  FROM actions a
  JOIN cases c ON c.id = a.case_id
  JOIN contacts k ON k.id = a.owner_id`;

export interface ActionFilter {
  caseId?: number;
  /** Only open actions past their due date. */
  overdue?: boolean;
  /** Only open actions. */
  open?: boolean;
}

export class ActionRepo {
  constructor(private readonly s: Store) {}

  private toAction(r: ActionRow): CaseAction {
    return {
      id: r.id,
      caseId: r.case_id,
      diaryNumber: r.diary_number,
      text: r.text,
      owner: { id: r.owner_id, name: r.owner_name, email: r.owner_email },
      due: r.due_date,
      doneAt: r.done_at,
      overdue: isActionOverdue({ due: r.due_date, doneAt: r.done_at }, this.s.today),
    };
  }

  /** Adds an action to a case; call inside `store.write`. The text is checked like other free text. */
  add(caseId: number, input: { text: string; ownerId: number; due: IsoDate }): CaseAction {
    assertNoPersonalNumber(input.text, "--text", this.s.today);
    assertPrintable(input.text, "--text");
    const info = this.s.db
      .prepare("INSERT INTO actions (case_id, text, owner_id, due_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")
      .run(caseId, input.text, input.ownerId, input.due, this.s.now, this.s.actor.user);
    const id = Number(info.lastInsertRowid);
    this.s.db.prepare("UPDATE cases SET updated_at = ? WHERE id = ?").run(this.s.now, caseId);
    // The text stays out of the audit trail (free text); the trail says which action, whose and by when.
    this.s.audit.record("action.add", caseId, { action: id, owner: input.ownerId, due: input.due });
    return this.get(id);
  }

  get(id: number): CaseAction {
    const r = this.s.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as ActionRow | undefined;
    if (!r) throw new NotFoundError("action.error.notFound", { id: String(id) });
    return this.toAction(r);
  }

  list(filter: ActionFilter = {}): CaseAction[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.caseId !== undefined) {
      where.push("a.case_id = @caseId");
      params.caseId = filter.caseId;
    }
    if (filter.open || filter.overdue) where.push("a.done_at IS NULL");
    if (filter.overdue) {
      where.push("a.due_date < @today");
      params.today = this.s.today;
    }
    const rows = this.s.db
      .prepare(`${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${filter.overdue ? "a.due_date, " : ""}a.case_id, a.id`)
      .all(params) as ActionRow[];
    return rows.map((r) => this.toAction(r));
  }

  /** The open actions of a case, oldest first. */
  openFor(caseId: number): CaseAction[] {
    return this.list({ caseId, open: true });
  }

  /** Marks an action done; call inside `store.write` (decided on a fresh read: a second run is refused). */
  done(id: number): CaseAction {
    const a = this.get(id);
    if (a.doneAt !== null) throw new RefusedError("action.error.alreadyDone", { id: String(id), at: a.doneAt.slice(0, 16).replace("T", " ") });
    this.s.db.prepare("UPDATE actions SET done_at = ?, done_by = ? WHERE id = ?").run(this.s.now, this.s.actor.user, id);
    this.s.db.prepare("UPDATE cases SET updated_at = ? WHERE id = ?").run(this.s.now, a.caseId);
    this.s.audit.record("action.done", a.caseId, { action: id });
    return this.get(id);
  }
}
