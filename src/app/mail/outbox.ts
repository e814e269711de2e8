// The outbox: `outbox list|show|flush|retry`, and delivering one message at once after `notify`/`send`.
// Each acceptance by the server is recorded in its own transaction (src/mail/deliver.ts, which loads
// nodemailer when it runs); a message that fails stays queued for the next flush.

import { RefusedError, messageRef } from "../../core/errors.js";
import type { FlushResult } from "../../mail/deliver.js";
import type { OutboxMessage, OutboxStatus } from "../../store/outbox.js";
import type { Store } from "../../store/store.js";

export interface MailEnv {
  home: string;
  env: NodeJS.ProcessEnv;
}

/** Sends the outbox (all that is queued, or only `ids`); stops cleanly when `signal` aborts. */
export async function flushMessages(store: Store, o: MailEnv & { ids?: number[]; signal?: AbortSignal }): Promise<FlushResult> {
  const { loadMailOptions, resolveSmtp } = await import("../../mail/config.js");
  const { flushOutbox } = await import("../../mail/deliver.js");
  const options = loadMailOptions(o.home, o.env);
  const smtp = resolveSmtp(o.home, o.env);
  return flushOutbox(store, { smtp, options, ...(o.ids ? { ids: o.ids } : {}), ...(o.signal ? { signal: o.signal } : {}) });
}

export async function listOutbox(store: Store, filter: { status?: OutboxStatus; caseRef?: string }): Promise<{ messages: OutboxMessage[]; counts: { queued: number; sent: number; failed: number }; files: number }> {
  const caseId = filter.caseRef !== undefined ? await store.cases.resolve(filter.caseRef) : undefined;
  const messages = await store.outbox.list({ ...(filter.status ? { status: filter.status } : {}), ...(caseId !== undefined ? { caseId } : {}) });
  return { messages, counts: await store.outbox.counts(), files: await store.outbox.savedAsFiles() };
}

/** One message with how many attempts it gets. */
export async function showOutboxMessage(store: Store, id: number, o: MailEnv): Promise<{ message: OutboxMessage; maxAttempts: number }> {
  const message = await store.outbox.get(id);
  const { loadMailOptions } = await import("../../mail/config.js");
  return { message, maxAttempts: loadMailOptions(o.home, o.env).retries };
}

/** A failed message queued again (its attempts start over); refused for one that has not failed. */
export async function retryMessage(store: Store, id: number): Promise<OutboxMessage> {
  return await store.write(async () => {
    const before = await store.outbox.get(id);
    if (before.status !== "failed") throw new RefusedError("mail.error.retryNotFailed", { id, status: messageRef(`mail.status.${before.status}`) });
    await store.outbox.retry(id);
    return await store.outbox.get(id);
  });
}
