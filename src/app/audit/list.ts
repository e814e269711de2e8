// `audit list`: the events of the audit trail, of one case when asked.

import type { AuditEvent } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export async function listAudit(store: Store, caseRef?: string): Promise<AuditEvent[]> {
  return await store.audit.list(caseRef === undefined ? undefined : await store.cases.resolve(caseRef));
}
