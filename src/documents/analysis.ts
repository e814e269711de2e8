// The analysis document (Västra Götaland routine, Bilaga 1): sections A–H, filled from the case where the
// case knows the answer, with room to write where it does not. Never personal data: the case's persons
// are never printed, and no unit is named ("Ange inga personuppgifter på patient, personal eller enhet").

import type { Store } from "../store/store.js";
import { MARGIN, CONTENT_WIDTH, FONT, SIZE, GREY, mm } from "./layout.js";
import { caseModel } from "./model.js";
import { fields, finish, heading, newDocument, paragraph, put, title, writingLines } from "./pdf.js";
import { fill } from "./texts.js";

export async function renderAnalysis(store: Store, caseId: number): Promise<Buffer> {
  const m = caseModel(store, caseId, { withPersonalData: false });
  const t = m.texts.analysis;
  const c = m.c;
  const doc = await newDocument({ title: t.title, diaryNumber: m.diaryNumber, author: m.self.name, now: store.actor.now });
  title(doc, t.title);
  paragraph(doc, t.intro, { small: true });
  paragraph(doc, t.warning, { bold: true, small: true });
  const reporter = c.direction === "out" ? m.self.name : m.counterpart.name;
  const known: Record<string, string | null> = {
    raisedBy: reporter,
    noticed: c.discoveredDate,
    summary: [c.summary, c.description].filter((s) => s && s.trim()).join("\n\n"),
    causes: c.causes,
    actions: c.actions,
    followUp: c.followUp,
  };
  for (const s of t.sections) {
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
      doc.fillColor("black").font(FONT.regular).fontSize(SIZE.body);
      paragraph(doc, value);
      writingLines(doc, Math.min(2, s.lines));
    } else {
      writingLines(doc, s.lines);
    }
  }
  return finish(doc, m.diaryNumber, (i, n) => fill(m.texts.common.labels.page, { i, n }));
}
