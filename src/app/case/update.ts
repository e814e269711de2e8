// `case update REF …`: the case's content (severity, kind, texts, references, risk, classification) and the
// register's own marks on it (duplicate of another case, secrecy), in one transaction.

import { RefusedError } from "../../core/errors.js";
import { caseLabel } from "../../core/diaryNumber.js";
import type { Case } from "../../core/types.js";
import type { CaseChanges } from "../../store/cases.js";
import type { Store } from "../../store/store.js";

export interface CaseUpdate {
  /** Checked values; a unit by its id (must exist). */
  changes: Omit<CaseChanges, "duplicateOf">;
  /** A case reference, or "none" to unlink. */
  duplicateOf?: string;
  /** A checked OSL ground, or null to lift the marking. */
  secrecy?: string | null;
  /**
   * The values the user saw for the fields they change (the menu shows a case, then asks for a while): when one
   * of them differs in the register at the write, someone else changed it meanwhile and nothing is written. Fields
   * the user leaves alone may have changed; a write names exactly what it sets, so nothing is lost there.
   */
  expected?: Partial<Record<EditableField, string | null>>;
}

/** The content fields a person edits in a dialogue (the menu's answer): compared for a change made meanwhile. */
export type EditableField = "severity" | "causes" | "actions" | "followUp";

export async function updateCase(store: Store, ref: string, u: CaseUpdate): Promise<{ case: Case; changed: string[] }> {
  const id = await store.cases.resolve(ref);
  const changes: CaseChanges = { ...u.changes };
  if (changes.unitId) changes.unitId = (await store.orgs.require(changes.unitId)).id;
  if (u.duplicateOf !== undefined) {
    // Linking duplicates is for the statistics: the event counts once. A link never forms a chain.
    changes.duplicateOf = u.duplicateOf.trim().toLowerCase() === "none" ? null : await store.stats.duplicateTarget(id, await store.cases.resolve(u.duplicateOf));
  }
  // A closed case may still be marked as a duplicate (or unmarked), which changes the statistics, be classified
  // (the register's filing, e.g. before an archive delivery) or marked secret: none changes the matter itself.
  const keys = Object.keys(changes);
  const onlyRegister = keys.length === 0 ? u.secrecy !== undefined : keys.every((k) => k === "duplicateOf" || k === "classification");
  const changed = await store.write(async () => {
    // Decided on the status read in the transaction: another run may have closed the case meanwhile.
    const before = await store.cases.get(id);
    if (before.status === "closed" && !onlyRegister) throw new RefusedError("error.caseClosed", { case: caseLabel(before.diaryNumber, id) });
    const meanwhile = changedMeanwhile(before, u.expected ?? {});
    if (meanwhile.length) throw new RefusedError("error.caseChangedMeanwhile", { case: caseLabel(before.diaryNumber, id) });
    const fields = await store.cases.update(id, changes);
    if (changes.duplicateOf) await store.stats.repointDuplicates(id, changes.duplicateOf);
    if (u.secrecy !== undefined && await store.cases.setSecrecy(id, u.secrecy)) fields.push("secrecy");
    return fields;
  });
  return { case: await store.cases.get(id), changed };
}

/** The fields whose value in the register is no longer the one the user saw. */
function changedMeanwhile(now: Case, expected: Partial<Record<EditableField, string | null>>): EditableField[] {
  return (Object.keys(expected) as EditableField[]).filter((f) => (now[f] ?? null) !== (expected[f] ?? null));
}
