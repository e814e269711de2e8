// Actions (åtgärder) of a case: what is to be done, by whom, by when. A deviation is handled when its actions
// are done, not when someone sets a status: a case with an open action cannot be closed.

import type { IsoDate } from "./dates.js";
import { InvalidDataError, RefusedError } from "./errors.js";

export interface CaseAction {
  id: number;
  caseId: number;
  diaryNumber: string | null;
  text: string;
  owner: { id: number; name: string; email: string };
  due: IsoDate;
  /** When it was marked done (a local timestamp), null while open. */
  doneAt: string | null;
  /** Open and past its due date. */
  overdue: boolean;
}

/** Open and past its due date (due today is not yet overdue). */
export function isActionOverdue(a: { due: IsoDate; doneAt: string | null }, today: IsoDate): boolean {
  return a.doneAt === null && a.due < today;
}

/** A new action's due date: today or later (a date in the past is refused: nothing could be done by then). */
export function assertDueNotPast(due: IsoDate, today: IsoDate): void {
  if (due < today) throw new InvalidDataError("action.error.duePast", { due, today });
}

/** "#3 Checklista vid utskrivning (Sara Nilsson, senast 2026-05-01)" for an error line naming open actions. */
export function actionLabel(a: Pick<CaseAction, "id" | "text" | "owner" | "due">): string {
  const text = a.text.length > 60 ? `${a.text.slice(0, 59)}…` : a.text;
  return `#${a.id} ${text.replace(/\s+/g, " ")} (${a.owner.name}, ${a.due})`;
}

/** Refuses to close a case while any of its actions is open, naming them. */
export function assertNoOpenActions(caseLabel: string, open: ReadonlyArray<Pick<CaseAction, "id" | "text" | "owner" | "due">>): void {
  if (open.length === 0) return;
  throw new RefusedError("action.error.openOnClose", { case: caseLabel, n: open.length, actions: open.map(actionLabel).join("; ") });
}
