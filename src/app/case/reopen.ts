// `case reopen REF --reason TEXT`: a closed (or followed-up) deviation whose follow-up shows that the actions did
// not work goes back to the step where work continues, instead of being registered again. One transaction: the
// status (read in it), the audit event with the reason, and an internal note in the diary.

import type { Status } from "../../core/codes.js";
import type { CaseDocument } from "../../core/types.js";
import { tSv } from "../../i18n/index.js";
import type { Store } from "../../store/store.js";
import { assertNoPersonalDataFor } from "../freeText.js";

/** The reason goes into the diary's subject after a short prefix; the subject's limit is 300 characters. */
export const MAX_REOPEN_REASON = 250;

export interface Reopened {
  caseId: number;
  diaryNumber: string | null;
  from: Status;
  to: Status;
  document: CaseDocument;
}

export async function reopenCase(store: Store, input: { ref: string; reason: string }): Promise<Reopened> {
  return await store.write(async () => {
    const caseId = await store.cases.resolve(input.ref);
    await assertNoPersonalDataFor(store, caseId, input.reason, "--reason");
    const { from, to } = await store.cases.reopen(caseId, input.reason);
    // The register is kept in Swedish whatever the user's language.
    const document = await store.documents.add(caseId, { direction: "internal", subject: tSv("diary.subject.reopened", { reason: input.reason }), party: null });
    return { caseId, diaryNumber: (await store.cases.get(caseId)).diaryNumber, from, to, document };
  });
}
