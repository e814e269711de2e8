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
    // no default font from pdfkit's constructor: seedFonts() below gives the document its fonts
    font: "",
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
  seedFonts(doc);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
  return doc;
}

/**
 * pdfkit parses a standard font's metrics (widths and some 2,700 kerning pairs) again for every document,
 * which costs more than laying out a page. The metrics never change, so each document gets light copies of
 * the fonts of the first one, sharing their metrics (with a faster kerning lookup giving the same values);
 * ids and objects stay per document, so the output is the same bytes as without the copies. Falls back to
 * pdfkit's own way if its internals look different.
 */
const donorFonts = new Map<string, Record<string, unknown>>();

function seedFonts(doc: Doc): void {
  const d = doc as unknown as { _fontFamilies?: Record<string, Record<string, unknown>>; _fontCount?: number; _font?: Record<string, unknown> };
  if (typeof d._fontFamilies !== "object" || typeof d._fontCount !== "number") return;
  for (const name of [FONT.regular, FONT.bold, FONT.oblique]) {
    const donor = donorFonts.get(name);
    const existing = d._fontFamilies[name];
    if (!donor) {
      if (!existing) doc.font(name);
      const made = d._fontFamilies[name];
      if (made && typeof made.font === "object" && made.name === name) {
        fastKerning(made.font as AfmMetrics);
        memoizeFont(made, name);
        donorFonts.set(name, made);
      }
      continue;
    }
    if (existing) {
      // made by pdfkit's constructor (the default font): keep its id, share the parsed metrics
      existing.font = donor.font;
      memoizeFont(existing, name);
      continue;
    }
    const copy = Object.create(Object.getPrototypeOf(donor) as object) as Record<string, unknown>;
    for (const [k, v] of Object.entries(donor)) if (k !== "document" && k !== "id" && k !== "dictionary" && k !== "embedded") copy[k] = v;
    copy.document = doc;
    copy.id = `F${++d._fontCount}`;
    d._fontFamilies[name] = copy;
    memoizeFont(copy, name);
  }
}

type FontMethod = (this: unknown, text: string, ...rest: unknown[]) => unknown;
const fontCaches = new Map<string, { encode: Map<string, unknown>; width: Map<string, unknown> }>();

/**
 * Letter and form texts repeat from packet to packet: a font's encoding of a string (glyph codes and
 * advances, never changed by pdfkit's callers without word spacing, which we do not use) and its width are
 * kept per font, so a repeated line is measured and encoded once per process.
 */
function memoizeFont(font: Record<string, unknown>, name: string): void {
  const proto = Object.getPrototypeOf(font) as Record<string, unknown>;
  const encode = proto.encode as FontMethod | undefined;
  const widthOfString = proto.widthOfString as FontMethod | undefined;
  if (typeof encode !== "function" || typeof widthOfString !== "function") return;
  let cache = fontCaches.get(name);
  if (!cache) fontCaches.set(name, (cache = { encode: new Map(), width: new Map() }));
  const c = cache;
  font.encode = function (this: unknown, text: string, features?: unknown) {
    if (features) return encode.call(this, text, features);
    let r = c.encode.get(text);
    if (r === undefined) {
      r = encode.call(this, text);
      if (c.encode.size > 20_000) c.encode.clear();
      c.encode.set(text, r);
    }
    return r;
  };
  font.widthOfString = function (this: unknown, text: string, size?: unknown, features?: unknown) {
    if (features) return widthOfString.call(this, text, size, features);
    const key = `${String(size)}\u0000${text}`;
    let r = c.width.get(key);
    if (r === undefined) {
      r = widthOfString.call(this, text, size);
      if (c.width.size > 20_000) c.width.clear();
      c.width.set(key, r);
    }
    return r;
  };
}

interface AfmMetrics {
  kernPairs?: Record<string, number>;
  getKernPair?: (left: string, right: string) => number;
}

/** The same kerning values, looked up in nested maps instead of through a concatenated string key. */
function fastKerning(font: AfmMetrics): void {
  if (!font.kernPairs || typeof font.getKernPair !== "function") return;
  const table = new Map<string, Map<string, number>>();
  for (const [key, amount] of Object.entries(font.kernPairs)) {
    const i = key.indexOf("\0");
    const left = key.slice(0, i);
    let row = table.get(left);
    if (!row) table.set(left, (row = new Map()));
    row.set(key.slice(i + 1), amount);
  }
  font.getKernPair = (left: string, right: string) => table.get(left)?.get(right) ?? 0;
}

/** Footers on every page, then the finished bytes. */
export function finish(doc: Doc, diaryNumber: string, pageLabel: (i: number, n: number) => string): Promise<Buffer> {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not add a page
    doc.font(FONT.regular).fontSize(SIZE.footer).fillColor(GREY);
    put(doc, diaryNumber, MARGIN.left, FOOTER_Y, CONTENT_WIDTH / 2);
    put(doc, pageLabel(i + 1, range.count), MARGIN.left + CONTENT_WIDTH / 2, FOOTER_Y, CONTENT_WIDTH / 2, { align: "right" });
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

/**
 * Breaks `text` into lines that fit `width` at the current font and size: greedy, at spaces, keeping the
 * text's own line breaks. Null when a single word is wider than the line (pdfkit then breaks it).
 * pdfkit's own wrapper runs Unicode line breaking over every word and is most of the cost of a page;
 * Swedish prose without hyphenation breaks the same way at spaces.
 */
const widths = new Map<string, number>();

/** The width of a word at the current font and size; letter and form texts repeat, so widths are kept. */
function widthOf(doc: Doc, word: string): number {
  const d = doc as unknown as { _font?: { name?: string }; _fontSize?: number };
  const key = `${d._font?.name}\u0000${d._fontSize}\u0000${word}`;
  let w = widths.get(key);
  if (w === undefined) {
    w = doc.widthOfString(word);
    if (widths.size > 50_000) widths.clear();
    widths.set(key, w);
  }
  return w;
}

export function wrap(doc: Doc, text: string, width: number): string[] | null {
  const lines: string[] = [];
  const space = widthOf(doc, " ");
  for (const para of text.split("\n")) {
    const words = para.split(/ +/);
    let line = "";
    let w = 0;
    for (const word of words) {
      const ww = widthOf(doc, word);
      if (ww > width) return null;
      if (line && w + space + ww > width) {
        lines.push(line);
        line = word;
        w = ww;
      } else {
        w = line ? w + space + ww : ww;
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Writes `text` at (x, y) within `width`, line by line without pdfkit's wrapper (see `wrap`). Leaves the
 * position below the text and returns the height used.
 */
export function put(doc: Doc, text: string, x: number, y: number, width: number, options: { align?: "left" | "right"; lineGap?: number } = {}): number {
  const gap = options.lineGap ?? 0;
  const lines = wrap(doc, text, width);
  if (!lines) {
    doc.text(text, x, y, { width, lineGap: gap, align: options.align ?? "left" });
    doc.x = x;
    return doc.y - y;
  }
  const lh = doc.currentLineHeight(true) + gap;
  let cy = y;
  for (const line of lines) {
    if (cy + lh > doc.page.height - doc.page.margins.bottom && doc.page.margins.bottom > 0) {
      doc.addPage();
      cy = doc.page.margins.top;
    }
    const left = options.align === "right" ? x + width - doc.widthOfString(line) : x;
    if (line) doc.text(line, left, cy, { lineBreak: false, lineGap: gap });
    cy += lh;
  }
  doc.x = x;
  doc.y = cy;
  return cy - y;
}

/** Height of `text` in `width`, as `put` would write it. */
export function heightOf(doc: Doc, text: string, width: number, lineGap = 0): number {
  const lines = wrap(doc, text, width);
  if (!lines) return doc.heightOfString(text, { width, lineGap });
  return lines.length * (doc.currentLineHeight(true) + lineGap);
}

/** Starts a new page when less than `height` points are left. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

export function title(doc: Doc, text: string): void {
  doc.font(FONT.bold).fontSize(SIZE.title);
  put(doc, text, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.moveDown(0.6);
  doc.font(FONT.regular).fontSize(SIZE.body);
}

export function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 50);
  doc.moveDown(0.4);
  doc.font(FONT.bold).fontSize(SIZE.heading);
  put(doc, text, MARGIN.left, doc.y, CONTENT_WIDTH);
  doc.moveDown(0.25);
  doc.font(FONT.regular).fontSize(SIZE.body);
}

export function paragraph(doc: Doc, text: string, options: { bold?: boolean; small?: boolean; grey?: boolean } = {}): void {
  doc
    .font(options.bold ? FONT.bold : FONT.regular)
    .fontSize(options.small ? SIZE.small : SIZE.body)
    .fillColor(options.grey ? GREY : "black");
  const h = heightOf(doc, text, CONTENT_WIDTH, LINE_GAP);
  ensureSpace(doc, Math.min(h, 60));
  put(doc, text, MARGIN.left, doc.y, CONTENT_WIDTH, { lineGap: LINE_GAP });
  doc.moveDown(0.5);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
}

/** Label–value rows in two columns; a long value wraps in its column. */
export function fields(doc: Doc, rows: Array<[string, string]>, labelWidth = mm(48)): void {
  for (const [label, value] of rows) {
    const valueWidth = CONTENT_WIDTH - labelWidth;
    doc.font(FONT.regular).fontSize(SIZE.body);
    const hv = heightOf(doc, value || " ", valueWidth, LINE_GAP);
    doc.font(FONT.bold);
    const h = Math.max(hv, heightOf(doc, label, labelWidth - 6));
    ensureSpace(doc, h + 4);
    const y = doc.y;
    put(doc, label, MARGIN.left, y, labelWidth - 6);
    doc.font(FONT.regular);
    put(doc, value || " ", MARGIN.left + labelWidth, y, valueWidth, { lineGap: LINE_GAP });
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
