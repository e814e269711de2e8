// `audit verify`: the audit trail's hash chain checked from the first event to the head, and against a head
// noted outside the register.

import type { AuditHead, AuditProblem } from "../../store/audit.js";
import type { Store } from "../../store/store.js";

/** A head noted outside the register (ID:HASH from an earlier `audit verify --json`) that no longer holds. */
export interface AnchorProblem {
  kind: "anchor";
  id: number;
  reason: "changed" | "missing";
}

export interface AuditVerification {
  ok: boolean;
  events: number;
  head: AuditHead | null;
  problems: Array<AuditProblem | AnchorProblem>;
}

/**
 * Verifies the trail; with an anchor, that event must still carry that hash, which a trail rewritten from an
 * earlier event (with a forged head) no longer does.
 */
export async function verifyAudit(store: Store, anchor?: { id: number; hash: string }): Promise<AuditVerification> {
  const r = await store.audit.verify();
  const problems: AuditVerification["problems"] = [...r.problems];
  if (anchor) {
    const hash = await store.audit.hashOf(anchor.id);
    if (hash !== anchor.hash) problems.push({ kind: "anchor", id: anchor.id, reason: hash === undefined ? "missing" : "changed" });
  }
  return { ok: problems.length === 0, events: r.events, head: r.head, problems };
}
