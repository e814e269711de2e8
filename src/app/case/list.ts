// `case list`: the cases a filter selects, as objects (the table) or as JSON texts SQLite builds (--json).

import type { Case, CaseFilter } from "../../core/types.js";
import type { Store } from "../../store/store.js";

/** The filter with its counterpart checked against the directory (a unit counts as its organisation). */
async function checked(store: Store, filter: CaseFilter): Promise<CaseFilter> {
  return filter.counterpartId === undefined ? filter : { ...filter, counterpartId: (await store.orgs.require(filter.counterpartId)).id };
}

export async function listCases(store: Store, filter: CaseFilter): Promise<Case[]> {
  return store.cases.list(await checked(store, filter));
}

/** Each case's JSON text, one at a time (100,000 cases never become objects). */
export async function listCaseJson(store: Store, filter: CaseFilter): Promise<AsyncIterable<string>> {
  return store.cases.iterateJson(await checked(store, filter));
}
