// The PDF base shared by every document: A4, Swedish, PDF/A-2b (embedded fonts, XMP metadata with the PDF/A
// identification, an sRGB output intent) with title, author and language, page footers with the diary number
// and "Sida i av n" on every page, and byte-stable output: the creation date comes from the clock of the run
// (AVVIK_NOW) and pdfkit derives the document ID from the metadata, so the same input gives the same bytes.

import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { drawable } from "../core/printable.js";
import { loadFonts, registerFonts } from "./fonts.js";
import { CONTENT_WIDTH, FONT, FOOTER_Y, GREY, LINE_GAP, MARGIN, PAGE, RULE, SIZE, WRITING_LINE, mm } from "./layout.js";

export type Doc = PDFKit.PDFDocument;

type PdfKitModule = typeof import("pdfkit");
let pdfkit: PdfKitModule | undefined;

/** pdfkit is loaded on first use, never at start-up. */
export async function loadPdfKit(): Promise<PdfKitModule> {
  pdfkit ??= (await import("pdfkit")).default as unknown as PdfKitModule;
  await loadFonts();
  return pdfkit;
}

export interface DocumentMeta {
  title: string;
  /** Printed in every footer. */
  diaryNumber: string;
  author: string;
  subject?: string;
  now: Date;
  /** A tagged PDF (structure tree, reading order) for published documents. */
  tagged?: boolean;
  /** PDF/A-3b instead of PDF/A-2b: needed when the document carries an embedded file (the exchange file). */
  pdfA3?: boolean;
}

/** The options every document is made with (also used by the board report and the exchange file). */
export function archiveOptions(meta: Omit<DocumentMeta, "diaryNumber"> & { keywords?: string }): PDFKit.PDFDocumentOptions {
  return {
    pdfVersion: "1.7",
    subset: meta.pdfA3 ? "PDF/A-3b" : "PDF/A-2b",
    tagged: meta.tagged === true,
    lang: "sv-SE",
    displayTitle: true,
    // no default font from pdfkit's constructor (it would be a standard font, never embedded): registerFonts()
    font: "",
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject ?? meta.title,
      Creator: "avvik",
      Producer: "avvik",
      CreationDate: meta.now,
      ...(meta.keywords ? { Keywords: meta.keywords } : {}),
    },
  } as PDFKit.PDFDocumentOptions;
}

/**
 * Makes a PDF/A document with the embedded fonts. pdfkit writes the Info values into the XMP metadata
 * as they are; a name like "Vård & Omsorg AB" would break the XML, so the XMP gets them escaped.
 */
export async function archiveDocument(options: PDFKit.PDFDocumentOptions): Promise<Doc> {
  const PDFDocument = await loadPdfKit();
  const doc = new (PDFDocument as unknown as new (o: PDFKit.PDFDocumentOptions) => Doc)(options);
  escapeXmpInfo(doc);
  if (shortcuts) {
    compressOnce(doc);
    collectOutput(doc);
  }
  await registerFonts(doc);
  doc.font(FONT.regular);
  return doc;
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** pdfkit 0.20's `_addInfo` (pinned; test/unit/pdfkit-pin.test.ts fails when it changes) reads `doc.info`. */
function escapeXmpInfo(doc: Doc): void {
  const d = doc as unknown as { _addInfo?: () => void; info: Record<string, unknown> };
  const original = d._addInfo;
  if (typeof original !== "function") throw new Error("pdfkit: _addInfo is missing (the pinned version changed)");
  d._addInfo = function (this: typeof d) {
    const info = this.info;
    this.info = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, typeof v === "string" ? v.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!) : v]));
    try {
      original.call(this);
    } finally {
      this.info = info;
    }
  };
}

let shortcuts = true;

/**
 * For the test that the shortcuts below (`compressOnce`, `textLine`, the QR code's one piece of content) give
 * pdfkit's own bytes: documents made after `false` take pdfkit's way.
 */
export function setPdfShortcuts(on: boolean): void {
  shortcuts = on;
}

/** A stream of pdfkit 0.20 (pinned): what `compressOnce` reads and sets. */
interface PdfKitReference {
  compress: boolean;
  buffer: Uint8Array[];
  data: { Length?: number; Filter?: string };
  uncompressedLength: number;
  write(chunk: unknown): void;
  finalize(): void;
}

/**
 * zlib's fastest level: a page's content (text operators, different in every document) compresses twice as fast
 * as at pdfkit's level 6 and 7 % larger; the font subsets and the colour profile are compressed once per process.
 */
const DEFLATE_LEVEL = 1;
const deflated = new Map<string, Buffer>();
let deflatedBytes = 0;
/** Compressed streams kept per process (a bound on memory: a long run starts afresh). */
const MAX_DEFLATED_BYTES = 16 * 1024 * 1024;

function deflate(raw: Buffer): Buffer {
  const key = createHash("sha1").update(raw).digest("base64") + raw.length;
  let out = deflated.get(key);
  if (!out) {
    out = deflateSync(raw, { level: DEFLATE_LEVEL });
    if (deflatedBytes + out.length > MAX_DEFLATED_BYTES) {
      deflated.clear();
      deflatedBytes = 0;
    }
    deflated.set(key, out);
    deflatedBytes += out.length;
  }
  return out;
}

/**
 * Streams are compressed here instead of in pdfkit's PDFReference.finalize, with the same zlib call (the same
 * bytes), but once per process for the same content: the sRGB output intent of every document, and the font
 * subsets and ToUnicode maps that documents of the same template share.
 */
function compressOnce(doc: Doc): void {
  const d = doc as unknown as { ref(data?: object): PdfKitReference };
  const ref = d.ref;
  if (typeof ref !== "function") throw new Error("pdfkit: ref is missing (the pinned version changed)");
  d.ref = function (this: unknown, data?: object) {
    const r = ref.call(this, data);
    const write = r.write;
    const finalize = r.finalize;
    if (typeof write !== "function" || typeof finalize !== "function" || !Array.isArray(r.buffer)) throw new Error("pdfkit: PDFReference changed (the pinned version)");
    // Text written (a page's content: many short pieces) is kept as strings and made bytes once, as
    // pdfkit's `write` would make each piece (`chunk + "\n"`, one byte a character).
    let pending: string[] = [];
    const flush = (self: PdfKitReference) => {
      if (pending.length) self.buffer.push(Buffer.from(pending.join(""), "latin1"));
      pending = [];
    };
    r.write = function (this: PdfKitReference, chunk: unknown) {
      if (chunk instanceof Uint8Array) {
        flush(this);
        write.call(this, chunk);
        return;
      }
      const text = `${chunk as string}\n`;
      pending.push(text);
      this.uncompressedLength += text.length;
      this.data.Length = (this.data.Length ?? 0) + text.length;
      if (this.compress) this.data.Filter = "FlateDecode";
    };
    r.finalize = function (this: PdfKitReference) {
      flush(this);
      if (this.compress && this.buffer.length) {
        this.buffer = [deflate(Buffer.concat(this.buffer))];
        this.compress = false;
      }
      finalize.call(this);
    };
    return r;
  };
}

/** What `collectOutput` reads and sets of pdfkit 0.20's document (pinned). */
interface PdfKitWriter {
  _write(data: unknown): void;
  _offset: number;
}

const collected = new WeakMap<object, Buffer[]>();

/**
 * The document's bytes kept in a list instead of pushed through its Readable stream piece by piece (an
 * object is six pieces); `documentBytes` joins them. The bytes pdfkit's `_write` makes (`data + "\n"`, one
 * byte a character). What the constructor wrote before (the header) is read from the stream first.
 */
function collectOutput(doc: Doc): void {
  const d = doc as unknown as PdfKitWriter;
  if (typeof d._write !== "function" || typeof d._offset !== "number") throw new Error("pdfkit: _write is missing (the pinned version changed)");
  const chunks: Buffer[] = [];
  collected.set(doc, chunks);
  d._write = function (this: PdfKitWriter, data: unknown) {
    const bytes = data instanceof Uint8Array ? data : Buffer.from(`${data as string}\n`, "latin1");
    chunks.push(bytes as Buffer);
    this._offset += bytes.length;
  };
}

export async function newDocument(meta: DocumentMeta): Promise<Doc> {
  const doc = await archiveDocument({
    ...archiveOptions({ ...meta, keywords: meta.diaryNumber }),
    size: PAGE.size,
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
  } as PDFKit.PDFDocumentOptions);
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor("black");
  return doc;
}

/**
 * Draws on every page of a document made with `bufferPages` (footers): `draw(i, n)`, pages counted from 1; the
 * bottom margin is lifted meanwhile, so that writing below it does not start a new page. Returns n.
 */
export function eachPage(doc: Doc, draw: (i: number, n: number) => void): number {
  const range = doc.bufferedPageRange();
  for (let k = 0; k < range.count; k++) {
    doc.switchToPage(range.start + k);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    draw(k + 1, range.count);
    doc.page.margins.bottom = bottom;
  }
  return range.count;
}

/** Ends the document and gives its bytes. */
export function documentBytes(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat([...chunks, ...(collected.get(doc) ?? [])])));
    doc.on("error", reject);
    doc.end();
  });
}

/** The letters' footer on every page (the diary number left, "Sida i av n" right), then the finished bytes. */
export function finish(doc: Doc, diaryNumber: string, pageLabel: (i: number, n: number) => string): Promise<Buffer> {
  eachPage(doc, (i, n) => {
    doc.font(FONT.regular).fontSize(SIZE.footer).fillColor(GREY);
    put(doc, diaryNumber, MARGIN.left, FOOTER_Y, CONTENT_WIDTH / 2);
    put(doc, pageLabel(i, n), MARGIN.left + CONTENT_WIDTH / 2, FOOTER_Y, CONTENT_WIDTH / 2, { align: "right" });
  });
  doc.fillColor("black");
  return documentBytes(doc);
}

/**
 * Breaks `text` into lines that fit `width` at the current font and size: greedy, at spaces, keeping the
 * text's own line breaks. Null when a single word is wider than the line (pdfkit then breaks it).
 * pdfkit's own wrapper runs Unicode line breaking over every word and is most of the cost of a page;
 * Swedish prose without hyphenation breaks the same way at spaces.
 */
const widths = new Map<string, Map<number, Map<string, number>>>();
let widthsKept = 0;

/** The width of a word at the current font and size; letter and form texts repeat, so widths are kept. */
function widthOf(doc: Doc, word: string): number {
  const d = doc as unknown as { _font?: { name?: unknown }; _fontSize?: unknown };
  const name = d._font?.name;
  const size = d._fontSize;
  if (typeof name !== "string" || typeof size !== "number") return doc.widthOfString(word);
  let bySize = widths.get(name);
  if (!bySize) widths.set(name, (bySize = new Map()));
  let byWord = bySize.get(size);
  if (!byWord) bySize.set(size, (byWord = new Map()));
  let w = byWord.get(word);
  if (w === undefined) {
    w = doc.widthOfString(word);
    if (++widthsKept > 50_000) {
      widths.clear();
      widthsKept = 0;
    }
    byWord.set(word, w);
  }
  return w;
}

/** Texts broken into lines, by font, size and width (letter and form paragraphs repeat from packet to packet). */
const wrapped = new Map<string, Map<number, Map<number, Map<string, string[] | null>>>>();
let wrappedKept = 0;

function wrap(doc: Doc, text: string, width: number): string[] | null {
  const d = doc as unknown as { _font?: { name?: unknown }; _fontSize?: unknown };
  const name = d._font?.name;
  const size = d._fontSize;
  if (typeof name !== "string" || typeof size !== "number") return wrapWords(doc, text, width);
  let bySize = wrapped.get(name);
  if (!bySize) wrapped.set(name, (bySize = new Map()));
  let byWidth = bySize.get(size);
  if (!byWidth) bySize.set(size, (byWidth = new Map()));
  let byText = byWidth.get(width);
  if (!byText) byWidth.set(width, (byText = new Map()));
  let lines = byText.get(text);
  if (lines === undefined) {
    lines = wrapWords(doc, text, width);
    if (++wrappedKept > 20_000) {
      wrapped.clear();
      wrappedKept = 0;
    }
    byText.set(text, lines);
  }
  return lines;
}

function wrapWords(doc: Doc, text: string, width: number): string[] | null {
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
export function put(doc: Doc, raw: string, x: number, y: number, width: number, options: { align?: "left" | "right"; lineGap?: number } = {}): number {
  // Composed form (a name typed with combining accents prints as the letters the font has), without control
  // characters (text from outside may carry terminal escapes: they are not drawn).
  const text = drawable(raw);
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
    if (line) textLine(doc, line, left, cy);
    cy += lh;
  }
  doc.x = x;
  doc.y = cy;
  return cy - y;
}

/** What `textLine` reads of pdfkit 0.20's document (pinned; test/unit/pdfkit-fonts.test.ts fails when it changes). */
interface PdfKitGlyphPosition {
  xAdvance: number;
  advanceWidth: number;
  xOffset: number;
  yOffset: number;
}
interface PdfKitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface PdfKitFont {
  id: string;
  ascender: number;
  encode?(text: string): [string[], PdfKitGlyphPosition[]];
  layout?(text: string): { glyphs: PdfKitGlyph[]; positions: PdfKitGlyphPosition[] };
  subset?: { includeGlyph(gid: number): number };
  widths?: number[];
  unicode?: number[][];
  scale?: number;
  ref(): unknown;
}
interface PdfKitTextState {
  _font?: PdfKitFont;
  _fontSize: number;
  page: { height: number; fonts: Record<string, unknown> };
  addContent(data: string): unknown;
}

/** pdfkit's PDFObject.number: six decimals at most. */
const num = (n: number): number => Math.round(n * 1e6) / 1e6;

/**
 * One line of text at (x, y), top-left, in the current font, size and colour, without wrapping: the operators
 * pdfkit's `text(line, x, y, { lineBreak: false })` writes (its `_fragment` for left-aligned text without
 * spacing, features or links), the same bytes, built as one string instead of eight `addContent` calls after
 * pdfkit's option handling; a line is most of what a page costs. Falls back to `doc.text` where the font is
 * not an embedded one.
 */
function textLine(doc: Doc, text: string, x: number, y: number): void {
  const d = doc as unknown as PdfKitTextState;
  const font = d._font;
  if (!shortcuts || !font || typeof font.encode !== "function" || text.includes("\n")) {
    doc.text(text, x, y, { lineBreak: false });
    return;
  }
  const size = d._fontSize;
  const height = d.page.height;
  const yy = height - y - (font.ascender / 1000) * size;
  if (d.page.fonts[font.id] == null) d.page.fonts[font.id] = font.ref();
  const [encoded, positions] = encode(font, text);
  const scale = size / 1000;
  let out = `q\n1 0 0 -1 0 ${num(height)} cm\nBT\n1 0 0 1 ${num(x)} ${num(yy)} Tm\n/${font.id} ${num(size)} Tf`;
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  let cx = x;
  const addSegment = (cur: number) => {
    if (last < cur) {
      const advance = positions[cur - 1]!.xAdvance - positions[cur - 1]!.advanceWidth;
      commands.push(`<${encoded.slice(last, cur).join("")}> ${num(-advance)}`);
    }
    last = cur;
  };
  const flush = (i: number) => {
    addSegment(i);
    if (commands.length > 0) {
      out += `\n[${commands.join(" ")}] TJ`;
      commands.length = 0;
    }
  };
  let i = 0;
  for (; i < positions.length; i++) {
    const pos = positions[i]!;
    if (pos.xOffset || pos.yOffset) {
      flush(i);
      out += `\n1 0 0 1 ${num(cx + pos.xOffset * scale)} ${num(yy + pos.yOffset * scale)} Tm`;
      flush(i + 1);
      hadOffset = true;
    } else {
      if (hadOffset) {
        out += `\n1 0 0 1 ${num(cx)} ${num(yy)} Tm`;
        hadOffset = false;
      }
      if (pos.xAdvance - pos.advanceWidth !== 0) addSegment(i + 1);
    }
    cx += pos.xAdvance * scale;
  }
  flush(i);
  d.addContent(`${out}\nET\nQ`);
}

const HEX: string[] = [];

/**
 * pdfkit 0.20's EmbeddedFont.encode (the line's glyphs from `layout`, each given its id in the document's
 * subset, written as four hex digits; the width and code points of a glyph recorded at its first use), with
 * the hex digits of an id made once per process instead of once per glyph.
 */
function encode(font: PdfKitFont, text: string): [string[], PdfKitGlyphPosition[]] {
  const { layout, subset, widths, unicode, scale } = font;
  if (typeof layout !== "function" || !subset || !widths || !unicode || typeof scale !== "number") return font.encode!(text);
  const { glyphs, positions } = layout.call(font, text);
  const res: string[] = [];
  for (let i = 0; i < glyphs.length; i++) {
    const glyph = glyphs[i]!;
    const gid = subset.includeGlyph(glyph.id);
    res.push((HEX[gid] ??= `0000${gid.toString(16)}`.slice(-4)));
    if (widths[gid] == null) widths[gid] = glyph.advanceWidth * scale;
    if (unicode[gid] == null) unicode[gid] = glyph.codePoints;
  }
  return [res, positions];
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
export async function qrCode(doc: Doc, text: string, x: number, y: number, size: number, errorCorrectionLevel: "L" | "M" | "Q" | "H" = "M"): Promise<void> {
  const QR = await import("qrcode");
  const code = (QR.default ?? QR).create(text, { errorCorrectionLevel });
  const n = code.modules.size;
  const quiet = 4;
  const cell = size / (n + 2 * quiet);
  doc.save().rect(x, y, size, size).fill("white");
  doc.fillColor("black");
  const data = code.modules.data;
  // Each run of dark modules in a row is one rectangle; the rectangles as `doc.rect` writes them, in one
  // piece of content instead of a call each.
  const rects: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!data[r * n + c]) continue;
      let run = 1;
      while (c + run < n && data[r * n + c + run]) run++;
      if (shortcuts) rects.push(`${num(x + (quiet + c) * cell)} ${num(y + (quiet + r) * cell)} ${num(run * cell)} ${num(cell)} re`);
      else doc.rect(x + (quiet + c) * cell, y + (quiet + r) * cell, run * cell, cell);
      c += run - 1;
    }
  }
  if (rects.length) (doc as unknown as PdfKitTextState).addContent(rects.join("\n"));
  doc.fill("black").restore();
}
