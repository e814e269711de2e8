// What `notify`, `send` and `outbox …` show of a message, and the delivery at once after queueing.

import { FailedError, InterruptedError, reasonOfText } from "../../../core/errors.js";
import { isMessageKey, type MessageKey, type Params, type Translate } from "../../../i18n/index.js";
import type { PreparedMessage } from "../../../mail/compose.js";
import type { OutboxMessage } from "../../../store/outbox.js";
import type { Store } from "../../../store/store.js";
import { flushMessages } from "../../../app/mail/outbox.js";
import type { Context } from "../../context.js";
import { withInterrupt } from "../../interrupt.js";

/** The JSON of a message: the contract's keys first ({id,to,subject,status,attempts,lastError}), then the rest. */
export function messageView(m: OutboxMessage, file?: string) {
  return {
    id: m.id,
    to: m.recipients.filter((r) => r.kind === "to").map((r) => r.address).join(", "),
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    cc: m.recipients.filter((r) => r.kind === "cc").map((r) => r.address).join(", "),
    case: m.diaryNumber,
    template: m.template,
    messageId: m.messageId,
    from: m.from.address,
    recipients: m.recipients,
    deliveredTo: m.deliveredTo,
    attachments: m.attachments.map((a) => a.filename),
    createdAt: m.createdAt,
    lastAttemptAt: m.lastAttemptAt,
    sentAt: m.sentAt,
    failedAt: m.failedAt,
    // How a sent message left: "smtp" (a mail server accepted it) or "file" (only written as an .eml file).
    ...(m.status === "sent" && m.transport ? { channel: m.transport } : {}),
    ...(file ? { file } : {}),
  };
}

/** A message's status in words: a message "sent" without a mail server was only saved as an .eml file. */
export function statusKey(m: OutboxMessage): MessageKey {
  return m.status === "sent" && m.transport === "file" ? "mail.status.savedFile" : (`mail.status.${m.status}` as MessageKey);
}

/** The outbox's counts in words: "2 köade, 3 sparade som .eml-filer (inte skickade)", each part in its plural. */
export function countsText(t: Translate, counts: { queued: number; sent: number; failed: number }, files: number): string {
  const parts = [t("mail.count.queued", { n: counts.queued })];
  if (counts.sent - files > 0 || files === 0) parts.push(t("mail.count.sent", { n: counts.sent - files }));
  if (files > 0) parts.push(t("mail.count.files", { n: files }));
  if (counts.failed > 0) parts.push(t("mail.count.failed", { n: counts.failed }));
  return `${parts.join(", ")}.`;
}

/** A message's stored last error in the reader's words ("servern 127.0.0.1:25 svarar inte (anslutningen nekades)"). */
export function errorText(t: Translate, text: string | null): string {
  if (!text) return "";
  const ref = reasonOfText(text);
  return isMessageKey(ref.key) ? t(ref.key, ref.params as Params) : text;
}

export const who = (m: PreparedMessage | OutboxMessage, kind: "to" | "cc") =>
  m.recipients
    .filter((r) => r.kind === kind)
    .map((r) => (r.name ? `${r.name} <${r.address}>` : r.address))
    .join(", ");

/** Prints what was queued and, unless --queue-only, tries to deliver it at once (it stays queued if that fails). */
export async function announceAndDeliver(ctx: Context, store: Store, queued: OutboxMessage, queueOnly: boolean, extra: Record<string, unknown> = {}): Promise<void> {
  ctx.out.line(ctx.t("mail.queued", { id: queued.id, to: who(queued, "to"), subject: queued.subject }));
  const cc = who(queued, "cc");
  if (cc) ctx.out.line(ctx.t("mail.queuedCc", { cc }));
  let final = queued;
  let file: string | undefined;
  if (queueOnly) {
    ctx.out.line(ctx.t("mail.queuedOnly"));
  } else {
    try {
      const r = await withInterrupt((signal) => flushMessages(store, { home: ctx.home, env: ctx.env, ids: [queued.id], signal }), () => ctx.out.warn(ctx.t("mail.interrupting")));
      final = r.messages[0] ?? await store.outbox.get(queued.id);
      file = r.files[queued.id];
      if (final.status === "sent") {
        ctx.out.line(file ? ctx.t("mail.deliveredFile", { id: final.id, file }) : ctx.t("mail.deliveredSmtp", { id: final.id, target: r.target }));
      } else {
        ctx.out.warn(ctx.t("mail.notDelivered", { id: final.id, error: errorText(ctx.t, final.lastError) }));
      }
    } catch (err) {
      if (err instanceof InterruptedError) throw err;
      // The message is safely queued; a configuration problem only delays it.
      const text = err instanceof FailedError ? ctx.t(err.key as MessageKey, err.params) : err instanceof Error ? err.message : String(err);
      ctx.out.warn(ctx.t("mail.notDelivered", { id: queued.id, error: text }));
      final = await store.outbox.get(queued.id);
    }
  }
  if (ctx.json) ctx.out.json({ ...messageView(final, file), ...extra });
}
