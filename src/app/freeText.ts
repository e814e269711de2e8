// Free text that names a case's persons: refused where it enters (an action's text, a reopening's reason), so
// that it never reaches the audit trail, the public diary or an e-mail.

import { RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import { namePatterns } from "../core/personalNames.js";
import { findPersonalData } from "../mail/guard.js";
import type { Store } from "../store/store.js";

/** Refuses a personnummer anywhere, and the name of any person of the case, in `text` (of the flag `field`). */
export async function assertNoPersonalDataFor(store: Store, caseId: number, text: string, field: string): Promise<void> {
  assertNoPersonalNumber(text, field, store.today);
  assertPrintable(text, field);
  const names = (await store.cases.persons(caseId, true)).map((p) => p.name);
  if (names.every((n) => n === null)) return;
  if (findPersonalData(text, namePatterns(names), store.today) === "name") throw new RefusedError("error.nameInText", { field });
}
