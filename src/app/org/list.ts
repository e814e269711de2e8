// `org list`: the directory, each organisation followed by its units.

import type { Org } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export async function listOrgs(store: Store): Promise<Org[]> {
  return await store.orgs.list();
}
