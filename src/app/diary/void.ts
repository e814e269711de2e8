// `diary void`: a wrong entry is voided (makulerad), never removed or renumbered.

import type { CaseDocument } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface VoidEntryInput {
  number: string;
  reason: string;
}

/**
 * Marks the entry voided with who, when and why, audited, in one transaction that decides from what it reads
 * (another process may have voided it meanwhile): a number that does not exist or is voided already is refused.
 */
export async function voidEntry(store: Store, input: VoidEntryInput): Promise<CaseDocument & { caseId: number; diaryNumber: string }> {
  return await store.write(async () => await store.documents.void(input.number, input.reason));
}
