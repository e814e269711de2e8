// `classification list`: the loaded scheme's codes and names, the default code and how many matters use each.

import type { ClassCode } from "../../core/classification.js";
import type { Store } from "../../store/store.js";

export interface SchemeView {
  defaultCode: string | null;
  codes: ClassCode[];
}

export async function listClassification(store: Store): Promise<SchemeView> {
  return await store.read(async () => ({ defaultCode: await store.classification.defaultCode(), codes: await store.classification.list() }));
}
