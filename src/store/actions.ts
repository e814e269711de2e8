// Actions (åtgärder) of a case: SQL for adding, listing and completing them (migration 015).

import { isActionOverdue, type CaseAction } from "../core/actions.js";
import type { IsoDate } from "../core/dates.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import type { AuditRepo } from "./audit.js";
import type { Clock, Sql } from "./sql.js";

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
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
  ) {}

  private toAction(r: ActionRow): CaseAction {
    return {
      id: r.id,
      caseId: r.case_id,
      diaryNumber: r.diary_number,
      text: r.text,
      owner: { id: r.owner_id, name: r.owner_name, email: r.owner_email },
      due: r.due_date,
      doneAt: r.done_at,
      overdue: isActionOverdue({ due: r.due_date, doneAt: r.done_at }, this.clock.today),
    };
  }

  /** Adds an action to a case; call inside `store.write`. The text is checked like other free text. */
  async add(caseId: number, input: { text: string; ownerId: number; due: IsoDate }): Promise<CaseAction> {
    assertNoPersonalNumber(input.text, "--text", this.clock.today);
    assertPrintable(input.text, "--text");
    const info = (await this.db.run("INSERT INTO actions (case_id, text, owner_id, due_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [caseId, input.text, input.ownerId, input.due, this.clock.now, this.clock.actor.user]));
    const id = info.lastId!;
    await this.db.run("UPDATE cases SET updated_at = ? WHERE id = ?", [this.clock.now, caseId]);
    // The text stays out of the audit trail (free text); the trail says which action, whose and by when.
    await this.audit.record("action.add", caseId, { action: id, owner: input.ownerId, due: input.due });
    return this.get(id);
  }

  async get(id: number): Promise<CaseAction> {
    const r = (await this.db.get(`${SELECT} WHERE a.id = ?`, [id])) as ActionRow | undefined;
    if (!r) throw new NotFoundError("action.error.notFound", { id: String(id) });
    return this.toAction(r);
  }

  async list(filter: ActionFilter = {}): Promise<CaseAction[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.caseId !== undefined) {
      where.push("a.case_id = @caseId");
      params.caseId = filter.caseId;
    }
    if (filter.open || filter.overdue) where.push("a.done_at IS NULL");
    if (filter.overdue) {
      where.push("a.due_date < @today");
      params.today = this.clock.today;
    }
    const rows = (await this.db.all(`${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${filter.overdue ? "a.due_date, " : ""}a.case_id, a.id`, params)) as ActionRow[];
    return rows.map((r) => this.toAction(r));
  }

  /** The open actions of a case, oldest first. */
  async openFor(caseId: number): Promise<CaseAction[]> {
    return this.list({ caseId, open: true });
  }

  /** Marks an action done; call inside `store.write` (decided on a fresh read: a second run is refused). */
  async done(id: number): Promise<CaseAction> {
    const a = await this.get(id);
    if (a.doneAt !== null) throw new RefusedError("action.error.alreadyDone", { id: String(id), at: a.doneAt.slice(0, 16).replace("T", " ") });
    await this.db.run("UPDATE actions SET done_at = ?, done_by = ? WHERE id = ?", [this.clock.now, this.clock.actor.user, id]);
    await this.db.run("UPDATE cases SET updated_at = ? WHERE id = ?", [this.clock.now, a.caseId]);
    await this.audit.record("action.done", a.caseId, { action: id });
    return this.get(id);
  }
}
