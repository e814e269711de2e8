// `case status REF STATUS` and `case close REF`: one step of the workflow, checked under the lock (closing
// waits for the case's open actions).

import type { Status } from "../../core/codes.js";
import type { Case } from "../../core/types.js";
import type { Store } from "../../store/store.js";

export async function moveCase(store: Store, ref: string, to: Status): Promise<{ case: Case; from: Status; to: Status }> {
  const id = await store.cases.resolve(ref);
  const r = await store.write(async () => await store.cases.setStatus(id, to));
  return { case: await store.cases.get(id), from: r.from, to: r.to };
}

/** The case as it is now (for choosing its next step). */
export async function currentCase(store: Store, ref: string): Promise<Case> {
  return store.cases.get(await store.cases.resolve(ref));
}
