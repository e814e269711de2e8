// The postal packet. For an outgoing case: a cover letter addressed for a left-window envelope, the
// deviation report and a reply form carrying our reference as text and as a QR code. For an incoming
// case: our answer, a cover letter with the causes, actions and follow-up.

import { RefusedError } from "../core/errors.js";
import type { CaseDocument, Case } from "../core/types.js";
import type { Status } from "../core/codes.js";
import { tSv } from "../i18n/index.js";
import { sha256 } from "../store/files.js";
import type { Store } from "../store/store.js";
import { CONTENT_WIDTH, FONT, MARGIN, QR_SIZE, REFERENCE_COLUMN_X, LETTER_BODY_TOP, SENDER_TOP, SIZE, LINE_GAP, GREY, mm } from "./layout.js";
import { caseModel, code, letterParams, recordReveal, type CaseModel } from "./model.js";
import { drawReport } from "./report.js";
import { ensureSpace, fields, finish, heading, newDocument, paragraph, put, qrCode, title, writingLines, type Doc } from "./pdf.js";
import { fill, type LetterTexts } from "./texts.js";

/** The text a reply carries to find its case again (printed on the form and encoded in the QR code). */
export function referenceLine(diaryNumber: string): string {
  return `Referens: ${diaryNumber}`;
}

function senderBlock(doc: Doc, m: CaseModel): void {
  const s = m.texts.common.sender;
  const width = REFERENCE_COLUMN_X - MARGIN.left - 10;
  doc.font(FONT.bold).fontSize(SIZE.body);
  put(doc, m.sender.name, MARGIN.left, SENDER_TOP, width);
  doc.font(FONT.regular).fontSize(SIZE.small);
  for (const line of [...m.sender.lines, ...s.extraLines, s.phone, s.email].filter(Boolean)) put(doc, line, MARGIN.left, doc.y, width);
}

function referenceBlock(doc: Doc, m: CaseModel, replyBy: boolean): void {
  const L = m.texts.common.labels;
  const rows: Array<[string, string]> = [
    [L.date, m.today],
    [L.ourReference, m.diaryNumber],
  ];
  if (m.theirRefs.length) rows.push([L.theirReference, m.theirRefs.join(", ")]);
  if (replyBy) rows.push([L.replyBy, m.c.dueDate]);
  let y = SENDER_TOP;
  const width = MARGIN.left + CONTENT_WIDTH - REFERENCE_COLUMN_X;
  for (const [label, value] of rows) {
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
    y += put(doc, label, REFERENCE_COLUMN_X, y, width);
    doc.font(FONT.bold).fontSize(SIZE.body).fillColor("black");
    y += put(doc, value, REFERENCE_COLUMN_X, y, width) + 3;
  }
}

function addressWindow(doc: Doc, m: CaseModel): void {
  const w = m.texts.common.window;
  const lines = m.recipient.lines.slice(0, 7);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
  put(doc, lines.join("\n"), mm(w.leftMm), mm(w.topMm), mm(w.widthMm));
  if (!m.recipient.hasAddress) {
    doc.font(FONT.oblique).fontSize(SIZE.small).fillColor(GREY);
    put(doc, m.texts.common.labels.noAddress, mm(w.leftMm), doc.y, mm(w.widthMm));
    doc.fillColor("black");
  }
}

function coverLetter(doc: Doc, m: CaseModel, letter: LetterTexts, replyBy: boolean, params: Record<string, string>): void {
  senderBlock(doc, m);
  referenceBlock(doc, m, replyBy);
  addressWindow(doc, m);
  doc.x = MARGIN.left;
  doc.y = LETTER_BODY_TOP;
  doc.font(FONT.bold).fontSize(SIZE.heading);
  put(doc, fill(letter.subject, params), MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.moveDown(0.8);
  paragraph(doc, fill(letter.greeting, params));
  for (const p of letter.paragraphs) paragraph(doc, fill(p, params));
  if (replyBy) paragraph(doc, `${m.texts.common.labels.replyBy}: ${m.c.dueDate}`, { bold: true });
  if (m.withPersonalData && m.persons.length) paragraph(doc, fill(letter.personalDataNote, params), { small: true, grey: true });
  doc.moveDown(0.5);
  paragraph(doc, fill(letter.closing, params));
  doc.font(FONT.bold);
  put(doc, m.self.name, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.font(FONT.regular);
  put(doc, m.texts.common.sender.signature, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.moveDown(1);
  if (letter.enclosures.length) {
    doc.font(FONT.bold).fontSize(SIZE.small);
    put(doc, `${m.texts.common.labels.enclosures}:`, MARGIN.left, doc.y, CONTENT_WIDTH);
    doc.font(FONT.regular);
    put(doc, letter.enclosures.join("\n"), MARGIN.left, doc.y, CONTENT_WIDTH);
  }
  doc.fontSize(SIZE.body);
}

async function replyForm(doc: Doc, m: CaseModel, params: Record<string, string>): Promise<void> {
  const f = m.texts.replyForm;
  doc.addPage();
  const top = doc.y;
  await qrCode(doc, referenceLine(m.diaryNumber), MARGIN.left + CONTENT_WIDTH - QR_SIZE, top, QR_SIZE);
  const textWidth = CONTENT_WIDTH - QR_SIZE - 12;
  doc.font(FONT.bold).fontSize(SIZE.title);
  put(doc, f.title, MARGIN.left, top, textWidth);
  doc.moveDown(0.4);
  doc.font(FONT.bold).fontSize(14);
  put(doc, referenceLine(m.diaryNumber), MARGIN.left, doc.y, textWidth);
  doc.moveDown(0.4);
  doc.font(FONT.regular).fontSize(SIZE.body);
  put(doc, fill(f.intro, params), MARGIN.left, doc.y, textWidth, { lineGap: LINE_GAP });
  doc.y = Math.max(doc.y, top + QR_SIZE) + 10;
  doc.x = MARGIN.left;
  heading(doc, f.referencesTitle);
  fields(doc, [
    [fill(f.ourReference, params), m.diaryNumber],
    [fill(f.theirReference, params), m.theirRefs.length ? m.theirRefs.join(", ") : f.theirReferenceEmpty],
  ], mm(70));
  for (const field of f.fields) {
    heading(doc, field.label);
    writingLines(doc, field.lines);
  }
  // The signature fields side by side on one line.
  ensureSpace(doc, 90);
  doc.moveDown(0.6);
  const y = doc.y;
  const w = CONTENT_WIDTH / f.signatureFields.length;
  f.signatureFields.forEach((s, i) => {
    const x = MARGIN.left + i * w;
    doc.save().strokeColor("#999999").lineWidth(0.5).moveTo(x, y + 18).lineTo(x + w - 10, y + 18).stroke().restore();
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
    put(doc, s, x, y + 21, w - 10);
  });
  doc.fillColor("black");
  doc.x = MARGIN.left;
  doc.y = y + 40;
  doc.font(FONT.bold).fontSize(SIZE.small);
  put(doc, `${f.returnTo}:`, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.font(FONT.regular);
  put(doc, [m.self.name, ...m.sender.lines].join("\n"), MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.moveDown(0.5);
  paragraph(doc, f.noPersonalData, { small: true, grey: true });
}

function answerPages(doc: Doc, m: CaseModel, letter: LetterTexts): void {
  const r = m.texts.report;
  const h = letter.headings ?? { causes: r.labels.causes!, actions: r.labels.actions!, followUp: r.labels.followUp! };
  doc.addPage();
  title(doc, letter.answerTitle ?? r.sections.answer);
  heading(doc, letter.summaryTitle ?? r.sections.description);
  const c = m.c;
  const rows: Array<[string, string]> = [
    [r.labels.diaryNumber!, m.diaryNumber],
    ...c.refs.map((ref) => [m.texts.common.systems[ref.system] ?? ref.system, ref.id] as [string, string]),
    [r.labels.eventDate!, c.eventDate],
    [r.labels.kind!, code("kind", c.kind)],
    [r.labels.area!, code("area", c.area)],
    [r.labels.summary!, c.summary],
  ];
  if (c.severity) rows.push([r.labels.severity!, code("severity", c.severity)]);
  if (m.unit) rows.push([r.labels.unit!, m.unit.name]);
  fields(doc, rows);
  if (m.persons.length) {
    heading(doc, r.sections.persons);
    fields(doc, m.persons.map((p, i) => [`${i + 1}.`, p.name ? `${p.pnr}  ${p.name}` : p.pnr] as [string, string]), 28);
  }
  for (const key of ["causes", "actions", "followUp"] as const) {
    heading(doc, h[key]);
    paragraph(doc, c[key]?.trim() || r.notYet);
  }
}

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
}

export async function packetDocument(m: CaseModel, now: Date): Promise<RenderedPdf> {
  const out = m.c.direction === "out";
  const letter = out ? m.texts.packetOut : m.texts.packetIn;
  const params = letterParams(m);
  params.theirReferenceText = m.theirRefs.length && letter.theirReferenceText ? fill(letter.theirReferenceText, params) : "";
  const doc = await newDocument({ title: fill(letter.subject, params), diaryNumber: m.diaryNumber, author: m.self.name, now });
  coverLetter(doc, m, letter, out, params);
  if (out) {
    doc.addPage();
    drawReport(doc, m);
    await replyForm(doc, m, params);
  } else {
    answerPages(doc, m, letter);
  }
  const pages = doc.bufferedPageRange().count;
  const pdf = await finish(doc, m.diaryNumber, (i, n) => fill(m.texts.common.labels.page, { i, n }));
  return { pdf, pages };
}

/** Where the case goes when its packet is made; `null` for a re-print that leaves the status as it is. */
export function packetTransition(c: Pick<Case, "direction" | "status" | "causes" | "actions" | "diaryNumber" | "id">): Status | null {
  const label = c.diaryNumber ?? `#${c.id}`;
  if (c.status === "closed") throw new RefusedError("paper.error.packetClosed", { case: label });
  if (c.direction === "out") {
    if (c.status === "registered") return "sent";
    if (c.status === "sent") return null;
    throw new RefusedError("paper.error.packetAnswered", { case: label });
  }
  const missing = [!c.causes?.trim() ? "--causes" : "", !c.actions?.trim() ? "--actions" : ""].filter(Boolean);
  if (missing.length) throw new RefusedError("paper.error.packetNoAnswer", { case: label, missing: missing.join(", ") });
  if (c.status === "registered") throw new RefusedError("paper.error.packetNotAssigned", { case: label });
  if (c.status === "assigned" || c.status === "investigating") return "answered";
  return null;
}

export interface IssuedPacket extends RenderedPdf {
  caseId: number;
  diaryNumber: string;
  hash: string;
  encrypted: boolean;
  /** The diary document recorded now; null when the identical packet was already in the register. */
  document: CaseDocument | null;
  /** The document an identical earlier packet was recorded as (a re-print of the same bytes). */
  existingDocument: string | null;
  status: { from: Status; to: Status } | null;
  recipient: string;
  hasAddress: boolean;
}

/**
 * Makes the packet and records it, all in one transaction: keeps a copy in the data directory (addressed
 * by content hash, encrypted when it holds personal data), records an outgoing diary document and moves
 * the case (out: registered → sent; in: → answered). A re-print of a case already sent (or answered) is
 * recorded as a further outgoing document unless the very same bytes are already in the register.
 */
export async function issuePacket(store: Store, caseId: number, options: { withPersonalData: boolean }): Promise<IssuedPacket> {
  const before = store.cases.get(caseId);
  const to = packetTransition(before);
  const m = caseModel(store, caseId, options, before);
  const rendered = await packetDocument(m, store.actor.now);
  const params = { area: code("area", m.c.area), kind: code("kind", m.c.kind).toLowerCase() };
  const subject =
    m.c.direction === "out"
      ? tSv(to ? "paper.subject.packetOut" : "paper.subject.packetOutAgain", params)
      : tSv(to ? "paper.subject.packetIn" : "paper.subject.packetInAgain", params);
  return store.write(() => {
    const file = store.files.put(rendered.pdf, { mediaType: "application/pdf", originalName: `${fileSafe(m.diaryNumber)}-packet.pdf`, encrypt: options.withPersonalData });
    const existing = store.documents.findByFile(file.hash);
    const document = existing ? null : store.documents.add(caseId, { direction: "out", subject, party: m.recipient.name, fileHash: file.hash });
    const status = to ? store.cases.setStatus(caseId, to) : null;
    recordReveal(store, m, "packet");
    return {
      ...rendered,
      caseId,
      diaryNumber: m.diaryNumber,
      hash: sha256(rendered.pdf),
      encrypted: file.encrypted,
      document,
      existingDocument: existing?.number ?? null,
      status,
      recipient: m.recipient.name,
      hasAddress: m.recipient.hasAddress,
    };
  });
}

/** A diary number as part of a file name ("KS/2026/12" → "KS-2026-12"). */
export function fileSafe(text: string): string {
  return text.replace(/[\\/:*?"<>|\s]+/g, "-").replace(/^-+|-+$/g, "");
}
