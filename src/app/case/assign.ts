// `case assign REF --to CONTACT`: who at our organisation handles the case; an incoming registered case moves
// on to assigned.

import type { Case, Contact } from "../../core/types.js";
import type { Store } from "../../store/store.js";

/** The contacts of our own organisation and its units, managers first: whom a case may be assigned to. */
export async function assignableContacts(store: Store): Promise<Contact[]> {
  const self = await store.orgs.self();
  const ours = new Set([self.id, ...(await store.orgs.unitsOf(self.id)).map((u) => u.id)]);
  return (await store.contacts.list())
    .filter((k) => ours.has(k.orgId))
    .sort((a, b) => Number(b.role === "manager") - Number(a.role === "manager"));
}

/** `to` is a contact's e-mail address or (a unique part of) its name, or the contact itself. */
export async function assignCase(store: Store, ref: string, to: string | Contact): Promise<{ case: Case; contact: Contact; statusChanged: boolean }> {
  const id = await store.cases.resolve(ref);
  const contact = typeof to === "string" ? await store.contacts.find(to) : to;
  const r = await store.write(async () => await store.cases.assign(id, contact));
  return { case: await store.cases.get(id), contact, statusChanged: r.statusChanged };
}
