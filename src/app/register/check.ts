// `check`: the register's health (integrity, foreign keys, audit trail, stored files, the key).

import type { CheckReport } from "../../store/protection.js";
import type { Store } from "../../store/store.js";

export async function checkRegister(store: Store): Promise<CheckReport> {
  return await store.protection.check();
}
