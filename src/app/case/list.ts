// `case list`: the cases a filter selects, as objects (the table) or as JSON texts SQLite builds (--json).

import type { Case, CaseFilter } from "../../core/types.js";
import type { Store } from "../../store/store.js";

/** The filter with its counterpart checked against the directory (a unit counts as its organisation). */
function checked(store: Store, filter: CaseFilter): CaseFilter {
  return filter.counterpartId === undefined ? filter : { ...filter, counterpartId: store.orgs.require(filter.counterpartId).id };
}

export async function listCases(store: Store, filter: CaseFilter): Promise<Case[]> {
  return store.cases.list(checked(store, filter));
}

/** Each case's JSON text, one at a time (100,000 cases never become objects). */
export async function listCaseJson(store: Store, filter: CaseFilter): Promise<Iterable<string>> {
  return store.cases.iterateJson(checked(store, filter));
}
