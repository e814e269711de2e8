// Reading generated PDFs back: text per page (pdf-parse), the fonts' dictionaries and the PDF/A marks, read
// from the file's own bytes (pdfkit writes dictionaries uncompressed; only streams are compressed).

import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { PDFParse } from "pdf-parse";

export function bytes(file: string | Buffer): Buffer {
  return typeof file === "string" ? readFileSync(file) : file;
}

/** Text per page. */
export async function pdfPages(file: string | Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(bytes(file)) });
  try {
    const r = await parser.getText({ pageJoiner: "" });
    return r.pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

/** Every indirect object's dictionary text (up to `stream` or `endobj`). */
export function objects(file: string | Buffer): string[] {
  const text = bytes(file).toString("latin1");
  const out: string[] = [];
  const re = /\d+ 0 obj\s*([\s\S]*?)(?:\bstream\r?\n|\bendobj)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1]!);
  return out;
}

export interface FontReport {
  /** BaseFont of every /Type /Font dictionary. */
  baseFonts: string[];
  /** Font descriptors and whether each names an embedded font program. */
  descriptors: Array<{ name: string; fontFile2: boolean; fontFile: boolean }>;
  /** A standard-14 font name anywhere as BaseFont. */
  standard14: string[];
}

const STANDARD_14 = /^(Helvetica|Times|Courier|Symbol|ZapfDingbats)/;

export function fonts(file: string | Buffer): FontReport {
  const objs = objects(file);
  const baseFonts = objs.filter((o) => /\/Type \/Font\b/.test(o)).map((o) => /\/BaseFont \/([^\s/<>[\]]+)/.exec(o)?.[1] ?? "?");
  const descriptors = objs
    .filter((o) => /\/Type \/FontDescriptor\b/.test(o))
    .map((o) => ({ name: /\/FontName \/([^\s/<>[\]]+)/.exec(o)?.[1] ?? "?", fontFile2: /\/FontFile2 \d+ 0 R/.test(o), fontFile: /\/FontFile[23]? \d+ 0 R/.test(o) }));
  return { baseFonts, descriptors, standard14: baseFonts.map((b) => b.replace(/^[A-Z]{6}\+/, "")).filter((b) => STANDARD_14.test(b)) };
}

/** The XMP metadata packet (an uncompressed stream of /Type /Metadata). */
export function xmp(file: string | Buffer): string {
  const text = bytes(file).toString("latin1");
  const m = /\/Type \/Metadata[\s\S]*?stream\r?\n([\s\S]*?)endstream/.exec(text);
  return m ? Buffer.from(m[1]!, "latin1").toString("utf8") : "";
}

/** The catalogue dictionary. */
export function catalog(file: string | Buffer): string {
  return objects(file).find((o) => /\/Type \/Catalog\b/.test(o)) ?? "";
}

/** The decompressed content of every FlateDecode stream (for looking at drawing operators). */
export function streams(file: string | Buffer): string[] {
  const b = bytes(file);
  const text = b.toString("latin1");
  const out: string[] = [];
  const re = /<<([\s\S]*?)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const len = Number(/\/Length (\d+)/.exec(m[1]!)?.[1] ?? 0);
    const start = m.index + m[0].length;
    const raw = b.subarray(start, start + len);
    try {
      out.push(/FlateDecode/.test(m[1]!) ? inflateSync(raw).toString("latin1") : raw.toString("latin1"));
    } catch {
      out.push("");
    }
  }
  return out;
}

export interface TextItem {
  str: string;
  /** From the left edge and from the top edge of the page, in millimetres. */
  xMm: number;
  yMm: number;
  sizePt: number;
}

/** The text pieces of one page (1-based) with their positions, read by pdf.js. */
export async function textItems(file: string | Buffer, page: number): Promise<TextItem[]> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes(file)), isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    const p = await doc.getPage(page);
    const height = p.view[3]!;
    const content = await p.getTextContent();
    const mm = 25.4 / 72;
    return (content.items as Array<{ str: string; transform: number[] }>)
      .filter((i) => typeof i.str === "string" && i.str.trim())
      .map((i) => ({ str: i.str, xMm: i.transform[4]! * mm, yMm: (height - i.transform[5]!) * mm, sizePt: Math.hypot(i.transform[0]!, i.transform[1]!) }));
  } finally {
    await task.destroy();
  }
}

/** The lines of text whose baseline lies in the rectangle (mm from the top left), top to bottom. */
export function linesIn(items: TextItem[], box: { x: number; y: number; w: number; h: number }): string[] {
  return items
    .filter((i) => i.xMm >= box.x - 0.5 && i.xMm <= box.x + box.w && i.yMm >= box.y && i.yMm <= box.y + box.h)
    .sort((a, b) => a.yMm - b.yMm || a.xMm - b.xMm)
    .map((i) => i.str);
}
