// `diary add`: a document recorded in a case's register under the next number.

import type { DocumentDirection } from "../../core/codes.js";
import type { IsoDate } from "../../core/dates.js";
import type { CaseDocument } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface AddEntryInput {
  ref: string;
  direction: DocumentDirection;
  subject: string;
  party: string | null;
  date?: IsoDate;
  /** A ground validated by `parseSecrecyGround`; null: public; undefined: the case's own marking, if any. */
  secrecy?: string | null;
}

/** Diarises the document in one transaction; a case marked secret gives it its ground unless told otherwise. */
export async function addEntry(store: Store, input: AddEntryInput): Promise<CaseDocument & { caseId: number }> {
  return await store.write(async () => {
    const caseId = await store.cases.resolve(input.ref);
    const doc = await store.documents.add(caseId, { direction: input.direction, subject: input.subject, party: input.party, date: input.date, secrecy: input.secrecy });
    return { ...doc, caseId };
  });
}
