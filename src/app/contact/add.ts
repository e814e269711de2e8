// `contact add`: a person at an organisation of the directory who gets notices for a role.

import type { Role } from "../../core/codes.js";
import type { Contact, Org } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export interface AddContactInput {
  orgId: string;
  role: Role;
  name: string;
  email: string;
}

export interface AddedContact {
  contact: Contact;
  org: Org;
}

/** Adds the contact to an organisation that exists, in one transaction. */
export async function addContact(store: Store, input: AddContactInput): Promise<AddedContact> {
  return await store.write(async () => {
    const org = await store.orgs.require(input.orgId);
    return { contact: await store.contacts.add({ ...input, orgId: org.id }), org };
  });
}
