// The postal packet. For an outgoing case: a cover letter addressed for a left-window envelope, the
// deviation report and a reply form carrying our reference as text and as a QR code. For an incoming
// case: our answer, a cover letter with the causes, actions and follow-up.

import { caseLabel, fileNameOf } from "../core/diaryNumber.js";
import { FailedError, RefusedError } from "../core/errors.js";
import type { CaseDocument, Case } from "../core/types.js";
import type { Status } from "../core/codes.js";
import { tSv } from "../i18n/index.js";
import { sha256 } from "../store/files.js";
import type { OutputFile } from "../store/outputFile.js";
import type { Store } from "../store/store.js";
import { CONTENT_WIDTH, FONT, H2_REFERENCE_TOP, MARGIN, PAGE, QR_NUMBER_SIZE, QR_RESERVE, QR_SIZE, RULE, REFERENCE_COLUMN_X, LETTER_BODY_TOP, SENDER_TOP, SIZE, LINE_GAP, GREY, mm } from "./layout.js";
import { caseModel, code, letterParams, recordReveal, type CaseModel } from "./model.js";
import { drawReport } from "./report.js";
import { ensureSpace, fields, finish, heading, heightOf, newDocument, paragraph, put, qrCode, title, writingLines, type Doc } from "./pdf.js";
import { fill, type LetterTexts, type WindowSetting } from "./texts.js";

/** The text a reply carries to find its case again (printed on the form and encoded in the QR code). */
export function referenceLine(diaryNumber: string): string {
  return `Referens: ${diaryNumber}`;
}

/** Where the blocks above the letter go: the address field in the window, the reference block beside it. */
export interface LetterGeometry {
  window: { x: number; y: number; width: number; height: number; minSize: number };
  /** The date and reference block: right of a left window, or left (under the sender) for a right-hand window. */
  reference: { x: number; y: number; width: number };
  senderWidth: number;
}

/**
 * The layout for the envelope window of templates/letters/common.json: a left window (V2) keeps the reference
 * block in its column at the right; a right-hand window (H2) moves it to the left under the sender. A window
 * that leaves no room for the reference block on either side is refused.
 */
export function letterGeometry(w: WindowSetting): LetterGeometry {
  const window = { x: mm(w.leftMm), y: mm(w.topMm), width: mm(w.widthMm), height: mm(w.heightMm), minSize: w.minFontSize ?? 8 };
  const right = MARGIN.left + CONTENT_WIDTH;
  const sane = [w.leftMm, w.topMm, w.widthMm, w.heightMm].every((v) => typeof v === "number" && Number.isFinite(v) && v > 0);
  if (!sane || window.x + window.width > PAGE.width || window.y + window.height > LETTER_BODY_TOP) {
    throw new RefusedError("paper.error.windowSetting", { window: `${w.leftMm}/${w.topMm}/${w.widthMm}/${w.heightMm} mm` });
  }
  if (w.side !== "right" && window.x + window.width <= REFERENCE_COLUMN_X - 6) {
    return { window, reference: { x: REFERENCE_COLUMN_X, y: SENDER_TOP, width: right - REFERENCE_COLUMN_X }, senderWidth: REFERENCE_COLUMN_X - MARGIN.left - 10 };
  }
  // A right-hand window: the reference block goes left of it, under the sender block.
  const width = window.x - 12 - MARGIN.left;
  if (w.side === "right" && width >= mm(55)) {
    return { window, reference: { x: MARGIN.left, y: H2_REFERENCE_TOP, width }, senderWidth: CONTENT_WIDTH };
  }
  throw new RefusedError("paper.error.windowSetting", { window: `${w.leftMm}/${w.topMm}/${w.widthMm}/${w.heightMm} mm` });
}

function senderBlock(doc: Doc, m: CaseModel, g: LetterGeometry): void {
  const s = m.texts.common.sender;
  doc.font(FONT.bold).fontSize(SIZE.body);
  put(doc, m.sender.name, MARGIN.left, SENDER_TOP, g.senderWidth);
  doc.font(FONT.regular).fontSize(SIZE.small);
  for (const line of [...m.sender.lines, ...s.extraLines].filter(Boolean)) put(doc, line, MARGIN.left, doc.y, g.senderWidth);
}

function referenceBlock(doc: Doc, m: CaseModel, g: LetterGeometry, replyBy: boolean): void {
  const L = m.texts.common.labels;
  const rows: Array<[string, string]> = [
    [L.date, m.today],
    [L.ourReference, m.diaryNumber],
  ];
  if (m.theirRefs.length) rows.push([L.theirReference, m.theirRefs.join(", ")]);
  if (replyBy) rows.push([L.replyBy, m.c.dueDate]);
  let y = g.reference.y;
  const { x, width } = g.reference;
  for (const [label, value] of rows) {
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
    y += put(doc, label, x, y, width);
    doc.font(FONT.bold).fontSize(SIZE.body).fillColor("black");
    y += put(doc, value, x, y, width) + 3;
  }
  // The contact: who handles the case and how to reach them.
  const who = m.signer;
  const contact = [who.name ? `${who.name}${who.title ? `, ${who.title}` : ""}` : who.title, who.phone && `${L.phone ?? "Telefon"} ${who.phone}`, who.email].filter(Boolean);
  if (contact.length) {
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
    y += put(doc, L.handler ?? "Handläggare", x, y, width);
    doc.fillColor("black");
    for (const line of contact) y += put(doc, line as string, x, y, width);
  }
  doc.fillColor("black");
}

/**
 * The recipient's address in the window, every line of it: at the body size if it fits, else smaller down to
 * the window's floor (8 pt); an address that does not fit even then (too many lines, or a line too wide to
 * stand unbroken) is refused, naming the organisation and the lines, before anything is recorded.
 */
export function addressFit(doc: Doc, recipient: CaseModel["recipient"], g: LetterGeometry): number {
  const lines = recipient.lines.map((l) => l.normalize("NFC"));
  const extra = recipient.hasAddress ? 0 : 1;
  for (let size: number = SIZE.body; size >= g.window.minSize - 1e-9; size -= 0.5) {
    doc.font(FONT.regular).fontSize(size);
    const height = (lines.length + extra) * doc.currentLineHeight(true);
    if (height <= g.window.height && lines.every((l) => doc.widthOfString(l) <= g.window.width)) return size;
  }
  throw new RefusedError("paper.error.addressTooLong", { org: `${recipient.name} (${recipient.org.id})`, lines: lines.join(" | "), count: lines.length });
}

function addressWindow(doc: Doc, m: CaseModel, g: LetterGeometry): void {
  const size = addressFit(doc, m.recipient, g);
  doc.font(FONT.regular).fontSize(size).fillColor("black");
  let y = g.window.y;
  const lh = doc.currentLineHeight(true);
  for (const line of m.recipient.lines) {
    doc.text(line.normalize("NFC"), g.window.x, y, { lineBreak: false });
    y += lh;
  }
  if (!m.recipient.hasAddress) {
    doc.font(FONT.oblique).fontSize(Math.min(size, SIZE.small)).fillColor(GREY);
    doc.text(m.texts.common.labels.noAddress, g.window.x, y, { lineBreak: false });
    doc.fillColor("black");
  }
}

function coverLetter(doc: Doc, m: CaseModel, letter: LetterTexts, replyBy: boolean, params: Record<string, string>): void {
  const g = letterGeometry(m.texts.common.window);
  senderBlock(doc, m, g);
  if (g.reference.x === MARGIN.left) g.reference.y = Math.max(g.reference.y, doc.y + 8);
  referenceBlock(doc, m, g, replyBy);
  addressWindow(doc, m, g);
  doc.x = MARGIN.left;
  doc.y = LETTER_BODY_TOP;
  doc.font(FONT.bold).fontSize(SIZE.heading);
  put(doc, fill(letter.subject, params), MARGIN.left, doc.y, CONTENT_WIDTH);
  // The unit concerned by name, whoever the envelope goes to.
  if (m.unit) {
    doc.font(FONT.regular).fontSize(SIZE.body);
    put(doc, `${m.texts.common.labels.unitConcerned ?? "Berörd enhet"}: ${m.unit.name}`, MARGIN.left, doc.y + 2, CONTENT_WIDTH);
  }
  doc.moveDown(0.8);
  paragraph(doc, fill(letter.greeting, params));
  for (const p of letter.paragraphs) paragraph(doc, fill(p, params));
  if (replyBy) paragraph(doc, `${m.texts.common.labels.replyBy}: ${m.c.dueDate}`, { bold: true });
  if (m.withPersonalData && m.persons.length) paragraph(doc, fill(letter.personalDataNote, params), { small: true, grey: true });
  doc.moveDown(0.5);
  paragraph(doc, fill(letter.closing, params));
  signature(doc, m);
  doc.moveDown(1);
  if (letter.enclosures.length) {
    doc.font(FONT.bold).fontSize(SIZE.small);
    put(doc, `${m.texts.common.labels.enclosures}:`, MARGIN.left, doc.y, CONTENT_WIDTH);
    doc.font(FONT.regular);
    put(doc, letter.enclosures.join("\n"), MARGIN.left, doc.y, CONTENT_WIDTH);
  }
  doc.fontSize(SIZE.body);
}

/** Name, title, organisation and how to reach the signer. */
function signature(doc: Doc, m: CaseModel): void {
  const who = m.signer;
  const L = m.texts.common.labels;
  ensureSpace(doc, 70);
  doc.moveDown(0.6);
  doc.font(FONT.bold).fontSize(SIZE.body);
  put(doc, who.name ?? who.title, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.font(FONT.regular);
  if (who.name && who.title) put(doc, who.title, MARGIN.left, doc.y, CONTENT_WIDTH);
  put(doc, m.self.name, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.fontSize(SIZE.small);
  if (who.phone) put(doc, `${L.phone ?? "Telefon"}: ${who.phone}`, MARGIN.left, doc.y + 2, CONTENT_WIDTH);
  if (who.email) put(doc, `${L.email ?? "E-post"}: ${who.email}`, MARGIN.left, doc.y + (who.phone ? 0 : 2), CONTENT_WIDTH);
  doc.fontSize(SIZE.body);
}

/** A row of lines to write on, each with its label under it. */
function lineRow(doc: Doc, labels: string[], options: { prefilled?: Array<string | null>; height?: number } = {}): void {
  const height = options.height ?? mm(9);
  const gap = 12;
  const w = (CONTENT_WIDTH - gap * (labels.length - 1)) / labels.length;
  // a label that wraps (a long counterpart name) pushes what follows down, never under it
  doc.font(FONT.regular).fontSize(SIZE.small);
  const below = Math.max(16, ...labels.map((label) => 2.5 + heightOf(doc, label, w) + 4));
  ensureSpace(doc, height + below);
  const y = doc.y;
  labels.forEach((label, i) => {
    const x = MARGIN.left + i * (w + gap);
    const value = options.prefilled?.[i];
    if (value) {
      doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
      put(doc, value, x + 2, y + height - 13, w - 4);
    }
    doc.save().strokeColor(RULE).lineWidth(0.6).moveTo(x, y + height).lineTo(x + w, y + height).stroke().restore();
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
    put(doc, label, x, y + height + 2.5, w);
  });
  doc.fillColor("black").font(FONT.regular).fontSize(SIZE.body);
  doc.x = MARGIN.left;
  doc.y = y + height + below;
}

/**
 * The reply form, made to be completed by hand in a couple of minutes: our reference as text and QR code
 * (with room beside the code for a larger one), a line for the other party's own case number, ruled areas
 * for causes, actions and follow-up, who is responsible for the actions and when they are followed up, and
 * a signature with date, name and title and how to reach the one who answered.
 */
async function replyForm(doc: Doc, m: CaseModel, params: Record<string, string>): Promise<void> {
  const f = m.texts.replyForm;
  doc.addPage();
  const top = doc.y;
  // The code sits top right in a reserved square: the diary number alone (a short payload makes large modules
  // that survive a fax), with the number printed again under it in large digits for OCR and for people.
  const qrX = MARGIN.left + CONTENT_WIDTH - QR_SIZE;
  await qrCode(doc, m.diaryNumber, qrX, top, QR_SIZE, "Q");
  // As large as fits the reserved width (a long diary format gets smaller digits), right-aligned under the code.
  let size = QR_NUMBER_SIZE;
  doc.font(FONT.bold).fontSize(size);
  while (size > 10 && doc.widthOfString(m.diaryNumber) > QR_RESERVE - mm(2)) doc.fontSize(--size);
  put(doc, m.diaryNumber, MARGIN.left + CONTENT_WIDTH - QR_RESERVE, top + QR_SIZE + mm(0.5), QR_RESERVE - mm(2), { align: "right" });
  const textWidth = CONTENT_WIDTH - QR_RESERVE - 12;
  doc.font(FONT.bold).fontSize(SIZE.title);
  put(doc, f.title, MARGIN.left, top, textWidth);
  doc.moveDown(0.4);
  doc.font(FONT.bold).fontSize(14);
  put(doc, referenceLine(m.diaryNumber), MARGIN.left, doc.y, textWidth);
  doc.moveDown(0.4);
  doc.font(FONT.regular).fontSize(SIZE.body);
  put(doc, fill(f.intro, params), MARGIN.left, doc.y, textWidth, { lineGap: LINE_GAP });
  doc.y = Math.max(doc.y, top + QR_RESERVE) + 8;
  doc.x = MARGIN.left;
  // Our number printed, and theirs: printed when we know it, a line to write it on otherwise.
  lineRow(doc, [fill(f.ourReference, params), `${fill(f.theirReference, params)}${f.theirReferenceHint ? ` (${f.theirReferenceHint})` : ""}`], {
    prefilled: [m.diaryNumber, m.theirRefs.length ? m.theirRefs.join(", ") : f.theirReferenceEmpty || null],
    height: mm(8),
  });
  f.fields.forEach((field) => {
    heading(doc, field.label);
    writingLines(doc, field.lines);
    if (field.key === "actions" && f.actionFields?.length) lineRow(doc, f.actionFields);
  });
  doc.moveDown(0.2);
  lineRow(doc, f.signatureFields, { height: mm(11) });
  if (f.contactFields?.length) lineRow(doc, f.contactFields);
  ensureSpace(doc, 50);
  doc.moveDown(0.3);
  doc.font(FONT.bold).fontSize(SIZE.small);
  put(doc, `${f.returnTo}:`, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.font(FONT.regular);
  put(doc, m.returnTo.lines.join("\n"), MARGIN.left, doc.y, CONTENT_WIDTH);
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
  const label = caseLabel(c.diaryNumber, c.id);
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
  /** Where the packet was written ("-": standard output). */
  file: string;
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

/** How often a packet is rendered again when another process diarised meanwhile (the number it showed was taken). */
const PACKET_ATTEMPTS = 8;

/**
 * Makes the packet, writes it and records it. The PDF carries the case's diary number, which a case imported
 * without one only gets when its packet is diarised; and the file must be complete before the register says
 * it was sent. Rendering is slow (the QR code, the fonts), and the write lock must not be held meanwhile,
 * so the number is reserved by reading: the case as it is and the number `diarise` would give it now
 * are read, the packet is rendered with that number and staged in a temporary file beside the target (synced),
 * and then one write transaction checks that the case is unchanged and the number still the next one, keeps
 * a copy in the data directory (addressed by content hash, encrypted when it holds personal data), records
 * an outgoing diary document (diarising the case with the reserved number), moves the case (out: registered
 * → sent; in: → answered) and, as its last step, renames the staged file to the target's name. If another
 * process took the number (or changed the case) meanwhile, nothing was recorded and the packet is rendered
 * again. A failure anywhere leaves the register as it was and no file under the target's name (the staged
 * one is removed). A re-print of a case already sent (or answered) is recorded as a further outgoing
 * document unless the very same bytes are already in the register.
 */
export async function issuePacket(
  store: Store,
  caseId: number,
  options: { withPersonalData: boolean },
  output: (diaryNumber: string) => OutputFile,
): Promise<IssuedPacket> {
  for (let attempt = 0; attempt < PACKET_ATTEMPTS; attempt++) {
    const { before, diaryNumber } = await store.read(async () => {
      const before = await store.cases.get(caseId);
      return { before, diaryNumber: before.diaryNumber ?? (await store.diary.next()) };
    });
    const to = packetTransition(before);
    const target = output(diaryNumber);
    const m = await caseModel(store, caseId, options, { ...before, diaryNumber });
    const rendered = await packetDocument(m, store.actor.now);
    const params = { area: code("area", m.c.area), kind: code("kind", m.c.kind).toLowerCase() };
    const subject =
      m.c.direction === "out"
        ? tSv(to ? "paper.subject.packetOut" : "paper.subject.packetOutAgain", params)
        : tSv(to ? "paper.subject.packetIn" : "paper.subject.packetInAgain", params);
    target.stage(rendered.pdf);
    try {
      const issued = await store.write(async (): Promise<IssuedPacket | null> => {
        const now = await store.cases.get(caseId);
        if (JSON.stringify(now) !== JSON.stringify(before)) return null;
        if (!before.diaryNumber && (await store.diary.next()) !== diaryNumber) return null;
        const file = await store.files.put(rendered.pdf, { mediaType: "application/pdf", originalName: `${fileNameOf(diaryNumber)}-packet.pdf`, encrypt: options.withPersonalData });
        const existing = await store.documents.findByFile(file.hash);
        const document = existing ? null : await store.documents.add(caseId, { direction: "out", subject, party: m.recipient.name, fileHash: file.hash });
        const status = to ? await store.cases.setStatus(caseId, to) : null;
        await recordReveal(store, m, "packet");
        target.commit();
        return {
          ...rendered,
          caseId,
          diaryNumber,
          file: target.path,
          hash: sha256(rendered.pdf),
          encrypted: file.encrypted,
          document,
          existingDocument: existing?.number ?? null,
          status,
          recipient: m.recipient.name,
          hasAddress: m.recipient.hasAddress,
        };
      });
      if (issued) return issued;
    } finally {
      target.discard();
    }
  }
  throw new FailedError("paper.error.busy", { case: caseLabel(null, caseId) });
}

/** A diary number as part of a file name ("KS/2026/12" → "KS-2026-12"). */
