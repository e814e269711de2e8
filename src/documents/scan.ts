// Reading a scan that has no text layer: a PDF of page images, or an image file (PNG, JPEG, TIFF). Each page is
// made a grey page at about 300 dpi (AVVIK_OCR_DPI; AVVIK_OCR_FIRST_DPI for the first reading, by default the
// same; pdf.js renders a PDF's page in the reader's worker thread; sharp decodes an image, honouring its
// resolution) and binarised by a local threshold, then:
//   1. QR codes: a cheap look for QR finder patterns; only where there are some is jsQR given the part of the
//      page around them, then (when that fails, and a mark has the modules of a code we print) the corners
//      where our reply form's code sits, turned by ±4°, and the whole page at lower resolutions.
//   2. Only when no page has a QR code: OCR (ocr.ts). The page is made ready (prepare: dark areas cleared, ruling
//      lines removed along the page's tilt, a grainy page through a median filter, straightened; a blank page
//      is not read) and cut between lines into its top, middle and foot. The top and the foot, where
//      references are written, are read first (at once, by two workers); the middle only when they name none
//      of our cases. A page that then names none is read again: whole at the full resolution (when the first
//      was lower), as it came (not straightened, its lines kept), as sparse text; one that reads as no text at
//      all is read turned (upside down, sideways).
// Each page is decoded once; what OCR needs of it (1-bit PNGs of its parts and of the whole page made ready)
// is kept until it is known that no page has a QR code, then the pages go to the pool together (its workers
// read several at once). A page read again is made again at most once per resolution.

import { InvalidDataError } from "../core/errors.js";
import { declaredResolution, encodeBitonalPng, imagePage, imagePageCount, MAX_PAGE_PIXELS, median, pngPage, rgbaPage, tilt, type ImageKind, type ScanLimits } from "./images.js";
import { layoutRows, type OcrPool, type OcrText, type OcrWord } from "./ocr.js";
import { binarise, clearDarkAreas, crop, despeckle, finderMarks, isBlank, paintRemoved, removeRules, rgba, shrink, skewAngle, turn, type FinderMark, type Raster } from "./raster.js";
import { renderUntrustedPage } from "./untrusted.js";

export interface ScanPage {
  page: number;
  qr: string[];
  blank: boolean;
  /** What OCR read (when it was needed), the page's turn and tesseract's confidence. */
  ocr?: { text: string; confidence: number; words: OcrWord[]; turned: 0 | 90 | 180 | 270 };
  /** The page's rows across its columns (layoutRows: a table's label beside its value), when OCR read it. */
  rows?: string;
}

export interface ScanResult {
  pages: ScanPage[];
  qr: string[];
  /** The text OCR read, pages in order, empty when no page needed OCR. */
  text: string;
  /** The words OCR read with their confidences, pages in order. */
  words: OcrWord[];
  /** The rows of the pages read across their columns (layoutRows), for finding a reference; not the text. */
  rows: string;
  /** True when OCR was used. */
  ocr: boolean;
}

export interface ScanOptions {
  limits: ScanLimits;
  /** The pool OCR goes to (made on first need: a page with a QR code never starts it). */
  pool: () => OcrPool;
  /**
   * Whether a text OCR read names one of our cases (a reference that resolves): reading a page stops at the
   * first reading that does; one that names none, or only references no case has (a digit misread), is read
   * again, finer or otherwise made ready.
   */
  namesCase: (text: string) => Promise<boolean> | boolean;
  /** Skip OCR (a QR code, or nothing, is all that is wanted). */
  qrOnly?: boolean;
  /** Called as each page has been read. */
  onPage?: (page: ScanPage) => void;
}

/**
 * The pages of a scan, each made when asked for at the resolution asked for, and the resolution a page is
 * first read at: `firstDpi`, but the full one for a page scanned at less than LOW_DPI on either axis (a fax's
 * 98 lines an inch, a 100 dpi scan): its strokes, scaled up, need the finer grid (a 3 read as a 2 in a small
 * footer otherwise), and it names another of our cases as easily as none.
 */
type PageSource = { count: number; get(i: number, dpi: number): Promise<Raster>; firstDpi(i: number): number };

const LOW_DPI = 150;

async function sourceOf(data: Buffer, kind: "pdf" | ImageKind, limits: ScanLimits): Promise<PageSource> {
  if (kind === "pdf") {
    // Page by page (each within the reader's limits); the first page at the first resolution is kept, the
    // others rendered when asked for.
    const render = (page: number, dpi: number) => renderUntrustedPage(data, { page, dpi, maxPages: limits.maxPages, maxPixels: MAX_PAGE_PIXELS });
    let first: Awaited<ReturnType<typeof render>> | undefined = await render(1, limits.firstDpi);
    const white = (): Raster => ({ data: new Uint8Array(100 * 100).fill(255), width: 100, height: 100, dpi: 72 });
    return {
      count: first.total,
      firstDpi: () => limits.firstDpi,
      get: async (i, dpi) => {
        let r;
        if (i === 0 && first && dpi === limits.firstDpi) [r, first] = [first, undefined];
        else r = await render(i + 1, dpi);
        return r.page ? rgbaPage(r.page.rgba, r.page.width, r.page.height, r.page.dpi) : white();
      },
    };
  }
  const count = await imagePageCount(data, kind, limits);
  const firstDpi = (i: number) => {
    const r = declaredResolution(data, kind, i);
    return r && Math.min(r.x, r.y) < LOW_DPI ? limits.dpi : limits.firstDpi;
  };
  return { count, get: (i, dpi) => imagePage(data, kind, i, { ...limits, dpi }), firstDpi };
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

/** A part of the page around some finder marks (with the code's quiet zone), or null when it is the page. */
function around(r: Raster, marks: FinderMark[]): Raster {
  const m = Math.max(...marks.map((k) => k.module));
  const x0 = Math.max(0, Math.min(...marks.map((k) => k.x)) - 12 * m);
  const y0 = Math.max(0, Math.min(...marks.map((k) => k.y)) - 12 * m);
  const x1 = Math.min(r.width, Math.max(...marks.map((k) => k.x)) + 12 * m);
  const y1 = Math.min(r.height, Math.max(...marks.map((k) => k.y)) + 12 * m);
  return crop(r, x0 / r.width, y0 / r.height, x1 / r.width, y1 / r.height);
}

/** Marks that may be corners of one code: of about one module size and within a code's width of the first. */
function groups(marks: FinderMark[]): FinderMark[][] {
  const out: FinderMark[][] = [];
  const left = [...marks].sort((a, b) => b.hits - a.hits);
  while (left.length && out.length < 3) {
    const first = left.shift()!;
    const near = (k: FinderMark) => k.module > first.module * 0.6 && k.module < first.module * 1.6 && Math.hypot(k.x - first.x, k.y - first.y) < 45 * first.module;
    const group = [first, ...left.filter(near)];
    for (const k of group.slice(1)) left.splice(left.indexOf(k), 1);
    out.push(group);
  }
  return out;
}

/** The smallest module (pixels at 150 dpi, 0.68 mm) a finder mark of a code on our forms is taken to have. */
const OUR_MODULE_MIN = 4;

/**
 * The QR code of a page, if one can be read. A cheap look for QR finder patterns first (raster.ts
 * finderMarks, on the page binarised at about 150–200 dpi): a page with none, a letter say, is not handed to
 * jsQR at all, which costs a second or more on a page of text. Where there are marks, jsQR is given the part
 * of the page around them (as it is, and binarised with specks removed); when that fails and there are two
 * marks or more, the former tries from the cheapest up, stopping at the first that reads: the corner where our
 * reply form's code sits (upright; upside down it is the opposite corner), binarised, turned by ±4°, then the
 * whole page at lower resolutions.
 * `bin` is the page binarised, when the caller has it at the resolution looked at here.
 */
export async function pageQr(page: Raster, bin?: Raster): Promise<string[]> {
  const p150 = page.dpi > 220 ? shrink(page, 2) : page;
  const b150 = bin && bin.width === p150.width && bin.height === p150.height ? bin : binarise(p150);
  const marks = finderMarks(b150).filter((k) => k.module >= 2.5 && k.hits >= k.module);
  if (marks.length === 0) return [];
  const qr = await loadJsQr();
  const found = groups(marks);
  for (const g of found) {
    for (const r of [around(p150, g), despeckle(around(b150, g)).page]) {
      const text = decode(qr, r);
      if (text) return [text];
    }
  }
  // The tries below (the corners, turned, the whole page: jsQR over a page of text costs a second or more)
  // only when two marks or more were found and one has the modules of a code we print (1.2 mm, 7 px at
  // 150 dpi; the former form's 0.9 mm, 5.4 px): not for the small false marks (about 3 px, 0.5 mm) that a
  // letter's text or a fax's grain gives, which cost a letter up to 2 s of jsQR and never read a code.
  if (marks.length < 2 || !marks.some((k) => k.module * (150 / p150.dpi) >= OUR_MODULE_MIN)) return [];
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
    // The whole page (jsQR over a page of text costs a second or more) only when two marks could be corners
    // of one code (of about one module size, within a code's width), or one has our form's large modules
    // (1.2 mm, 7 px at 150 dpi): not for the small marks a letter's text gives at times.
    ...(found.some((g) => g.length >= 2) || marks.some((k) => k.module * (150 / p150.dpi) >= 4.5) ? [() => (page.dpi > 250 ? shrink(page, 3) : shrink(page, 2)), () => despeckle(b150).page] : []),
  ];
  for (const attempt of tries) {
    const text = decode(qr, await attempt());
    if (text) return [text];
  }
  return [];
}

/** Words read with a confidence that says the page was read the right way up (not noise, not upside down). */
const SURE_WORD = 80;

/** Whether OCR read real text: a handful of words of three letters or more read with high confidence. */
export function readsAsText(words: OcrWord[]): boolean {
  const sure = words.filter((w) => w.confidence >= SURE_WORD && /\p{L}{3,}/u.test(w.text)).length;
  return sure >= 6 || (sure >= 3 && sure >= words.length * 0.5);
}

/** The share of a page's black pixels in specks above which it is grainy (a clean scan has under 1 %). */
const NOISY = 0.2;

/**
 * A page made ready for OCR: turned straight when its lines are tilted (skewAngle; tesseract reads a line
 * tilted by a few degrees badly, a footer across the page worst), binarised, ruling lines removed (the cells
 * of a table, a box round the references) and specks removed.
 */
async function prepare(raster: Raster, bin = binarise(raster)): Promise<{ page: Raster; changed: boolean }> {
  const dark = clearDarkAreas(raster, bin);
  let page = dark.page;
  const angle = skewAngle(page);
  // Ruling lines are found on the page as scanned, along its tilt (turning blurs a thin line into a dotted
  // one that is no longer found, and tesseract reads the dots beside the text as characters), and taken out
  // of the grey page too when that is to be turned or filtered.
  const rules = removeRules(page, undefined, undefined, Math.abs(angle) >= 0.3 ? angle : 0);
  // A grainy page (a noisy copy, a speckled scan: specks are a large share of its black, where a clean page
  // has almost none) is read through a median filter: despeckling alone leaves the grain's larger grains,
  // which tesseract reads as marks beside the text.
  const noisy = despeckle(page).removed > NOISY;
  if (noisy || Math.abs(angle) >= 0.3) {
    let grey = rules.removed ? paintRemoved(dark.grey, page, rules.page) : dark.grey;
    if (noisy) grey = await median(grey);
    if (Math.abs(angle) >= 0.3) grey = await tilt(grey, -angle);
    page = binarise(grey);
    // Once more on the page as it now is: what the first look did not take (a line straightened).
    page = removeRules(page).page;
  } else page = rules.page;
  return { page: despeckle(page).page, changed: page !== bin };
}

/** A part of a page made ready for OCR, as a PNG, and where it starts on the page (pixels from the top). */
interface Band {
  png: Buffer;
  dpi: number;
  top: number;
}

/** What OCR is given for a page: its likely parts (top, foot) and the rest (middle), as PNGs. */
interface OcrInput {
  likely: Band[];
  rest: Band[];
  /** The whole page made ready, as read again as sparse text and turned (the same page, not made again). */
  whole: { png: Buffer; dpi: number };
  /** Whether prepare changed the page (straightened it, removed lines). */
  changed: boolean;
}

/** Where references are written: the top of a page (letterhead, reference block, our form), its foot. */
const TOP_SHARE = 0.4;
const FOOT_SHARE = 0.86;

/** The row nearest `at` (a share of the height, within ±4 %) with the least ink: between two lines of text. */
function cutRow(r: Raster, at: number): number {
  const { width: w, height: h, data } = r;
  const from = Math.max(1, Math.floor(h * (at - 0.04)));
  const to = Math.min(h - 1, Math.ceil(h * (at + 0.04)));
  let best = Math.round(h * at);
  let least = Infinity;
  for (let y = from; y < to; y++) {
    let ink = 0;
    const row = y * w;
    for (let x = 0; x < w; x += 2) if (data[row + x] === 0) ink++;
    // Of rows equally clear, the one nearest the share asked for.
    const score = ink + Math.abs(y - h * at) / h;
    if (score < least) [least, best] = [score, y];
  }
  return best;
}

function band(r: Raster, y0: number, y1: number): Band {
  return { png: encodeBitonalPng(crop(r, 0, y0 / r.height, 1, y1 / r.height)), dpi: r.dpi, top: y0 };
}

/**
 * What OCR is given for a page: the page made ready (prepare), cut between lines of text into its top (about
 * 40 %), its middle and its foot (the last 14 %); or blank. The top and the foot are read first, the middle
 * only when they name no reference: most of a letter's text is there, and reading costs by the line.
 */
async function ocrInput(raster: Raster, bin: Raster): Promise<OcrInput | "blank"> {
  // A page blank as binarised is blank once made ready (that takes ink away, it adds none): not made ready.
  if (isBlank(bin)) return "blank";
  const { page: clean, changed } = await prepare(raster, bin);
  if (isBlank(clean)) return "blank";
  const a = cutRow(clean, TOP_SHARE);
  const b = cutRow(clean, FOOT_SHARE);
  return { likely: [band(clean, 0, a), band(clean, b, clean.height)], rest: [band(clean, a, b)], whole: { png: encodeBitonalPng(clean), dpi: clean.dpi }, changed };
}

type PageReading = NonNullable<ScanPage["ocr"]>;
type BandReading = { band: Band; read: OcrText };

/** Reads bands of a page, at once (as the pool has workers free). */
function readBands(pool: OcrPool, bands: Band[]): Promise<BandReading[]> {
  return Promise.all(bands.map(async (b) => ({ band: b, read: await pool.recognise(b.png, b.dpi) })));
}

/** Readings of bands as one of the page: in the page's order, each word's box where it is on the page. */
function joined(parts: BandReading[]): OcrText {
  const ordered = [...parts].sort((x, y) => x.band.top - y.band.top);
  const words = ordered.flatMap(({ band: b, read }) => read.words.map((w) => (w.box ? { ...w, box: { ...w.box, y: w.box.y + b.top }, line: `${b.top}.${w.line}` } : w)));
  const texts = ordered.map((p) => p.read.text.trim()).filter(Boolean);
  const confidence = words.length ? words.reduce((sum, w) => sum + w.confidence, 0) / words.length : 0;
  return { text: texts.length ? `${texts.join("\n\n")}\n` : "", confidence, words };
}

/**
 * Reads one page by OCR, the right way up, stopping at the first reading that names one of our cases: its top
 * and foot first (at the first, lower resolution), the middle only when those name none. Then, when the page
 * still names none, it is read once more whole at the full resolution (small type, a fax's thin strokes: a
 * digit misread at the lower one), and when it was straightened, had lines or dark areas removed, once more
 * as it came. Turned (upside down; sideways for a landscape page) only when it still names none and reads as
 * no text at all (few words read with confidence): a page upright that names a case is never read twice.
 * The pages read again are made from the scan again (`again`, at the resolution asked for).
 */
async function ocrPage(pool: OcrPool, input: OcrInput, again: (dpi: number) => Promise<Raster>, namesCase: ScanOptions["namesCase"], limits: ScanLimits): Promise<PageReading> {
  const names = async (r: OcrText) => namesCase(`${r.text}\n${layoutRows(r.words)}`);
  const likely = await readBands(pool, input.likely);
  const first = joined(likely);
  if (await names(first)) return { ...first, turned: 0 };
  const whole = joined([...likely, ...(await readBands(pool, input.rest))]);
  let best: PageReading = { ...whole, turned: 0 };
  if (await names(whole)) return best;
  let text = readsAsText(whole.words);
  const consider = async (r: OcrText): Promise<boolean> => {
    if (await names(r)) {
      best = { ...r, turned: 0 };
      return true;
    }
    if (r.confidence > best.confidence) best = { ...r, turned: 0 };
    text ||= readsAsText(r.words);
    return false;
  };
  // The page made again at the resolution asked for (a PDF's page rendered by pdf.js again, an image decoded
  // again) and made ready, each once for all the readings below that need it.
  const greys = new Map<number, Promise<Raster>>();
  const grey = (dpi: number): Promise<Raster> => {
    let g = greys.get(dpi);
    if (!g) greys.set(dpi, (g = again(dpi)));
    return g;
  };
  const readied = new Map<number, Promise<Raster>>();
  const ready = (dpi: number): Promise<Raster> => {
    let r = readied.get(dpi);
    if (!r) readied.set(dpi, (r = grey(dpi).then(async (g) => (await prepare(g)).page)));
    return r;
  };
  let fine: { png: Buffer; dpi: number } | undefined;
  if (limits.dpi > limits.firstDpi) {
    const page = await ready(limits.dpi);
    if (!isBlank(page)) {
      fine = { png: encodeBitonalPng(page), dpi: page.dpi };
      if (await consider(await pool.recognise(fine.png, fine.dpi))) return best;
    }
  }
  if (input.changed) {
    // Once more as the page came, not straightened and with its lines (what prepare does helps tesseract on
    // most pages, not on every one; on a noisy page a row of pixels more or less changes what it reads).
    const plain = despeckle(binarise(await grey(limits.dpi))).page;
    if (await consider(await pool.recognise(encodeBitonalPng(plain), plain.dpi))) return best;
  }
  // Read as sparse text, every word wherever it stands: a table's cell or a form's field that the layout
  // analysis dropped as noise ("45678" alone in its cell). At the first resolution that is the page the first
  // reading was cut from.
  if (!fine && limits.dpi === limits.firstDpi) fine = input.whole;
  else if (!fine) {
    const page = await ready(limits.dpi);
    if (!isBlank(page)) fine = { png: encodeBitonalPng(page), dpi: page.dpi };
  }
  greys.clear();
  readied.clear();
  if (fine && (await consider(await pool.recognise(fine.png, fine.dpi, "sparse")))) return best;
  fine = undefined;
  if (text) return best;
  // Turned: the page as the first reading had it made ready (kept as its PNG), at the first resolution.
  const bin = await pngPage(input.whole.png, input.whole.dpi);
  const turns: Array<90 | 180 | 270> = bin.width > bin.height ? [90, 270, 180] : [180];
  for (const t of turns) {
    const r = await pool.recognise(encodeBitonalPng(turn(bin, t)), bin.dpi);
    const read = { ...r, turned: t };
    if (await names(r)) return read;
    if (r.confidence > best.confidence + 10) best = read;
  }
  return best;
}

/**
 * Reads a scan (a PDF without a text layer, or an image file): QR codes first, OCR when no page has one.
 * Each page is decoded once: binarised for the look for QR codes and, when it has none, made the PNG that OCR
 * reads (kept, some tens of kilobytes a page, until it is known that no page has a code). Refuses with one
 * line what cannot be read (not an image, too large, too many pages).
 */
export async function readScan(data: Buffer, kind: "pdf" | ImageKind, options: ScanOptions): Promise<ScanResult> {
  const source = await sourceOf(data, kind, options.limits);
  if (source.count === 0) throw new InvalidDataError("paper.error.scanNoPages", {});
  const pages: ScanPage[] = [];
  const inputs: Array<OcrInput | "blank" | undefined> = [];
  let qrOnly = options.qrOnly === true;
  for (let i = 0; i < source.count; i++) {
    const raster = await source.get(i, source.firstDpi(i));
    const bin = binarise(raster);
    const p: ScanPage = { page: i + 1, qr: await pageQr(raster, bin), blank: false };
    pages.push(p);
    if (p.qr.length) qrOnly = true; // a code found: no page will be read by OCR
    if (!qrOnly) inputs[i] = await ocrInput(raster, bin);
  }
  const qr = [...new Set(pages.flatMap((p) => p.qr))];
  if (qr.length || qrOnly) {
    for (const p of pages) options.onPage?.(p);
    return { pages, qr, text: "", words: [], rows: "", ocr: false };
  }
  // No QR code anywhere: every page by OCR, handed to the pool together (its workers read them in parallel).
  const pool = options.pool();
  await eachLimited(pages.length, pool.size, async (i) => {
    const p = pages[i]!;
    const input = inputs[i]!;
    inputs[i] = undefined;
    if (input === "blank") p.blank = true;
    else {
      p.ocr = await ocrPage(pool, input, (dpi) => source.get(i, dpi), options.namesCase, { ...options.limits, firstDpi: source.firstDpi(i) });
      p.rows = layoutRows(p.ocr.words);
    }
    options.onPage?.(p);
  });
  const text = pages.map((p) => p.ocr?.text ?? "").join("\n\f\n");
  const rows = pages.map((p) => p.rows ?? "").filter(Boolean).join("\n");
  return { pages, qr, text, words: pages.flatMap((p) => p.ocr?.words ?? []), rows, ocr: true };
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
