// The PDF base shared by every document: A4, Swedish, standard fonts (no embedded font files), page footers
// with the diary number and "Sida i av n" on every page, and byte-stable output: the creation date and the
// document ID come from the clock of the run (AVVIK_NOW), so the same input gives the same bytes.

import { createHash } from "node:crypto";
import { CONTENT_WIDTH, FONT, FOOTER_Y, GREY, LINE_GAP, MARGIN, PAGE, RULE, SIZE, WRITING_LINE, mm } from "./layout.js";

export type Doc = PDFKit.PDFDocument;

type PdfKitModule = typeof import("pdfkit");
let pdfkit: PdfKitModule | undefined;

/** pdfkit is loaded on first use, never at start-up. */
async function loadPdfKit(): Promise<PdfKitModule> {
  pdfkit ??= (await import("pdfkit")).default as unknown as PdfKitModule;
  return pdfkit;
}

export interface DocumentMeta {
  title: string;
  /** Printed in every footer. */
  diaryNumber: string;
  author: string;
  subject?: string;
  now: Date;
}

export async function newDocument(meta: DocumentMeta): Promise<Doc> {
  const PDFDocument = await loadPdfKit();
  const doc = new (PDFDocument as unknown as new (o: PDFKit.PDFDocumentOptions) => Doc)({
    size: PAGE.size,
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: "sv-SE",
    displayTitle: true,
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject ?? meta.title,
      Creator: "avvik",
      Producer: "avvik",
      CreationDate: meta.now,
      ModDate: meta.now,
      Keywords: meta.diaryNumber,
    },
  } as PDFKit.PDFDocumentOptions);
  // A fixed document ID: derived from what the document is and when it was made, never from randomness.
  (doc as unknown as { _id: Buffer })._id = createHash("md5").update(`${meta.diaryNumber}\n${meta.title}\n${meta.now.toISOString()}`).digest();
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
  return doc;
}

/** Footers on every page, then the finished bytes. */
export function finish(doc: Doc, diaryNumber: string, pageLabel: (i: number, n: number) => string): Promise<Buffer> {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not add a page
    doc.font(FONT.regular).fontSize(SIZE.footer).fillColor(GREY);
    doc.text(diaryNumber, MARGIN.left, FOOTER_Y, { width: CONTENT_WIDTH / 2, lineBreak: false });
    doc.text(pageLabel(i + 1, range.count), MARGIN.left + CONTENT_WIDTH / 2, FOOTER_Y, { width: CONTENT_WIDTH / 2, align: "right", lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor("black");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.end();
  });
}

/** Starts a new page when less than `height` points are left. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

export function title(doc: Doc, text: string): void {
  doc.font(FONT.bold).fontSize(SIZE.title).text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.6);
  doc.font(FONT.regular).fontSize(SIZE.body);
}

export function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 50);
  doc.moveDown(0.4);
  doc.font(FONT.bold).fontSize(SIZE.heading).text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.25);
  doc.font(FONT.regular).fontSize(SIZE.body);
}

export function paragraph(doc: Doc, text: string, options: { bold?: boolean; small?: boolean; grey?: boolean } = {}): void {
  doc
    .font(options.bold ? FONT.bold : FONT.regular)
    .fontSize(options.small ? SIZE.small : SIZE.body)
    .fillColor(options.grey ? GREY : "black")
    .text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH, lineGap: LINE_GAP });
  doc.moveDown(0.5);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
}

/** Label–value rows in two columns; a long value wraps in its column. */
export function fields(doc: Doc, rows: Array<[string, string]>, labelWidth = mm(48)): void {
  for (const [label, value] of rows) {
    const valueWidth = CONTENT_WIDTH - labelWidth;
    doc.font(FONT.regular).fontSize(SIZE.body);
    const h = Math.max(doc.heightOfString(value || " ", { width: valueWidth, lineGap: LINE_GAP }), doc.heightOfString(label, { width: labelWidth - 6 }));
    ensureSpace(doc, h + 4);
    const y = doc.y;
    doc.font(FONT.bold).fontSize(SIZE.body).text(label, MARGIN.left, y, { width: labelWidth - 6 });
    doc.font(FONT.regular).text(value || " ", MARGIN.left + labelWidth, y, { width: valueWidth, lineGap: LINE_GAP });
    doc.y = y + h + 3;
  }
  doc.x = MARGIN.left;
  doc.moveDown(0.3);
}

/** Ruled lines to write on by hand. */
export function writingLines(doc: Doc, count: number): void {
  for (let i = 0; i < count; i++) {
    ensureSpace(doc, WRITING_LINE);
    const y = doc.y + WRITING_LINE - 2;
    doc.save().strokeColor(RULE).lineWidth(0.5).moveTo(MARGIN.left, y).lineTo(MARGIN.left + CONTENT_WIDTH, y).stroke().restore();
    doc.y += WRITING_LINE;
  }
  doc.moveDown(0.4);
}

/** A QR code drawn as vector squares (sharp at any print resolution), with its quiet zone. */
export async function qrCode(doc: Doc, text: string, x: number, y: number, size: number): Promise<void> {
  const QR = await import("qrcode");
  const code = (QR.default ?? QR).create(text, { errorCorrectionLevel: "M" });
  const n = code.modules.size;
  const quiet = 4;
  const cell = size / (n + 2 * quiet);
  doc.save().rect(x, y, size, size).fill("white");
  doc.fillColor("black");
  const data = code.modules.data;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (data[r * n + c]) doc.rect(x + (quiet + c) * cell, y + (quiet + r) * cell, cell, cell);
    }
  }
  doc.fill("black").restore();
}
