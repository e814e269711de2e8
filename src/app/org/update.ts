// `org update ID --deviation-recipient ID|none`: where the organisation's deviations go by post.

import type { Org } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface RecipientChange {
  org: Org;
  result: "updated" | "unchanged";
  /** The recipient now, null when cleared. */
  recipient: Org | null;
}

export async function setDeviationRecipient(store: Store, id: string, recipientId: string | null): Promise<RecipientChange> {
  return await store.write(async () => {
    const result = await store.orgs.setDeviationRecipient(id, recipientId);
    return { org: await store.orgs.require(id), result, recipient: recipientId === null ? null : await store.orgs.require(recipientId) };
  });
}
