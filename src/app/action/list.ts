// `action list`: the actions of the register, of one case, or only the overdue ones.

import type { CaseAction } from "../../core/actions.js";
import type { Store } from "../../store/store.js";

export interface ActionListInput {
  /** A case reference; the case must exist. */
  ref?: string;
  overdue?: boolean;
}

export async function listActions(store: Store, input: ActionListInput = {}): Promise<CaseAction[]> {
  return await store.read(async () => {
    const caseId = input.ref !== undefined ? await store.cases.resolve(input.ref) : undefined;
    return await store.actions.list({ caseId, overdue: input.overdue === true });
  });
}
