// `db grant`: a database role given the privileges of one of the register's roles (PostgreSQL only), the
// grants and their audit event in one transaction.

import type { Role } from "../../store/roles.js";
import type { Store } from "../../store/store.js";

export interface GrantResult {
  role: string;
  grant: Role;
  tables: number;
  /** A superuser may do everything whatever it is granted. */
  superuser: boolean;
}

export async function grantRole(store: Store, input: { role: string; grant: Role }): Promise<GrantResult> {
  return store.write(async () => {
    const r = await store.roles.grant(input.role, input.grant);
    await store.audit.record("db.grant", null, { role: input.role, grant: input.grant });
    return { role: input.role, grant: input.grant, ...r };
  });
}
