// `action add`: an action (åtgärd) of a case, with its owner (a contact) and due date; the owner is told through
// the outbox, in the same transaction.

import { assertDueNotPast, type CaseAction } from "../../core/actions.js";
import type { IsoDate } from "../../core/dates.js";
import { RefusedError } from "../../core/errors.js";
import type { OutboxMessage } from "../../store/outbox.js";
import type { Store } from "../../store/store.js";
import { assertNoPersonalDataFor } from "../freeText.js";

export interface AddActionInput {
  /** The case: a diary number, id or external reference. */
  ref: string;
  text: string;
  /** The owner: a contact's e-mail address or name. */
  owner: string;
  due: IsoDate;
  /** Notify the owner (the sender as configured, or null for the default); undefined: no notice. */
  notify?: { from: string | null };
}

export interface AddedAction {
  action: CaseAction;
  /** The notice queued to the owner, if any. */
  notice: OutboxMessage | null;
}

/** Adds the action in one transaction, decided on a fresh read of the case (closed cases take no new action). */
export async function addAction(store: Store, input: AddActionInput): Promise<AddedAction> {
  assertDueNotPast(input.due, store.today);
  const compose = input.notify ? await import("../../mail/compose.js") : undefined;
  return await store.write(async () => {
    const caseId = await store.cases.resolve(input.ref);
    const owner = await store.contacts.find(input.owner);
    const c = await store.cases.get(caseId);
    if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: await store.cases.label(caseId) });
    await assertNoPersonalDataFor(store, caseId, input.text, "--text");
    const action = await store.actions.add(caseId, { text: input.text, ownerId: owner.id, due: input.due });
    const notice = compose && input.notify ? await compose.queueActionNotice(store, action, input.notify.from) : null;
    return { action, notice };
  });
}
