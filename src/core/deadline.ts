import { addDays, addMonths, type IsoDate } from "./dates.js";
import type { Status } from "./codes.js";

/** The default answer time when neither the counterpart nor the organisation sets one (seed 001: two months). */
export const DEFAULT_DEADLINE_MONTHS = 2;

/**
 * The reporter must have an answer within N months from the day the event was discovered.
 * N belongs to the agreement with the counterpart (or its parent region), else to our own settings.
 */
export function dueDate(discovered: IsoDate, months: number): IsoDate {
  return addMonths(discovered, months);
}

/** Statuses in which the answer has been given: no deadline can pass any more (the one list; SQL is built from it). */
const ANSWERED: ReadonlySet<Status> = new Set<Status>(["answered", "followed_up", "closed"]);

export function isAwaitingAnswer(status: Status): boolean {
  return !ANSWERED.has(status);
}

/**
 * Past the due date without an answer. `answeredAt`: a case answered once and reopened later (case reopen) is
 * back at an earlier step, but its deadline was met by that answer.
 */
/** The deadline no longer runs: answered, or answered once and reopened since (case reopen). */
export function isDeadlineMet(status: Status, answeredAt: string | null | undefined): boolean {
  return ANSWERED.has(status) || (answeredAt !== undefined && answeredAt !== null);
}

export function isOverdue(status: Status, due: IsoDate, today: IsoDate, answeredAt: string | null = null): boolean {
  return isAwaitingAnswer(status) && answeredAt === null && due < today;
}

export function isDueWithin(status: Status, due: IsoDate, today: IsoDate, days: number): boolean {
  return isAwaitingAnswer(status) && due >= today && due <= addDays(today, days);
}

/** Resolves the months that apply: the first defined of counterpart, its parent, the organisation default. */
export function deadlineMonths(...candidates: Array<number | null | undefined>): number {
  for (const c of candidates) if (typeof c === "number" && Number.isInteger(c) && c > 0) return c;
  return DEFAULT_DEADLINE_MONTHS;
}
