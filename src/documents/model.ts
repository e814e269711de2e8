// What a document needs to know about a case, gathered once: the parties, the addresses, the references
// (ours and theirs) and the persons, masked or in clear. Personal data in clear only when asked for, and
// the reveal is recorded in the audit trail by the caller that prints it.

import type { Case, ExternalRef, Org } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import type { RevealedPerson } from "../store/cases.js";
import type { Store } from "../store/store.js";
import { texts, type Texts } from "./texts.js";

export interface CaseModel {
  c: Case;
  diaryNumber: string;
  self: Org;
  counterpart: Org;
  /** The unit concerned, when the case names one. */
  unit: Org | null;
  /** The recipient's name and postal address lines for the envelope window; empty address when unknown. */
  recipient: { name: string; lines: string[]; hasAddress: boolean };
  /** Our sender block: name and address lines. */
  sender: { name: string; lines: string[] };
  /** References of other systems, as printed ("Synergi 45678"). */
  theirRefs: string[];
  /** References in our own systems (e.g. Treserva). */
  ownRefs: string[];
  persons: RevealedPerson[];
  withPersonalData: boolean;
  texts: Texts;
  today: string;
}

function addressLines(org: Org): string[] {
  return (org.address ?? "")
    .split(/\r?\n|\|/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function refText(t: Texts, ref: ExternalRef): string {
  return `${t.common.systems[ref.system] ?? ref.system} ${ref.id}`;
}

export function code(group: "kind" | "area" | "severity" | "status", value: string | null): string {
  return value ? tSv(`${group}.${value}` as MessageKey) : "";
}

export function caseModel(store: Store, caseId: number, options: { withPersonalData: boolean }, loaded?: Case): CaseModel {
  const t = texts(store.home);
  const c = loaded ?? store.cases.get(caseId);
  const self = store.orgs.self();
  const counterpart = store.orgs.require(c.counterpart.id);
  const unit = c.unit ? (store.orgs.get(c.unit.id) ?? null) : null;
  const unitOfCounterpart = unit && store.orgs.topOf(unit).id === counterpart.id ? unit : null;

  // The envelope goes to the counterpart's unit when it has an address of its own, else to the counterpart.
  const target = unitOfCounterpart && addressLines(unitOfCounterpart).length ? unitOfCounterpart : counterpart;
  let lines = addressLines(target);
  const hasAddress = lines.length > 0;
  if (target !== counterpart && hasAddress && !lines.some((l) => l.includes(counterpart.name))) lines = [counterpart.name, ...lines];
  if (!hasAddress) lines = unitOfCounterpart ? [counterpart.name, unitOfCounterpart.name] : [counterpart.name];
  else if (target === counterpart && !lines[0]!.includes(counterpart.name)) lines = [counterpart.name, ...lines];

  const senderLines = addressLines(self);
  const own = new Set(t.common.ownSystems.map((s) => s.toLowerCase()));
  return {
    c,
    diaryNumber: c.diaryNumber ?? `#${c.id}`,
    self,
    counterpart,
    unit,
    recipient: { name: target.name, lines, hasAddress },
    sender: { name: self.name, lines: senderLines.filter((l) => l !== self.name) },
    theirRefs: c.refs.filter((r) => !own.has(r.system)).map((r) => refText(t, r)),
    ownRefs: c.refs.filter((r) => own.has(r.system)).map((r) => refText(t, r)),
    persons: store.cases.persons(caseId, options.withPersonalData),
    withPersonalData: options.withPersonalData,
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
export function recordReveal(store: Store, m: CaseModel, purpose: string): void {
  if (m.withPersonalData && m.persons.length) store.audit.record("reveal", m.c.id, { persons: m.persons.length, purpose });
}
