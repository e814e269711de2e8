// Reading PDFs that come back: the text layer (pdf-parse, i.e. pdf.js) and, for scans without one, QR
// codes in the page images (jsQR); and the files embedded in a PDF (an exchange file's payload). pdf-parse,
// pdfjs-dist, pngjs and jsQR are loaded on first use.
//
// This is the reading pipeline for foreign PDFs: text layer, then QR codes. It runs in the worker thread of
// untrusted.ts (pdfWorker.ts), which bounds memory and time; call it through `readUntrustedPdf`, not directly.

import { InvalidDataError } from "../core/errors.js";

export interface PdfContent {
  /** The text layer, pages joined; empty for an image-only scan. */
  text: string;
  /** True when the text layer holds any letters or digits. */
  hasText: boolean;
  /** Texts of the QR codes found in the page images (only looked for when asked). */
  qr: string[];
  pages: number;
}

export interface ReadOptions {
  /** "never": text only; "always": also decode QR codes; "auto" (default): QR codes when there is no text. */
  qr?: "never" | "auto" | "always";
  /** Pages at most (a PDF with more is refused), and characters of text at most. */
  maxPages?: number;
  maxTextChars?: number;
}

/** A limit of reading that a PDF goes past: refused as too large or too complex to read. */
export type PdfLimit = "size" | "pages" | "text" | "decoded" | "memory" | "time";

export class PdfLimitExceeded extends Error {
  constructor(readonly limit: PdfLimit, readonly n: number) {
    super(`PDF over the ${limit} limit (${n})`);
  }
}

/** True when the bytes start like a PDF (the header may follow a little junk, as readers allow). */
export function looksLikePdf(data: Buffer): boolean {
  return data.subarray(0, 1024).includes("%PDF-");
}

/** A complete PDF ends with %%EOF (some writers add a few bytes after it); a cut-off copy does not. */
export function looksComplete(data: Buffer): boolean {
  return data.subarray(Math.max(0, data.length - 2048)).includes("%%EOF");
}

type PdfParseModule = typeof import("pdf-parse");
let pdfParse: PdfParseModule | undefined;

async function loadPdfParse(): Promise<PdfParseModule> {
  pdfParse ??= await import("pdf-parse");
  return pdfParse;
}

/** Starts loading the PDF libraries (the worker does, as it starts, while the main thread opens the register). */
export function preloadPdfLibraries(): void {
  loadPdfParse().catch(() => undefined);
  import("pdfjs-dist/legacy/build/pdf.mjs").catch(() => undefined);
}

/**
 * Reads a PDF: its text, its page count and, as asked, the QR codes of its pages. Refuses what is not a
 * PDF or is broken (truncated, unreadable) with an InvalidDataError; never changes the input.
 */
export async function readPdf(data: Buffer, options: ReadOptions = {}): Promise<PdfContent> {
  if (!looksLikePdf(data)) throw new InvalidDataError("paper.error.pdfNotPdf", {});
  if (!looksComplete(data)) throw new InvalidDataError("paper.error.pdfTruncated", {});
  const { PDFParse } = await loadPdfParse();
  // pdf.js may detach the buffer it is given: pass a copy.
  const parser = new PDFParse({ data: new Uint8Array(data), verbosity: 0 });
  try {
    let result;
    try {
      // Only the first maxPages pages are read: a longer PDF is refused below, having cost no more than those.
      result = await parser.getText({ pageJoiner: "", ...(options.maxPages ? { first: options.maxPages } : {}) });
    } catch (e) {
      throw new InvalidDataError("paper.error.pdfBroken", { reason: e instanceof Error ? e.message : String(e) });
    }
    if (options.maxPages && result.total > options.maxPages) throw new PdfLimitExceeded("pages", options.maxPages);
    const text = result.text ?? "";
    if (options.maxTextChars && text.length > options.maxTextChars) throw new PdfLimitExceeded("text", options.maxTextChars);
    const hasText = /[\p{L}\p{N}]/u.test(text);
    const mode = options.qr ?? "auto";
    const qr = mode === "always" || (mode === "auto" && !hasText) ? await qrCodes(parser, result.total) : [];
    return { text, hasText, qr, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

export interface RenderedPage {
  /** 1-based page number. */
  page: number;
  /**
   * The page's pixels as pdf.js painted them on its canvas: RGBA, row by row, `width` × `height` (opaque: pdf.js
   * paints a page on white). Not a PNG: encoding 35 MB of RGBA (an A4 page at 300 dpi) as a PNG in this thread
   * and decoding it again in the main one cost about a second of CPU a page, for the same pixels.
   */
  rgba: Uint8Array;
  width: number;
  height: number;
  /** The resolution it was rendered at. */
  dpi: number;
}

/** What renderPage uses of pdf-parse's loaded pdf.js document (its `load`, which getScreenshot uses too). */
interface LoadedDocument {
  getPage(n: number): Promise<{
    getViewport(o: { scale: number }): { width: number; height: number };
    render(o: { canvasContext: unknown; viewport: unknown; canvas: unknown }): { promise: Promise<void> };
    cleanup(): void;
  }>;
  canvasFactory: { create(w: number, h: number): { canvas: { width: number; height: number }; context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } };
}

/**
 * One page painted by pdf.js as pdf-parse's getScreenshot paints it (the document pdf-parse loaded, with its
 * options; pdf.js's canvas factory; the same viewport), its pixels read off the canvas instead of encoded as a
 * PNG. Null when this pdf-parse has no `load` (it is not part of its typed interface).
 */
async function paintPage(parser: Parser, pageNumber: number, scale: number): Promise<{ rgba: Uint8Array; width: number; height: number } | null> {
  const load = (parser as unknown as { load?: () => Promise<LoadedDocument> }).load;
  if (typeof load !== "function") return null;
  const doc = await load.call(parser);
  const page = await doc.getPage(pageNumber);
  try {
    const viewport = page.getViewport({ scale });
    const target = doc.canvasFactory.create(viewport.width, viewport.height);
    await page.render({ canvasContext: target.context, viewport, canvas: target.canvas }).promise;
    const { width, height } = target.canvas;
    const { data } = target.context.getImageData(0, 0, width, height);
    return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  } finally {
    page.cleanup();
  }
}

/**
 * One page of a PDF as an image for OCR, rendered by pdf.js at `dpi` (lower for a page so large that it would
 * pass `maxPixels`), with the PDF's page count; a PDF of more than `maxPages` pages is refused (PdfLimitExceeded
 * "pages"). One page a request, so that each page has the reader's time limit to itself.
 */
export async function renderPage(data: Buffer, options: { page: number; dpi: number; maxPages: number; maxPixels: number }): Promise<{ total: number; page: RenderedPage | null }> {
  if (!looksLikePdf(data)) throw new InvalidDataError("paper.error.pdfNotPdf", {});
  const { PDFParse } = await loadPdfParse();
  const parser = new PDFParse({ data: new Uint8Array(data), verbosity: 0 });
  try {
    let info;
    try {
      info = await parser.getInfo({ parsePageInfo: true, first: options.page, last: options.page });
    } catch (e) {
      throw new InvalidDataError("paper.error.pdfBroken", { reason: e instanceof Error ? e.message : String(e) });
    }
    if (info.total > options.maxPages) throw new PdfLimitExceeded("pages", options.maxPages);
    const p = (info.pages ?? []).find((x) => x.pageNumber === options.page);
    if (!p) return { total: info.total, page: null };
    const scale = Math.min(options.dpi / 72, Math.sqrt(options.maxPixels / Math.max(1, p.width * p.height)));
    try {
      const painted = await paintPage(parser, p.pageNumber, scale);
      if (!painted) throw new Error("pdf-parse without load()");
      return { total: info.total, page: { page: p.pageNumber, ...painted, dpi: scale * 72 } };
    } catch {
      return { total: info.total, page: null }; // a page pdf.js cannot render is read as nothing
    }
  } finally {
    await parser.destroy();
  }
}

/** The bytes of a named embedded file, undefined when there is none, "broken" when the PDF cannot be read. */
export async function readAttachment(data: Uint8Array, name: string): Promise<Buffer | undefined | "broken"> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(data), isEvalSupported: false, verbosity: 0, stopAtErrors: true });
  try {
    const doc = await task.promise;
    const attachments = ((await doc.getAttachments()) ?? {}) as Record<string, { filename?: string; content: Uint8Array }>;
    const entry = attachments[name] ?? Object.values(attachments).find((a) => a.filename === name);
    return entry ? Buffer.from(entry.content) : undefined;
  } catch {
    return "broken";
  } finally {
    await task.destroy();
  }
}

type Parser = InstanceType<PdfParseModule["PDFParse"]>;

/**
 * QR codes of the pages: each page rendered at 108 dpi (fast, and enough for a form's QR code, drawn as
 * vectors or scanned), last page first (where the reply form usually is); when none is found, the embedded
 * images at their full resolution. Stops at the first page that has one.
 */
async function qrCodes(parser: Parser, pages: number): Promise<string[]> {
  const order = [...Array(Math.min(pages, 8)).keys()].map((i) => i + 1);
  if (pages > 1) order.unshift(...order.splice(order.length - 1, 1));
  for (const n of order) {
    try {
      const shots = await parser.getScreenshot({ scale: 1.5, partial: [n], imageDataUrl: false, imageBuffer: true });
      for (const page of shots.pages) {
        const found = await decodeQr(page.data);
        if (found.length) return found;
      }
    } catch {
      // a page pdf.js cannot render: try the images below
    }
  }
  const found = new Set<string>();
  try {
    const images = await parser.getImage({ imageThreshold: 60, imageDataUrl: false, imageBuffer: true });
    for (const page of images.pages) {
      for (const img of page.images) {
        for (const t of await decodeQr(img.data)) found.add(t);
      }
    }
  } catch {
    // nothing more to try
  }
  return [...found];
}

/** Decodes the QR code of one PNG image; large scans are also tried at half size (faster, less noise). */
export async function decodeQr(png: Uint8Array): Promise<string[]> {
  const [{ PNG }, jsqrModule] = await Promise.all([import("pngjs"), import("jsqr")]);
  const jsQR = (jsqrModule.default ?? jsqrModule) as unknown as typeof import("jsqr").default;
  let image;
  try {
    image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch {
    return [];
  }
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const tries: Array<() => ReturnType<typeof jsQR>> = [];
  if (image.width * image.height > 3_000_000) tries.push(() => { const h = halve(rgba, image.width, image.height); return jsQR(h.data, h.width, h.height); });
  tries.push(() => jsQR(rgba, image.width, image.height, { inversionAttempts: "dontInvert" }));
  for (const attempt of tries) {
    const code = attempt();
    if (code?.data) return [code.data];
  }
  return [];
}

function halve(data: Uint8ClampedArray, width: number, height: number): { data: Uint8ClampedArray; width: number; height: number } {
  const w = Math.floor(width / 2);
  const h = Math.floor(height / 2);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      for (let k = 0; k < 4; k++) {
        const a = ((2 * y) * width + 2 * x) * 4 + k;
        const b = a + 4;
        const c = a + width * 4;
        const d = c + 4;
        out[o + k] = (data[a]! + data[b]! + data[c]! + data[d]!) >> 2;
      }
    }
  }
  return { data: out, width: w, height: h };
}
