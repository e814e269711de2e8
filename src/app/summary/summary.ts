// `summary`: the morning's summary (new cases since the last one, overdue, due soon, awaiting a reply, overdue
// actions, cases for an event analysis), recorded so that the next one starts after it, and mailed when asked
// (always Swedish, through the outbox; never personal data).

import { join } from "node:path";
import { NotFoundError, messageRef } from "../../core/errors.js";
import type { Role } from "../../core/codes.js";
import type { IsoDate } from "../../core/dates.js";
import type { OutboxMessage } from "../../store/outbox.js";
import type { Summary } from "../../store/stats.js";
import type { Store } from "../../store/store.js";

/**
 * Composes the summary; every run counts (text or JSON: a cron job may use either) unless `peek`. It carries
 * the audit trail's head, to be kept outside the register (the mail or the cron log): `audit verify --expect`.
 */
export async function summarise(store: Store, o: { since?: IsoDate; dueDays?: number; peek: boolean; mail?: { home: string; env: NodeJS.ProcessEnv } }): Promise<Summary> {
  const { composeSummary } = await import("../../store/stats.js");
  const composed = await composeSummary(store, { since: o.since, dueDays: o.dueDays });
  if (!o.peek) {
    await store.write(async () =>
      await store.stats.recordSummary({
        since: composed.since,
        counts: { newCases: composed.newCases.length, overdue: composed.overdue.length, dueSoon: composed.dueSoon.length, awaitingReply: composed.awaitingReply.length },
      }),
    );
  }
  return { ...composed, ...(o.mail ? await savedAsFiles(store, o.mail) : {}), auditHead: await store.audit.last() };
}

/** Without a mail server, e-mail is only written as .eml files: the summary says how many and where. */
async function savedAsFiles(store: Store, o: { home: string; env: NodeJS.ProcessEnv }): Promise<Pick<Summary, "mailFiles">> {
  const { resolveSmtp } = await import("../../mail/config.js");
  let smtp;
  try {
    smtp = resolveSmtp(o.home, o.env);
  } catch {
    return {}; // unusable mail settings are doctor's and flush's to report
  }
  const count = smtp ? 0 : await store.outbox.savedAsFiles();
  return count > 0 ? { mailFiles: { count, dir: join(o.home, "outbox", "sent") } } : {};
}

/** The contacts with `role` in our own organisation, else in its units. */
export async function summaryRecipientsOf(store: Store, role: Role): Promise<Array<{ name: string | null; address: string }>> {
  const self = await store.orgs.self();
  let contacts = await store.contacts.withRole(self.id, role);
  if (!contacts.length) for (const u of await store.orgs.unitsOf(self.id)) contacts.push(...(await store.contacts.withRole(u.id, role)));
  if (!contacts.length) throw new NotFoundError("summary.noRecipient", { role: messageRef(`roleWord.${role}`), org: self.name });
  return contacts.map((c) => ({ name: c.name, address: c.email }));
}

/** Queues the summary mail (its Swedish text `body`, made by the caller) for the cases it names. */
export async function queueSummaryMail(store: Store, s: Summary, body: string, to: Array<{ name: string | null; address: string }>, o: { home: string; env: NodeJS.ProcessEnv }): Promise<OutboxMessage> {
  const { draftGeneral, queue, senderOf } = await import("../../mail/compose.js");
  const { loadMailOptions } = await import("../../mail/config.js");
  const options = loadMailOptions(o.home, o.env);
  const caseIds = [...new Set([...s.newCases, ...s.overdue, ...s.dueSoon, ...s.awaitingReply, ...s.eventAnalysis].map((c) => c.id).concat(s.overdueActions.map((a) => a.caseId)))];
  const from = options.from ? await senderOf(store, options.from) : undefined;
  const prepared = await draftGeneral(store, { template: "summary", values: { date: s.date, summary: body }, to, from, caseIds });
  return await store.write(async () => queue(store, prepared));
}
