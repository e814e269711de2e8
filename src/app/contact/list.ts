// `contact list`: the contacts of the directory, of one organisation and one role when asked.

import type { Role } from "../../core/codes.js";
import type { Contact } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface ContactFilter {
  orgId?: string;
  role?: Role;
}

/** The contacts by organisation, role and name; an organisation asked for must exist. */
export async function listContacts(store: Store, filter: ContactFilter = {}): Promise<Contact[]> {
  const orgId = filter.orgId === undefined ? undefined : (await store.orgs.require(filter.orgId)).id;
  return (await store.contacts.list(orgId)).filter((c) => filter.role === undefined || c.role === filter.role);
}
