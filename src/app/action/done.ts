// `action done ID`: marks an action done (once: a second run is refused, decided under the write lock).

import type { CaseAction } from "../../core/actions.js";
import type { Store } from "../../store/store.js";

export interface DoneAction {
  action: CaseAction;
  /** The case's actions still open after this one. */
  open: CaseAction[];
}

export async function markActionDone(store: Store, id: number): Promise<DoneAction> {
  return await store.write(async () => {
    const action = await store.actions.done(id);
    return { action, open: await store.actions.openFor(action.caseId) };
  });
}
