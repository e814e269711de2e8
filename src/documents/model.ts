// What a document needs to know about a case, gathered once: the parties, the addresses, the references
// (ours and theirs) and the persons, masked or in clear. Personal data in clear only when asked for, and
// the reveal is recorded in the audit trail by the caller that prints it.

import type { Case, ExternalRef, Org } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import type { RevealedPerson } from "../store/cases.js";
import type { Store } from "../store/store.js";
import { texts, type Texts } from "./texts.js";
import { caseLabel } from "../core/diaryNumber.js";

export interface CaseModel {
  c: Case;
  diaryNumber: string;
  self: Org;
  counterpart: Org;
  /** The unit concerned, when the case names one. */
  unit: Org | null;
  /** Who the envelope goes to (see `postalTarget`), its name and postal address lines for the window. */
  recipient: { name: string; lines: string[]; hasAddress: boolean; org: Org };
  /** Where answers are posted back to: our own deviation recipient, else our organisation. */
  returnTo: { lines: string[]; hasAddress: boolean };
  /** Our sender block: name and address lines. */
  sender: { name: string; lines: string[] };
  /** References of other systems, as printed ("Synergi 45678"). */
  theirRefs: string[];
  /** References in our own systems (e.g. Treserva). */
  ownRefs: string[];
  persons: RevealedPerson[];
  withPersonalData: boolean;
  /** Who signs the letter and is the contact: the assignee for our answer, else our registrar. */
  signer: Signer;
  texts: Texts;
  today: string;
}

function addressLines(org: Org): string[] {
  return (org.address ?? "")
    .split(/\r?\n|\|/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Where a case's post goes, in both directions: the deviation recipient named for the counterpart's unit or
 * for the counterpart (Region Östergötland → the east coordinator in Finspång), else the counterpart's unit
 * concerned (it is written on the envelope, at its own address or at the counterpart's), else the counterpart.
 */
export async function postalTarget(store: Store, counterpart: Org, unit: Org | null): Promise<Org> {
  for (const org of [unit, counterpart]) {
    if (org?.deviationRecipientId) {
      const r = await store.orgs.get(org.deviationRecipientId);
      if (r) return r;
    }
  }
  return unit ?? counterpart;
}

/**
 * The lines of the address block for `org`. Every line of the address is kept (fitting it to the window is the
 * letter's job). A unit is addressed under its organisation's name; a unit without an address of its own goes
 * to its organisation's address with the unit's name as the second line.
 */
export async function postal(store: Store, org: Org): Promise<{ lines: string[]; hasAddress: boolean }> {
  const top = await store.orgs.topOf(org);
  const own = addressLines(org);
  const mentions = (lines: string[], name: string) => lines.some((l) => l.toLowerCase().includes(name.toLowerCase()));
  if (own.length) {
    if (top.id !== org.id) return { lines: mentions(own, top.name) ? own : [top.name, ...own], hasAddress: true };
    return { lines: mentions(own, org.name) ? own : [org.name, ...own], hasAddress: true };
  }
  if (top.id === org.id) return { lines: [org.name], hasAddress: false };
  const central = addressLines(top).filter((l) => l.toLowerCase() !== top.name.toLowerCase());
  return { lines: [top.name, org.name, ...central], hasAddress: central.length > 0 };
}

/** The person a letter is signed by, with what the directory knows about how to reach them. */
export interface Signer {
  name: string | null;
  /** "Enhetschef, Hemtjänsten Ryd" or "Registrator". */
  title: string;
  email: string;
  phone: string;
}

/**
 * Our answer (an incoming case) is signed by the one who investigated: the case's assignee. Everything else by
 * our registrar from the directory; without one, by the signature line of templates/letters/common.json.
 */
export async function signerOf(store: Store, c: Case, self: Org, t: Texts): Promise<Signer> {
  const s = t.common.sender;
  const titles = t.common.titles ?? {};
  const contacts = await store.contacts.list();
  if (c.direction === "in" && c.assignee) {
    const a = c.assignee;
    const contact = contacts.find((k) => k.email.toLowerCase() === a.email.toLowerCase());
    const org = contact ? await store.orgs.get(contact.orgId) : undefined;
    const title = [titles[a.role] ?? "", org && org.id !== self.id ? org.name : ""].filter(Boolean).join(", ");
    return { name: a.name, title, email: a.email, phone: s.phone };
  }
  const registrar = contacts.find((k) => k.orgId === self.id && k.role === "registrar");
  if (registrar) return { name: registrar.name, title: titles.registrar || s.signature, email: registrar.email || s.email, phone: s.phone };
  return { name: null, title: s.signature, email: s.email, phone: s.phone };
}

export function refText(t: Texts, ref: ExternalRef): string {
  return `${t.common.systems[ref.system] ?? ref.system} ${ref.id}`;
}

export function code(group: "kind" | "area" | "severity" | "status", value: string | null): string {
  return value ? tSv(`${group}.${value}` as MessageKey) : "";
}

export async function caseModel(store: Store, caseId: number, options: { withPersonalData: boolean }, loaded?: Case): Promise<CaseModel> {
  const t = texts(store.home);
  const c = loaded ?? (await store.cases.get(caseId));
  const self = await store.orgs.self();
  const counterpart = await store.orgs.require(c.counterpart.id);
  const unit = c.unit ? ((await store.orgs.get(c.unit.id)) ?? null) : null;
  const unitOfCounterpart = unit && (await store.orgs.topOf(unit)).id === counterpart.id ? unit : null;
  const target = await postalTarget(store, counterpart, unitOfCounterpart);
  const recipient = await postal(store, target);

  const senderLines = addressLines(self);
  const own = new Set(t.common.ownSystems.map((s) => s.toLowerCase()));
  return {
    c,
    diaryNumber: caseLabel(c.diaryNumber, c.id),
    self,
    counterpart,
    unit,
    recipient: { name: target.name, lines: recipient.lines, hasAddress: recipient.hasAddress, org: target },
    returnTo: await postal(store, self.deviationRecipientId ? ((await store.orgs.get(self.deviationRecipientId)) ?? self) : self),
    sender: { name: self.name, lines: senderLines.filter((l) => l !== self.name) },
    theirRefs: c.refs.filter((r) => !own.has(r.system)).map((r) => refText(t, r)),
    ownRefs: c.refs.filter((r) => own.has(r.system)).map((r) => refText(t, r)),
    persons: await store.cases.persons(caseId, options.withPersonalData),
    withPersonalData: options.withPersonalData,
    signer: await signerOf(store, c, self, t),
    texts: t,
    today: store.today,
  };
}

/** The parameters every template text may use. */
export function letterParams(m: CaseModel): Record<string, string> {
  return {
    sender: m.self.name,
    recipient: m.counterpart.name,
    diaryNumber: m.diaryNumber,
    theirReference: m.theirRefs.join(", "),
    replyBy: m.c.dueDate,
    date: m.today,
    area: code("area", m.c.area),
    kind: code("kind", m.c.kind).toLowerCase(),
    summary: m.c.summary,
  };
}

/** Records that personal data was printed in clear; call inside `store.write`. */
export async function recordReveal(store: Store, m: CaseModel, purpose: string): Promise<void> {
  if (m.withPersonalData && m.persons.length) await store.audit.record("reveal", m.c.id, { persons: m.persons.length, purpose });
}
