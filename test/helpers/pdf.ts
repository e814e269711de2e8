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
  const baseFonts = objs.filter((o) => /\/Type \/Font\b/.test(o)).map((o) => /\/BaseFont \/([^\s/<>\[\]]+)/.exec(o)?.[1] ?? "?");
  const descriptors = objs
    .filter((o) => /\/Type \/FontDescriptor\b/.test(o))
    .map((o) => ({ name: /\/FontName \/([^\s/<>\[\]]+)/.exec(o)?.[1] ?? "?", fontFile2: /\/FontFile2 \d+ 0 R/.test(o), fontFile: /\/FontFile[23]? \d+ 0 R/.test(o) }));
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
