// `org import NAME|FILE`: a directory's organisations and contacts into the register, in one transaction.

import type { OrgKind, Role } from "../../core/codes.js";
import type { Store } from "../../store/store.js";
import type { DirectoryFile } from "./directory.js";

export interface DirectoryImport {
  created: number;
  updated: number;
  unchanged: number;
  contacts: number;
}

/** Creates or updates every organisation of the (checked) directory, its contacts, then the recipients. */
export async function importDirectory(store: Store, data: DirectoryFile): Promise<DirectoryImport> {
  const counts = { created: 0, updated: 0, unchanged: 0, contacts: 0 };
  const results = new Map<string, "created" | "updated" | "unchanged">();
  await store.write(async () => {
    for (const o of data.orgs) {
      const address = Array.isArray(o.address) ? o.address.join("\n") : (o.address ?? null);
      const r = await store.orgs.upsert({ id: o.id, name: o.name, kind: o.kind as OrgKind, parentId: o.parent ?? null, address, deadlineMonths: o.deadlineMonths ?? null });
      counts[r]++;
      results.set(o.id, r);
      for (const c of o.contacts ?? []) {
        if (await store.contacts.ensure({ orgId: o.id, role: c.role as Role, name: c.name, email: c.email }) === "created") counts.contacts++;
      }
    }
    // Recipients after every organisation of the file is there (a region names one of its own units).
    for (const o of data.orgs) {
      if (o.deviationRecipient === undefined) continue;
      if (await store.orgs.setDeviationRecipient(o.id, o.deviationRecipient) === "updated" && results.get(o.id) === "unchanged") {
        counts.unchanged--;
        counts.updated++;
      }
    }
  });
  return counts;
}
