// Building messages and putting them in the outbox. Other commands queue mail like this:
//
//   const prepared = await prepareMessage(store, { caseId, template: "report", to, cc, attachments });  // async: renders, guards
//   await store.write(async () => { …the change…; await queue(store, prepared); });                                  // stored with the change
//
// or, for a notice without attachments whose text depends on the change itself (a new diary number), entirely
// inside the write: `queue(store, draftMessage(store, spec))` or `queueNotice(store, caseId, "answered")`.
// Nothing here loads nodemailer; delivery is `flushOutbox` in deliver.ts.

import { randomUUID } from "node:crypto";
import type { Role } from "../core/codes.js";
import { NotFoundError, RefusedError, messageRef } from "../core/errors.js";
import type { Case, Contact } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import type { MailAddress, OutboxAttachment, OutboxMessage, Recipient } from "../store/outbox.js";
import type { Store } from "../store/store.js";
import { assertNoPersonalData, pdfText, type MessagePart } from "./guard.js";
import { fill, loadTemplate, type GeneralTemplateName, type NoticeTemplateName, type TemplateName } from "./templates.js";
import { caseLabel } from "../core/diaryNumber.js";

export type { TemplateName, GeneralTemplateName } from "./templates.js";

export interface AttachmentInput {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MessageSpec {
  caseId: number;
  template: TemplateName | NoticeTemplateName;
  /** Values of the message's own besides the case's (an action's text and due date). */
  values?: Record<string, string | null>;
  to: MailAddress[];
  cc?: MailAddress[];
  /** The sender; defaults to `senderOf(store)`. */
  from?: MailAddress;
  attachments?: AttachmentInput[];
}

/** A message rendered and checked by the guard, ready for `queue`. */
export interface PreparedMessage {
  messageId: string;
  /** Null for a message about several cases (the morning summary). */
  caseId: number | null;
  template: TemplateName | GeneralTemplateName | NoticeTemplateName;
  from: MailAddress;
  recipients: Recipient[];
  subject: string;
  body: string;
  attachments: AttachmentInput[];
}

const code = (group: string, value: string | null) => (value ? tSv(`${group}.${value}` as MessageKey) : null);

/** The values a template may use, all in Swedish and none of them personal data of a patient. */
export async function templateValues(store: Store, c: Case, extra: Record<string, string | null> = {}): Promise<Record<string, string | null>> {
  const self = await store.orgs.self();
  const daysText =
    c.daysLeft === 0 ? tSv("common.dueToday") : c.daysLeft < 0 ? tSv("common.daysOverdue", { n: -c.daysLeft }) : tSv("common.daysLeft", { n: c.daysLeft });
  return {
    diaryNumber: caseLabel(c.diaryNumber, c.id),
    org: self.name,
    counterpart: c.counterpart.name,
    unit: c.unit?.name ?? null,
    dueDate: c.dueDate,
    daysLeft: String(c.daysLeft),
    daysText,
    kind: code("kind", c.kind),
    area: code("area", c.area),
    severity: code("severity", c.severity),
    status: code("status", c.status),
    summary: c.summary,
    description: c.description,
    causes: c.causes,
    actions: c.actions,
    followUp: c.followUp,
    eventDate: c.eventDate,
    discoveredDate: c.discoveredDate,
    receivedDate: c.receivedDate,
    refs: c.refs.map((r) => `${r.system} ${r.id}`).join(", ") || null,
    assignee: c.assignee?.name ?? null,
    attachmentNote: null,
    ...extra,
  };
}

/** Our sender: AVVIK_MAIL_FROM / config "mail.from", else our registrar's or mailbox's address. */
export async function senderOf(store: Store, configured: string | null = null): Promise<MailAddress> {
  const self = await store.orgs.self();
  if (configured) {
    const m = /^\s*(?:"?([^"<]*?)"?\s*<([^>]+)>|(\S+@\S+))\s*$/.exec(configured);
    if (m) return m[3] ? { name: self.name, address: m[3] } : { name: m[1]?.trim() || self.name, address: m[2]!.trim() };
  }
  const contact = (await store.contacts.withRole(self.id, "registrar"))[0] ?? (await store.contacts.withRole(self.id, "mailbox"))[0];
  return { name: self.name, address: contact?.email ?? `avvik@${self.id}.invalid` };
}

function domainOf(address: string): string {
  const d = address.split("@")[1]?.toLowerCase().replace(/[^a-z0-9.-]/g, "") ?? "";
  return d || "avvik.invalid";
}

function recipientList(to: MailAddress[], cc: MailAddress[]): Recipient[] {
  const seen = new Set<string>();
  const out: Recipient[] = [];
  for (const [kind, list] of [["to", to], ["cc", cc]] as const) {
    for (const a of list) {
      const key = a.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: a.name, address: a.address, kind });
    }
  }
  return out;
}

async function compose(store: Store, spec: MessageSpec, attachmentTexts: string[]): Promise<PreparedMessage> {
  const c = await store.cases.get(spec.caseId);
  const attachments = spec.attachments ?? [];
  const recipients = recipientList(spec.to, spec.cc ?? []);
  if (!recipients.some((r) => r.kind === "to")) throw new RefusedError("mail.error.noRecipients", { case: caseLabel(c.diaryNumber, c.id) });
  const template = loadTemplate(store.home, spec.template);
  const note = attachments.length ? attachments.map((a) => a.filename).join(", ") : tSv("mail.noAttachment");
  const values = await templateValues(store, c, { attachmentNote: note, ...spec.values });
  const subject = fill(template.subject, values).replace(/[\r\n]+/g, " ").trim();
  const body = fill(template.body, values);
  const parts: MessagePart[] = [
    { kind: "subject", text: subject },
    { kind: "body", text: body },
  ];
  attachments.forEach((a, i) => {
    parts.push({ kind: "attachment", name: a.filename, text: `${a.filename}\n${attachmentTexts[i] ?? ""}` });
  });
  const names = (await store.cases.persons(spec.caseId, true)).map((p) => p.name);
  assertNoPersonalData(parts, names, store.today);
  const from = spec.from ?? (await senderOf(store));
  return {
    messageId: `<${randomUUID()}@${domainOf(from.address)}>`,
    caseId: spec.caseId,
    template: spec.template,
    from,
    recipients,
    subject,
    body,
    attachments,
  };
}

/**
 * A message about several cases (the morning summary): no case of its own. The guard checks it against the
 * names of every person in `caseIds`, besides personnummer. Usable inside `store.write`.
 */
export async function draftGeneral(
  store: Store,
  spec: { template: GeneralTemplateName; values: Record<string, string | null>; to: MailAddress[]; cc?: MailAddress[]; from?: MailAddress; caseIds: number[] },
): Promise<PreparedMessage> {
  const recipients = recipientList(spec.to, spec.cc ?? []);
  if (!recipients.some((r) => r.kind === "to")) throw new RefusedError("mail.error.noRecipients", { case: "–" });
  const template = loadTemplate(store.home, spec.template);
  const values = { org: (await store.orgs.self()).name, ...spec.values };
  const subject = fill(template.subject, values).replace(/[\r\n]+/g, " ").trim();
  const body = fill(template.body, values);
  const names: Array<string | null> = [];
  for (const id of spec.caseIds) names.push(...(await store.cases.persons(id, true)).map((p) => p.name));
  assertNoPersonalData([{ kind: "subject", text: subject }, { kind: "body", text: body }], names, store.today);
  const from = spec.from ?? (await senderOf(store));
  return { messageId: `<${randomUUID()}@${domainOf(from.address)}>`, caseId: null, template: spec.template, from, recipients, subject, body, attachments: [] };
}

/** Renders and guards a message without attachments (no await but the register's: usable inside `store.write`). */
export function draftMessage(store: Store, spec: Omit<MessageSpec, "attachments">): Promise<PreparedMessage> {
  return compose(store, { ...spec, attachments: [] }, []);
}

/**
 * Renders a message and runs the guard on its final parts, attachments included (PDF text is extracted with
 * pdf-parse; other attachments must be text). Refuses with one line when any part holds personal data.
 */
export async function prepareMessage(store: Store, spec: MessageSpec): Promise<PreparedMessage> {
  const texts: string[] = [];
  for (const a of spec.attachments ?? []) {
    if (a.contentType === "application/pdf" || a.filename.toLowerCase().endsWith(".pdf")) {
      let text: string;
      try {
        text = await pdfText(a.content);
      } catch {
        throw new RefusedError("mail.error.attachmentUnreadable", { name: a.filename });
      }
      texts.push(text);
    } else if (a.contentType.startsWith("text/")) {
      texts.push(a.content.toString("utf8"));
    } else {
      throw new RefusedError("mail.error.attachmentUnreadable", { name: a.filename });
    }
  }
  return compose(store, spec, texts);
}

/**
 * Stores a prepared message in the outbox as `queued` (attachments as stored files) and records it in the audit
 * trail. Call (and await) inside the `store.write` of the change that caused the message.
 */
export async function queue(store: Store, p: PreparedMessage): Promise<OutboxMessage> {
  const attachments: OutboxAttachment[] = [];
  for (const a of p.attachments) {
    const f = await store.files.put(a.content, { mediaType: a.contentType, originalName: a.filename });
    attachments.push({ filename: a.filename, contentType: a.contentType, fileHash: f.hash });
  }
  const id = await store.outbox.add({
    messageId: p.messageId,
    caseId: p.caseId,
    template: p.template,
    from: p.from,
    recipients: p.recipients,
    subject: p.subject,
    body: p.body,
    attachments,
  });
  await store.audit.record("mail.queue", p.caseId, {
    message: id,
    template: p.template,
    to: p.recipients.filter((r) => r.kind === "to").length,
    cc: p.recipients.filter((r) => r.kind === "cc").length,
    attachments: attachments.length,
  });
  return store.outbox.get(id);
}

// --- who receives what ---

const asAddress = (c: Contact): MailAddress => ({ name: c.name, address: c.email });

function unique(contacts: Contact[]): Contact[] {
  const seen = new Set<string>();
  return contacts.filter((c) => {
    const k = c.email.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The contacts a role means for a case (CLI.md section 3): the case's unit, then our own organisation, then the
 * counterpart; last, the counterpart's units when exactly one of them has the role (the region's coordinator
 * sits in a unit). The same order for notices and for sending, so that a script can rely on it.
 */
export async function contactsForRole(store: Store, caseId: number, role: Role, _mode: "internal" | "external"): Promise<Contact[]> {
  const c = await store.cases.get(caseId);
  const self = await store.orgs.self();
  const order = [...new Set([...(c.unit ? [c.unit.id] : []), self.id, c.counterpart.id])];
  for (const orgId of order) {
    const found = await store.contacts.withRole(orgId, role);
    if (found.length) return unique(found);
  }
  // Last, the counterpart's units (the region's coordinator sits in a unit): only when exactly one unit has the role.
  const byUnit: Contact[][] = [];
  for (const u of await store.orgs.unitsOf(c.counterpart.id)) {
    const list = await store.contacts.withRole(u.id, role);
    if (list.length) byUnit.push(list);
  }
  if (byUnit.length === 1) return unique(byUnit[0]!);
  if (byUnit.length > 1) {
    const candidates = byUnit.flat().map((k) => `${k.name} <${k.email}>`).join(", ");
    throw new RefusedError("mail.error.roleAmbiguous", { role, case: caseLabel(c.diaryNumber, c.id), candidates });
  }
  return [];
}

/** `--to`/`--cc` values (a role or an address) to addresses; an unknown role or a role nobody has is refused. */
export async function resolveTargets(store: Store, caseId: number, targets: string[], mode: "internal" | "external", isRole: (v: string) => v is Role): Promise<MailAddress[]> {
  const out: MailAddress[] = [];
  for (const raw of targets) {
    const t = raw.trim();
    if (t.includes("@")) {
      const known = (await store.contacts.list()).find((k) => k.email.toLowerCase() === t.toLowerCase());
      out.push({ name: known?.name ?? null, address: t });
      continue;
    }
    const role = t.toLowerCase();
    if (!isRole(role)) throw new RefusedError("mail.error.badTarget", { value: t });
    const found = await contactsForRole(store, caseId, role, mode);
    if (!found.length) throw new NotFoundError("mail.error.noContactForRole", { role: messageRef(`roleWord.${role}`), case: await store.cases.label(caseId) });
    out.push(...found.map(asAddress));
  }
  return out;
}

/**
 * The automatic notices of the Linköping flow: "arrived" (an incoming deviation was diarised) and "answered"
 * (an answer was diarised) go to the manager concerned (the case's assignee, else the managers of the case's unit
 * when it is ours, else our own organisation's managers), with MA and SAS of our organisation in copy.
 * Returns null when there is nobody to send to.
 */
export async function noticeRecipients(store: Store, caseId: number, template: "arrived" | "answered"): Promise<{ to: MailAddress[]; cc: MailAddress[] } | null> {
  const c = await store.cases.get(caseId);
  const self = await store.orgs.self();
  let to: MailAddress[] = [];
  if (template === "answered" && c.assignee) to = [{ name: c.assignee.name, address: c.assignee.email }];
  if (!to.length) {
    const unit = c.unit ? await store.orgs.get(c.unit.id) : undefined;
    if (unit && (await store.orgs.topOf(unit)).id === self.id) to = (await store.contacts.withRole(unit.id, "manager")).map(asAddress);
  }
  if (!to.length) to = (await store.contacts.withRole(self.id, "manager")).map(asAddress);
  if (!to.length) return null;
  const cc = unique([...(await store.contacts.withRole(self.id, "ma")), ...(await store.contacts.withRole(self.id, "sas"))]).map(asAddress);
  return { to, cc };
}

/**
 * Queues an automatic notice for a case; call (and await) inside the `store.write` of the change (registering
 * the case, diarising the answer). Returns null when there is nobody to notify. Throws (and so undoes the
 * change) when the notice would carry personal data.
 */
export async function queueNotice(store: Store, caseId: number, template: "arrived" | "answered", from: string | null = null): Promise<OutboxMessage | null> {
  const r = await noticeRecipients(store, caseId, template);
  if (!r) return null;
  return queue(store, await draftMessage(store, { caseId, template, to: r.to, cc: r.cc, from: await senderOf(store, from) }));
}

/**
 * Tells an action's owner about it (template "action": the action's text and due date, the case's number, area
 * and counterpart; no personal data, the guard checks it); call (and await) inside the `store.write` that adds
 * the action, so that the action and its notice exist together or not at all.
 */
export async function queueActionNotice(
  store: Store,
  action: { caseId: number; text: string; due: string; owner: { name: string; email: string } },
  from: string | null = null,
): Promise<OutboxMessage> {
  return queue(
    store,
    await draftMessage(store, {
      caseId: action.caseId,
      template: "action",
      to: [{ name: action.owner.name, address: action.owner.email }],
      from: await senderOf(store, from),
      values: { actionText: action.text, actionDue: action.due, owner: action.owner.name },
    }),
  );
}
