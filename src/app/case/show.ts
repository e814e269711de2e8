// `case show REF`: a case with its documents, persons (masked unless revealed, a reveal audited), actions,
// the texts OCR read from its scanned replies, and its history when asked.

import type { CaseAction } from "../../core/actions.js";
import { redactPersonalNumbers } from "../../core/personnummer.js";
import type { AuditEvent, Case } from "../../core/types.js";
import { eventAnalysisThreshold, type RevealedPerson } from "../../store/cases.js";
import type { Store } from "../../store/store.js";

export interface ShownCase {
  case: Case;
  persons: RevealedPerson[];
  actionItems: CaseAction[];
  /** What OCR read from each scanned reply; personnummer masked unless revealed. */
  recognised: Array<{ document: string; text: string }>;
  history?: AuditEvent[];
  eventAnalysisThreshold: number;
}

export async function showCase(store: Store, ref: string, o: { reveal: boolean; history: boolean }): Promise<ShownCase> {
  const id = store.cases.resolve(ref);
  const c = store.cases.get(id, { documents: true });
  const persons = store.cases.persons(id, o.reveal);
  if (o.reveal && persons.length) store.write(() => store.audit.record("reveal", id, { persons: persons.length }));
  const recognised = [...store.documents.recognised(id)].map(([document, hash]) => {
    const text = store.files.read(hash).toString("utf8");
    return { document, text: o.reveal ? text : redactPersonalNumbers(text, store.today, "********-****") };
  });
  return {
    case: c,
    persons,
    actionItems: store.actions.list({ caseId: id }),
    recognised,
    ...(o.history ? { history: store.audit.list(id) } : {}),
    eventAnalysisThreshold: eventAnalysisThreshold(store),
  };
}
