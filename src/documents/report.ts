// The deviation report (avvikelserapport): parties, references, dates, deadline, classification,
// summary and description, persons (masked unless asked for), causes, actions and follow-up.

import type { Store } from "../store/store.js";
import { caseModel, code, recordReveal, type CaseModel } from "./model.js";
import { fields, finish, heading, newDocument, paragraph, title, type Doc } from "./pdf.js";
import { fill } from "./texts.js";

/** Draws the report from the current position (used alone and inside the postal packet). */
export function drawReport(doc: Doc, m: CaseModel): void {
  const t = m.texts.report;
  const L = t.labels;
  const c = m.c;
  const v = (s: string | null | undefined) => (s && s.trim() ? s : t.empty);
  title(doc, t.title);

  heading(doc, t.sections.parties);
  const ours = m.self.name;
  const theirs = m.counterpart.name;
  const rows: Array<[string, string]> = [
    [L.reporter!, c.direction === "out" ? ours : theirs],
    [L.recipient!, c.direction === "out" ? theirs : ours],
  ];
  if (m.unit) rows.push([L.unit!, m.unit.name]);
  fields(doc, rows);

  heading(doc, t.sections.references);
  fields(doc, [[`${L.diaryNumber} (${m.self.name})`, m.diaryNumber], ...c.refs.map((r) => [m.texts.common.systems[r.system] ?? r.system, r.id] as [string, string])]);

  heading(doc, t.sections.dates);
  const dates: Array<[string, string]> = [
    [L.eventDate!, c.eventDate],
    [L.discoveredDate!, c.discoveredDate],
  ];
  if (c.receivedDate) dates.push([L.receivedDate!, c.receivedDate]);
  dates.push([L.registeredAt!, c.registeredAt.slice(0, 10)], [L.dueDate!, c.dueDate]);
  fields(doc, dates);

  heading(doc, t.sections.classification);
  const risk = c.risk;
  fields(doc, [
    [L.kind!, code("kind", c.kind)],
    [L.area!, code("area", c.area)],
    [L.severity!, v(code("severity", c.severity))],
    // An administrator's own report.json may predate these labels: the bundled wording then.
    [L.risk ?? "Riskvärde", risk.score === null ? t.empty : fill(L.riskValue ?? "{score} (sannolikhet {p} × konsekvens {c})", { score: risk.score, p: risk.probability!, c: risk.consequence! })],
    [L.classification ?? "Klassificering", v(c.classification ? `${c.classification}${c.classificationName ? ` ${c.classificationName}` : ""}` : null)],
  ]);

  heading(doc, t.sections.description);
  fields(doc, [
    [L.summary!, c.summary],
    [L.description!, v(c.description)],
  ]);

  heading(doc, t.sections.persons);
  if (m.persons.length === 0) paragraph(doc, t.noPersons);
  else {
    fields(doc, m.persons.map((p, i) => [`${i + 1}.`, p.name ? `${p.pnr}  ${p.name}` : p.pnr] as [string, string]), 28);
    if (!m.withPersonalData) paragraph(doc, t.personsMasked, { small: true, grey: true });
  }

  heading(doc, t.sections.answer);
  const notYet = (s: string | null) => (s && s.trim() ? s : t.notYet);
  fields(doc, [
    [L.causes!, notYet(c.causes)],
    [L.actions!, notYet(c.actions)],
    [L.followUp!, notYet(c.followUp)],
  ]);
}

export async function reportDocument(m: CaseModel, now: Date): Promise<Buffer> {
  const doc = await newDocument({ title: m.texts.report.title, diaryNumber: m.diaryNumber, author: m.self.name, now });
  drawReport(doc, m);
  return finish(doc, m.diaryNumber, (i, n) => fill(m.texts.common.labels.page, { i, n }));
}

/**
 * The deviation report of a case as PDF bytes. With `withPersonalData` the persons' personnummer and names
 * are printed in clear; the caller writes the file and then calls `recordReveal` inside the `store.write`
 * that commits it, so the reveal is in the audit trail exactly when the file exists.
 */
export async function renderReport(store: Store, caseId: number, options: { withPersonalData: boolean }): Promise<{ pdf: Buffer; recordReveal: () => Promise<void> }> {
  const m = await caseModel(store, caseId, options);
  const pdf = await reportDocument(m, store.actor.now);
  return { pdf, recordReveal: () => recordReveal(store, m, "report") };
}
