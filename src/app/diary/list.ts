// `diary list`: the register in number order, or the public register (OSL ch. 5).

import type { DiaryEntry } from "../../core/types.js";
import { publicEntry, type PublicEntry } from "../../store/documents.js";
import type { Store } from "../../store/store.js";

export interface ListEntriesInput {
  year?: number;
  caseRef?: string;
  /** The register as the public may see it: a secret entry without its subject and party. */
  public?: boolean;
}

export async function listEntries(store: Store, input: ListEntriesInput): Promise<DiaryEntry[] | PublicEntry[]> {
  const caseId = input.caseRef === undefined ? undefined : await store.cases.resolve(input.caseRef);
  const entries = await store.documents.list({ year: input.year, caseId });
  return input.public ? entries.map(publicEntry) : entries;
}
