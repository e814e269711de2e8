// Reading a scan that has no text layer: a PDF of page images, or an image file (PNG, JPEG, TIFF). Each page is
// made a grey page at about 300 dpi (pdf.js renders a PDF's page in the reader's worker thread; sharp decodes an
// image, honouring its resolution), then:
//   1. QR codes: the whole page at 150 and 100 dpi, the corners where our reply form's code sits (upright and
//      upside down) at full resolution and binarised, and turned by ±4°: jsQR is given what a poor scan needs.
//   2. Only when no page has a QR code: OCR (ocr.ts) of each page, binarised by a local threshold; a blank page is
//      not read; a page that gives no reference and reads poorly is read again turned (upside down, sideways).
// The pages are read one after another here, their OCR handed to the pool as they come (the pool's workers read
// several pages at once); at most a few pages are held in memory at a time.

import { InvalidDataError } from "../core/errors.js";
import { encodePng, imagePage, imagePageCount, MAX_PAGE_PIXELS, pngPage, tilt, type ImageKind, type ScanLimits } from "./images.js";
import type { OcrPool } from "./ocr.js";
import { binarise, crop, despeckle, isBlank, rgba, shrink, turn, type Raster } from "./raster.js";
import { renderUntrustedPage } from "./untrusted.js";

export interface ScanPage {
  page: number;
  qr: string[];
  blank: boolean;
  /** What OCR read (when it was needed), the page's turn and tesseract's confidence. */
  ocr?: { text: string; confidence: number; turned: 0 | 90 | 180 | 270 };
}

export interface ScanResult {
  pages: ScanPage[];
  qr: string[];
  /** The text OCR read, pages in order, empty when no page needed OCR. */
  text: string;
  /** True when OCR was used. */
  ocr: boolean;
}

export interface ScanOptions {
  limits: ScanLimits;
  /** The pool OCR goes to (made on first need: a page with a QR code never starts it). */
  pool: () => OcrPool;
  /** Whether a text names a reference (used to tell a page read the right way up). */
  hasReference: (text: string) => boolean;
  /** Skip OCR (a QR code, or nothing, is all that is wanted). */
  qrOnly?: boolean;
  /** Called as each page has been read. */
  onPage?: (page: ScanPage) => void;
}

type PageSource = { count: number; get(i: number): Promise<Raster> };

async function sourceOf(data: Buffer, kind: "pdf" | ImageKind, limits: ScanLimits): Promise<PageSource> {
  if (kind === "pdf") {
    // Page by page (each within the reader's limits); the first page is kept, the others rendered when asked for.
    const render = (page: number) => renderUntrustedPage(data, { page, dpi: limits.dpi, maxPages: limits.maxPages, maxPixels: MAX_PAGE_PIXELS });
    const first = await render(1);
    const white = (): Raster => ({ data: new Uint8Array(100 * 100).fill(255), width: 100, height: 100, dpi: 72 });
    return {
      count: first.total,
      get: async (i) => {
        const r = i === 0 ? first : await render(i + 1);
        return r.page ? pngPage(r.page.png, r.page.dpi) : white();
      },
    };
  }
  const count = await imagePageCount(data, kind, limits);
  return { count, get: (i) => imagePage(data, kind, i, limits) };
}

type JsQr = typeof import("jsqr").default;
let jsqr: JsQr | undefined;

async function loadJsQr(): Promise<JsQr> {
  if (!jsqr) {
    const m = await import("jsqr");
    jsqr = ((m as unknown as { default?: JsQr }).default ?? m) as JsQr;
  }
  return jsqr;
}

function decode(qr: JsQr, r: Raster): string | null {
  if (r.width < 21 || r.height < 21) return null;
  const code = qr(rgba(r), r.width, r.height, { inversionAttempts: "dontInvert" });
  return code?.data ? code.data : null;
}

/**
 * The QR code of a page, if one can be read; tries from the cheapest up, stops at the first that reads. Most
 * tries look at about 150 dpi (enough for the form's code, and jsQR slows down badly on large noisy images): the
 * corner where our reply form's code sits (upright; upside down it is the opposite corner), as it is, binarised
 * with the specks removed, turned by ±4°; then the whole page, at 100 and 150 dpi.
 */
export async function pageQr(page: Raster): Promise<string[]> {
  const qr = await loadJsQr();
  const p150 = page.dpi > 220 ? shrink(page, 2) : page;
  const clean = (r: Raster) => despeckle(binarise(r)).page;
  const corner = crop(p150, 0.45, 0, 1, 0.4);
  const opposite = crop(p150, 0, 0.6, 0.55, 1);
  const sideways = p150.width > p150.height ? [crop(p150, 0.6, 0.45, 1, 1), crop(p150, 0, 0, 0.4, 0.55)] : [];
  const tries: Array<() => Promise<Raster> | Raster> = [
    () => corner,
    () => clean(corner),
    () => opposite,
    () => clean(opposite),
    ...sideways.map((r) => () => clean(r)),
    () => tilt(clean(corner), 4),
    () => tilt(clean(corner), -4),
    () => (page.dpi > 250 ? shrink(page, 3) : shrink(page, 2)),
    () => clean(p150),
  ];
  for (const attempt of tries) {
    const text = decode(qr, await attempt());
    if (text) return [text];
  }
  return [];
}

/** Reads one page by OCR: binarised; turned when it reads poorly and names nothing the right way up. */
async function ocrPage(pool: OcrPool, page: Raster, hasReference: (text: string) => boolean): Promise<NonNullable<ScanPage["ocr"]> | "blank"> {
  const bin = despeckle(binarise(page)).page;
  if (isBlank(bin)) return "blank";
  const read = async (turned: 0 | 90 | 180 | 270) => {
    const r = await pool.recognise(await encodePng(turn(bin, turned)), bin.dpi);
    return { text: r.text, confidence: r.confidence, turned };
  };
  let best = await read(0);
  if (hasReference(best.text) || best.confidence >= 70) return best;
  const turns: Array<90 | 180 | 270> = page.width > page.height ? [90, 270, 180] : [180];
  for (const t of turns) {
    const again = await read(t);
    if (hasReference(again.text)) return again;
    if (again.confidence > best.confidence + 10) best = again;
  }
  return best;
}

/**
 * Reads a scan (a PDF without a text layer, or an image file): QR codes first, OCR when no page has one.
 * Refuses with one line what cannot be read (not an image, too large, too many pages).
 */
export async function readScan(data: Buffer, kind: "pdf" | ImageKind, options: ScanOptions): Promise<ScanResult> {
  const source = await sourceOf(data, kind, options.limits);
  if (source.count === 0) throw new InvalidDataError("paper.error.scanNoPages", {});
  const pages: ScanPage[] = [];
  for (let i = 0; i < source.count; i++) {
    const raster = await source.get(i);
    const p: ScanPage = { page: i + 1, qr: await pageQr(raster), blank: false };
    pages.push(p);
  }
  const qr = [...new Set(pages.flatMap((p) => p.qr))];
  if (qr.length || options.qrOnly) {
    for (const p of pages) options.onPage?.(p);
    return { pages, qr, text: "", ocr: false };
  }
  // No QR code anywhere: every page by OCR, handed to the pool together (its workers read them in parallel);
  // each page is decoded again here rather than kept, so memory holds only the pages being read.
  const pool = options.pool();
  await eachLimited(pages.length, pool.size, async (i) => {
    const p = pages[i]!;
    const r = await ocrPage(pool, await source.get(i), options.hasReference);
    if (r === "blank") p.blank = true;
    else p.ocr = r;
    options.onPage?.(p);
  });
  const text = pages.map((p) => p.ocr?.text ?? "").join("\n\f\n");
  return { pages, qr, text, ocr: true };
}

/** Runs `work(0 … n-1)` with at most `limit` at a time; the first failure is thrown once all have stopped. */
export async function eachLimited(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < n && failure === undefined) {
      const i = next++;
      try {
        await work(i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, n)) }, lane));
  if (failure !== undefined) throw failure;
}
