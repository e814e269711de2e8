import type { Direction, Status } from "./codes.js";
import { isAwaitingAnswer } from "./deadline.js";

// The steps of a case (CLI.md section 1):
//   out: registered → sent → answered → followed_up → closed
//   in:  registered → assigned → investigating → answered → followed_up → closed
// Besides the next step, a case may be closed once it is answered (the follow-up is optional),
// and an assigned incoming case may be answered without an explicit investigating step.
const TRANSITIONS: Record<Direction, Partial<Record<Status, readonly Status[]>>> = {
  out: {
    registered: ["sent"],
    sent: ["answered"],
    answered: ["followed_up", "closed"],
    followed_up: ["closed"],
    closed: [],
  },
  in: {
    registered: ["assigned"],
    assigned: ["investigating", "answered"],
    investigating: ["answered"],
    answered: ["followed_up", "closed"],
    followed_up: ["closed"],
    closed: [],
  },
};

/** The statuses a case of this direction can reach from `from` in one step. */
export function allowedNext(direction: Direction, from: Status): readonly Status[] {
  return TRANSITIONS[direction][from] ?? [];
}

/** The statuses a case of this direction passes through, in order. */
export function statusesOf(direction: Direction): readonly Status[] {
  return direction === "out"
    ? ["registered", "sent", "answered", "followed_up", "closed"]
    : ["registered", "assigned", "investigating", "answered", "followed_up", "closed"];
}

export type TransitionCheck = { ok: true } | { ok: false; reason: "same" | "not-allowed"; allowed: readonly Status[] };

export function checkTransition(direction: Direction, from: Status, to: Status): TransitionCheck {
  const allowed = allowedNext(direction, from);
  if (allowed.includes(to)) return { ok: true };
  return { ok: false, reason: from === to ? "same" : "not-allowed", allowed };
}

/** The statuses from which a case may be reopened: its handling was finished (closed) or being followed up. */
export const REOPENABLE: readonly Status[] = ["followed_up", "closed"];

/**
 * Where a reopened case goes back to: the step where the answer is worked on again. For an incoming case that is
 * `investigating` (our unit analyses causes and actions anew, and answers again); for an outgoing case it is
 * `sent` (the other provider must act again, and we await its new answer). Either way the case passes the
 * answer again and then the follow-up. Null when the case is not finished (nothing to reopen).
 */
export function reopenTarget(direction: Direction, from: Status): Status | null {
  if (!REOPENABLE.includes(from)) return null;
  return direction === "in" ? "investigating" : "sent";
}

/** A moment a case records once, the first time it reaches a status that implies it. */
export type Stamp = "sent" | "answered" | "closed";

/**
 * The moments a case in `status` has passed: an outgoing case past registration was sent, an answered one
 * (followed up, closed) was answered, a closed one closed. A status change and an import set the missing
 * ones and never clear one (a reopened case keeps when it was answered).
 */
export function stampsOf(direction: Direction, status: Status): Stamp[] {
  const stamps: Stamp[] = [];
  if (direction === "out" && status !== "registered") stamps.push("sent");
  if (!isAwaitingAnswer(status)) stamps.push("answered");
  if (status === "closed") stamps.push("closed");
  return stamps;
}
