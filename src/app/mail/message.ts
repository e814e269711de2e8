// `notify REF` and `send REF`: a message about a case into the outbox (internal notices to roles and people of
// our own organisation; a message to the counterpart, diarised, with the masked report when asked). Personal
// data never leaves by e-mail: the guard in src/mail/compose.ts refuses a message that holds any.

import { isCode, ROLES, type Role } from "../../core/codes.js";
import { RefusedError } from "../../core/errors.js";
import { caseLabel } from "../../core/diaryNumber.js";
import { isAwaitingAnswer } from "../../core/deadline.js";
import type { Status } from "../../core/codes.js";
import type { CaseDocument } from "../../core/types.js";
import { tSv } from "../../i18n/index.js";
import type { AttachmentInput } from "../../mail/compose.js";
import type { OutboxMessage } from "../../store/outbox.js";
import type { Store } from "../../store/store.js";

export const NOTIFY_TEMPLATES = ["arrived", "answered", "reminder"] as const;
const isRole = (v: string): v is Role => isCode(ROLES, v);

export interface MessageInput {
  ref: string;
  /** Roles (codes) or e-mail addresses, already checked. */
  to: string[];
  cc: string[];
  home: string;
  env: NodeJS.ProcessEnv;
}

async function diarisedCase(store: Store, ref: string): Promise<number> {
  const id = await store.cases.resolve(ref);
  const c = await store.cases.get(id);
  if (!c.diaryNumber) throw new RefusedError("mail.error.caseNotDiarised", { case: caseLabel(null, id) });
  return id;
}

/** Queues a notice from a template (by the case's status when none is given); gives the queued message. */
export async function notifyCase(store: Store, input: MessageInput & { template?: (typeof NOTIFY_TEMPLATES)[number] }): Promise<OutboxMessage> {
  const id = await diarisedCase(store, input.ref);
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = await import("../../mail/compose.js");
  const options = loadMailOptions(input.home, input.env);
  const c = await store.cases.get(id);
  const chosen = input.template ?? (isAwaitingAnswer(c.status) ? "arrived" : "answered");
  const prepared = await mail.prepareMessage(store, {
    caseId: id,
    template: chosen,
    to: await mail.resolveTargets(store, id, input.to, "internal", isRole),
    cc: await mail.resolveTargets(store, id, input.cc, "internal", isRole),
    from: await mail.senderOf(store, options.from),
  });
  return await store.write(async () => mail.queue(store, prepared));
}

export interface SentCase {
  queued: OutboxMessage;
  /** The outgoing diary document the message is recorded as. */
  doc: CaseDocument;
  /** An outgoing case still registered is now sent. */
  moved: { from: Status; to: Status } | null;
  status: Status;
  diaryNumber: string;
}

/** The masked report PDF (src/documents/report.ts), for `send --report`. */
async function maskedReport(store: Store, caseId: number): Promise<AttachmentInput> {
  const { renderReport } = await import("../../documents/report.js");
  const content = (await renderReport(store, caseId, { withPersonalData: false })).pdf;
  const label = (await store.cases.label(caseId)).replace(/[^A-Za-z0-9._-]+/g, "-");
  return { filename: `${label}-rapport.pdf`, contentType: "application/pdf", content };
}

/** Queues the message to the counterpart, diarises it and moves a registered outgoing case to sent, in one transaction. */
export async function sendCase(store: Store, input: MessageInput & { report: boolean }): Promise<SentCase> {
  const id = await diarisedCase(store, input.ref);
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = await import("../../mail/compose.js");
  const options = loadMailOptions(input.home, input.env);
  const toAddresses = await mail.resolveTargets(store, id, input.to, "external", isRole);
  const attachments: AttachmentInput[] = input.report ? [await maskedReport(store, id)] : [];
  const prepared = await mail.prepareMessage(store, {
    caseId: id,
    template: "report",
    to: toAddresses,
    cc: await mail.resolveTargets(store, id, input.cc, "external", isRole),
    from: await mail.senderOf(store, options.from),
    attachments,
  });
  // The register records who it was sent to: the organisations of known contacts, else the addresses.
  const contacts = await store.contacts.list();
  const names = new Set<string>();
  for (const a of toAddresses) {
    const k = contacts.find((x) => x.email.toLowerCase() === a.address.toLowerCase());
    const org = k ? await store.orgs.get(k.orgId) : undefined;
    names.add(org ? (await store.orgs.topOf(org)).name : a.address);
  }
  const parties = [...names].join(", ");
  return await store.write(async () => {
    const queued = await mail.queue(store, prepared);
    const doc = await store.documents.add(id, {
      direction: "out",
      subject: tSv(input.report ? "mail.diarySubjectReport" : "mail.diarySubject"),
      party: parties.slice(0, 300),
      fileHash: queued.attachments[0]?.fileHash ?? null,
    });
    const now = await store.cases.get(id); // under the lock: another process may have sent it meanwhile
    const moved = now.direction === "out" && now.status === "registered" ? await store.cases.setStatus(id, "sent") : null;
    return { queued, doc, moved, status: moved?.to ?? now.status, diaryNumber: now.diaryNumber ?? "" };
  });
}
