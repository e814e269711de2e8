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
  const id = await store.cases.resolve(ref);
  const c = await store.cases.get(id, { documents: true });
  const persons = await store.cases.persons(id, o.reveal);
  if (o.reveal && persons.length) await store.write(async () => await store.audit.record("reveal", id, { persons: persons.length }));
  const recognised: Array<{ document: string; text: string }> = [];
  for (const [document, hash] of await store.documents.recognised(id)) {
    const text = (await store.files.read(hash)).toString("utf8");
    recognised.push({ document, text: o.reveal ? text : redactPersonalNumbers(text, store.today, "********-****") });
  }
  return {
    case: c,
    persons,
    actionItems: await store.actions.list({ caseId: id }),
    recognised,
    ...(o.history ? { history: await store.audit.list(id) } : {}),
    eventAnalysisThreshold: await eventAnalysisThreshold(store.settings),
  };
}
