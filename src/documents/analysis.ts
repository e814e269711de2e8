// The analysis document (Västra Götaland routine, Bilaga 1): sections A–H, filled from the case where the
// case knows the answer, with room to write where it does not: each section is a fillable form field
// (AcroForm) laid over ruled lines, so that an analysis group can type into it or print it and write by hand.
// Never personal data: the case's persons are never printed, and no unit is named ("Ange inga personuppgifter
// på patient, personal eller enhet"): names of the directory's units in the case's text are replaced by a
// neutral mark, and the caller is told which. The same for people: the names of the case's persons and of the
// directory's contacts, and any personnummer, written into the case's text are replaced by a neutral mark (the
// caller is told how many, never which: stderr is not a place for personal data either).

import type { Store } from "../store/store.js";
import { MARGIN, CONTENT_WIDTH, FONT, SIZE, GREY, WRITING_LINE, mm } from "./layout.js";
import { namePatterns, replaceNames } from "../core/personalNames.js";
import { redactPersonalNumbers } from "../core/personnummer.js";
import { caseModel, code } from "./model.js";
import { ensureSpace, fields, finish, heading, newDocument, paragraph, put, title, writingLines, type Doc } from "./pdf.js";
import { fill } from "./texts.js";

/** What replaces a unit's name in the analysis. */
export const UNIT_MARK = "[enhet]";
/** What replaces a person's name or personnummer in the analysis. */
export const PERSON_MARK = "[person]";

export interface AnalysisResult {
  pdf: Buffer;
  /** Names of directory units that were replaced by the neutral mark (each once). */
  redactedUnits: string[];
  /** How many names or personnummer of people were replaced by the person mark. */
  redactedPeople: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces the names in `text` (longest first, whole words, any case) with `mark` (the unit mark by default). */
export function redactNames(text: string, names: string[], found: Set<string>, mark = UNIT_MARK): string {
  let out = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    if (name.trim().length < 3) continue;
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name.trim())}(?![\\p{L}\\p{N}])`, "giu");
    if (re.test(out)) {
      found.add(name);
      out = out.replace(re, mark);
    }
  }
  return out;
}

/**
 * A fillable text field over the ruled lines just drawn (pdfkit 0.20, pinned: `formField` makes the field in the
 * form's list, `annotate` its widget; the empty appearance keeps the lines visible and lets a PDF/A document
 * carry the field, where pdfkit's own `formText` would need NeedAppearances).
 */
function textField(doc: Doc, name: string, x: number, y: number, w: number, h: number): void {
  const d = doc as unknown as { _font?: { id?: string }; page: { annotations: unknown[] } };
  const field = doc.formField(name, {}) as unknown as { data: Record<string, unknown> };
  field.data.FT = "Tx";
  field.data.Ff = 1 << 12; // multiline
  if (typeof d._font?.id === "string") field.data.DA = new String(`/${d._font.id} ${SIZE.body} Tf 0 g`);
  const appearance = (doc as unknown as { ref(data: object): { end(chunk: string): void } }).ref({ Type: "XObject", Subtype: "Form", BBox: [0, 0, w, h], Resources: {} });
  appearance.end("/Tx BMC\nEMC");
  doc.annotate(x, y, w, h, { Subtype: "Widget", Parent: field, F: 4, AP: { N: appearance }, MK: {} } as unknown as PDFKit.Mixins.AnnotationOption);
  field.data.Kids = [d.page.annotations.at(-1)];
}

/** Ruled lines with a form field over them. */
function fillableLines(doc: Doc, name: string, count: number): void {
  ensureSpace(doc, count * WRITING_LINE);
  const top = doc.y;
  writingLines(doc, count);
  textField(doc, name, MARGIN.left, top, CONTENT_WIDTH, count * WRITING_LINE);
}

export async function analysisDocument(store: Store, caseId: number): Promise<AnalysisResult> {
  const m = await caseModel(store, caseId, { withPersonalData: false });
  const t = m.texts.analysis;
  const c = m.c;
  // A unit named in parts ("Vrinnevisjukhuset, medicinkliniken") is named by either part alone too.
  const units = (await store.orgs.list())
    .filter((o) => o.parentId !== null)
    .flatMap((o) => [o.name, ...(o.name.includes(",") ? o.name.split(",").map((p) => p.trim()).filter((p) => p.length >= 5) : [])]);
  // Read in clear only to be removed: nothing of them is printed, so this is no `reveal`.
  // The case's persons as the e-mail guard recognises them, given names alone too; the directory's staff by their
  // whole names only (a contact named "Per Ek" must not turn every "per" of the text into a mark).
  const persons = namePatterns((await store.cases.persons(caseId, true)).map((p) => p.name), { givenNamesAlone: true });
  const staff = (await store.contacts.list()).map((k) => k.name);
  const found = new Set<string>();
  const people = new Set<string>();
  let numbers = 0;
  const neutral = (s: string | null) => {
    if (!s || !s.trim()) return s;
    const withoutNumbers = redactPersonalNumbers(s, store.today, PERSON_MARK);
    if (withoutNumbers !== s) numbers += 1;
    const withoutPersons = replaceNames(withoutNumbers, persons, PERSON_MARK, people);
    const withoutStaff = redactNames(withoutPersons, staff, people, PERSON_MARK);
    return redactNames(withoutStaff, units, found);
  };

  const doc = await newDocument({ title: t.title, diaryNumber: m.diaryNumber, author: m.self.name, now: store.actor.now });
  doc.initForm();
  (doc as unknown as { _root: { data: { AcroForm: { data: Record<string, unknown> } } } })._root.data.AcroForm.data.NeedAppearances = false;
  title(doc, t.title);
  paragraph(doc, t.intro, { small: true });
  paragraph(doc, t.warning, { bold: true, small: true });

  // What the case knows, without units: the pair of providers, area, kind, severity, event date.
  const reporter = c.direction === "out" ? m.self.name : m.counterpart.name;
  const receiver = c.direction === "out" ? m.counterpart.name : m.self.name;
  const L = m.texts.report.labels;
  heading(doc, t.caseTitle ?? "Ärendet");
  fields(
    doc,
    [
      [L.reporter!, reporter],
      [L.recipient!, receiver],
      [L.area!, code("area", c.area)],
      [L.kind!, code("kind", c.kind)],
      [L.severity!, code("severity", c.severity) || m.texts.report.empty],
      [L.eventDate!, c.eventDate],
    ],
    mm(55),
  );

  const known: Record<string, string | null> = {
    raisedBy: reporter,
    noticed: c.discoveredDate,
    summary: [neutral(c.summary), neutral(c.description)].filter((s) => s && s.trim()).join("\n\n"),
    causes: neutral(c.causes),
    actions: neutral(c.actions),
    followUp: neutral(c.followUp),
  };
  for (const s of t.sections) {
    // the heading stays with its first lines
    ensureSpace(doc, 60 + Math.min(3, s.lines) * WRITING_LINE);
    heading(doc, `${s.letter}. ${s.heading}`);
    if (s.hint) paragraph(doc, s.hint, { small: true, grey: true });
    if (s.letter === "C") {
      const rows: Array<[string, string]> = Object.entries(t.systemNames).map(([sys, label]) => [label, c.refs.filter((r) => r.system === sys).map((r) => r.id).join(", ")]);
      for (const r of c.refs) {
        if (!(r.system in t.systemNames)) rows.push([fill(t.otherSystem, { system: m.texts.common.systems[r.system] ?? r.system }), r.id]);
      }
      rows.push([fill(t.diaryNumber, { org: m.self.name }), m.diaryNumber]);
      fields(doc, rows, mm(75));
    }
    const value = s.from ? known[s.from] : null;
    if (value && value.trim()) {
      doc.font(FONT.oblique).fontSize(SIZE.small).fillColor(GREY);
      put(doc, `${t.fromCase}:`, MARGIN.left, doc.y, CONTENT_WIDTH);
      doc.y += 2;
      doc.fillColor("black").font(FONT.regular).fontSize(SIZE.body);
      paragraph(doc, value);
      fillableLines(doc, s.letter, Math.min(2, s.lines));
    } else {
      fillableLines(doc, s.letter, s.lines);
    }
  }
  const pdf = await finish(doc, m.diaryNumber, (i, n) => fill(m.texts.common.labels.page, { i, n }));
  return { pdf, redactedUnits: [...found], redactedPeople: people.size + numbers };
}
