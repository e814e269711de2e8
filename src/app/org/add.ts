// `org add`: an organisation (or a unit of one) in the directory.

import type { OrgKind } from "../../core/codes.js";
import { UsageError } from "../../core/errors.js";
import type { Org } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface AddOrgInput {
  id: string;
  name: string;
  /** Left out for a unit: it is of its parent's kind. */
  kind?: OrgKind;
  parentId?: string;
  address: string | null;
  deadlineMonths: number | null;
  deviationRecipientId?: string;
}

/** Adds the organisation, with where its deviations go by post, in one transaction. */
export async function addOrg(store: Store, input: AddOrgInput): Promise<Org> {
  return await store.write(async () => {
    const parent = input.parentId !== undefined ? await store.orgs.require(input.parentId) : undefined;
    const kind = input.kind ?? parent?.kind;
    if (!kind) throw new UsageError("usage.missingFlag", { flag: "--kind" });
    await store.orgs.add({ id: input.id, name: input.name, kind, parentId: parent?.id ?? null, address: input.address, deadlineMonths: input.deadlineMonths });
    if (input.deviationRecipientId) await store.orgs.setDeviationRecipient(input.id, input.deviationRecipientId);
    return await store.orgs.require(input.id);
  });
}
