// OCR on this machine: tesseract.js with the Swedish trained data of the npm package `@tesseract.js-data/swe`
// (4.0.0_best_int), read from the installed package; nothing is downloaded and nothing is sent anywhere. Each
// tesseract worker runs in a thread of its own whose network functions all throw (ocrThread.ts), so a download
// that some version of tesseract.js might try fails instead of reaching out; no cache is read or written
// (`cacheMethod: "none"`; the cache path, unused, points into a temporary directory of this run).
//
// `OcrPool` keeps up to one worker per core (AVVIK_OCR_WORKERS), started on first use (tesseract.js is
// loaded only then): a page that has a text layer or a readable QR code never costs any of this. A page is
// given as a PNG of at most MAX_OCR_PIXELS pixels (images.ts scales it), which bounds each worker's memory;
// a page that takes more than the time limit (CPU time of its thread, threadCpu.ts) ends its worker (a new
// one takes its place).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidDataError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../paths.js";
import { cpuLimit, listenForThreads } from "./threadCpu.js";

/** What tesseract.js is given to start a worker: everything local. */
export interface OcrWorkerOptions {
  /** The directory holding swe.traineddata.gz (inside the installed package). */
  langPath: string;
  /** Unused (no cache is read or written), but never the working directory. */
  cachePath: string;
  cacheMethod: "none";
  gzip: true;
  /** Our thread (ocrThread.ts), which refuses the network and then runs tesseract's worker script. */
  workerPath: string;
}

/** A word as tesseract read it, with its confidence (0–100) and where it stands on the page (pixels). */
export interface OcrWord {
  text: string;
  confidence: number;
  /** Its box: left, top, width, height. */
  box?: { x: number; y: number; w: number; h: number };
  /** Tesseract's line of it (block, paragraph, line), as one key. */
  line?: string;
}

export interface OcrText {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  /** Every word read, in reading order, with its own confidence. */
  words: OcrWord[];
}

/** The words of tesseract's TSV output (level 5 rows: level, page, block, par, line, word, left, top, width, height, conf, text). */
export function tsvWords(tsv: string | null | undefined): OcrWord[] {
  const words: OcrWord[] = [];
  for (const line of (tsv ?? "").split("\n")) {
    if (!line.startsWith("5\t")) continue;
    const cols = line.split("\t");
    const text = (cols[11] ?? "").trim();
    const confidence = Number(cols[10]);
    if (!text || !Number.isFinite(confidence)) continue;
    const [x, y, w, h] = [6, 7, 8, 9].map((i) => Number(cols[i]));
    const box = [x, y, w, h].every((v) => Number.isFinite(v)) ? { x: x!, y: y!, w: w!, h: h! } : undefined;
    words.push({ text, confidence, box, line: `${cols[2]}.${cols[3]}.${cols[4]}` });
  }
  return words;
}

/**
 * The page read row by row across its columns: tesseract reads a table column by column (the labels of a
 * table, then its values), so a label and the value in the cell beside it end up lines apart. Here the lines
 * tesseract found are put together into rows by where they stand (lines whose boxes share most of their
 * height), each row read left to right: "Synergi nr   45678". Only rows of more than one line are given
 * (the others are in the text as read already), one a line.
 */
export function layoutRows(words: OcrWord[]): string {
  type Line = { y0: number; y1: number; x0: number; text: string[] };
  const lines = new Map<string, Line>();
  for (const w of words) {
    if (!w.box || !w.line) continue;
    // A cell's border read as a character of its own or at a word's edge ("|", "[2026-04-05") is no part of it.
    const text = w.text.replace(/^[|[\]!]+|[|[\]!]+$/g, "");
    if (!text) continue;
    const l = lines.get(w.line) ?? { y0: Infinity, y1: -Infinity, x0: Infinity, text: [] };
    l.y0 = Math.min(l.y0, w.box.y);
    l.y1 = Math.max(l.y1, w.box.y + w.box.h);
    l.x0 = Math.min(l.x0, w.box.x);
    l.text.push(text);
    lines.set(w.line, l);
  }
  const rows: Line[][] = [];
  for (const l of [...lines.values()].sort((a, b) => (a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2)) {
    const mid = (l.y0 + l.y1) / 2;
    // A row takes a line whose middle lies within the row's first line and that shares half its height.
    const row = rows.find((r) => {
      const f = r[0]!;
      const overlap = Math.min(f.y1, l.y1) - Math.max(f.y0, l.y0);
      return mid > f.y0 && mid < f.y1 && overlap >= 0.5 * Math.min(f.y1 - f.y0, l.y1 - l.y0);
    });
    if (row) row.push(l);
    else rows.push([l]);
  }
  return rows
    .filter((r) => r.length > 1)
    .map((r) => r.sort((a, b) => a.x0 - b.x0).map((l) => l.text.join(" ")).join("   "))
    .join("\n");
}

const requireHere = createRequire(import.meta.url);

/** The installed language data: node_modules/@tesseract.js-data/swe/4.0.0_best_int. */
export function swedishDataDir(): string {
  const pkg = requireHere.resolve("@tesseract.js-data/swe/package.json");
  return join(dirname(pkg), "4.0.0_best_int");
}

/** Where the OCR thread is: beside the bundle, beside this module compiled by tsc, or (sources) in dist/. */
function threadFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith(".cjs") ? join(dirname(here), "ocr-thread.cjs") : here.endsWith(".js") ? join(dirname(here), "ocrThread.js") : join(PACKAGE_ROOT, "dist", "documents", "ocrThread.js");
  if (!existsSync(file)) throw new Error(`the OCR thread ${file} is missing: run npm run build`);
  return file;
}

/**
 * The options of a pool's workers: the installed data, no cache (tesseract.js is still given a directory of its
 * own, a new temporary one, where it reads and writes nothing: a pool made with these removes it when it closes).
 */
export function ocrWorkerOptions(): OcrWorkerOptions {
  return { langPath: swedishDataDir(), cachePath: mkdtempSync(join(tmpdir(), "avvik-ocr-")), cacheMethod: "none", gzip: true, workerPath: threadFile() };
}

/** Workers of the pool: AVVIK_OCR_WORKERS, else one per core (at most 4). */
export function ocrWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.AVVIK_OCR_WORKERS;
  if (v && /^\d+$/.test(v) && Number(v) > 0) return Math.min(Number(v), 16);
  return Math.max(1, Math.min(4, availableParallelism()));
}

type TesseractWorker = Awaited<ReturnType<typeof import("tesseract.js").createWorker>>;

interface Slot {
  worker: Promise<TesseractWorker>;
  busy: boolean;
  pages: number;
}

/** Pages one worker reads before it is replaced (tesseract's memory grows a little with every page). */
const PAGES_PER_WORKER = 40;

export class OcrPool {
  private readonly slots: Slot[] = [];
  private readonly options: OcrWorkerOptions;
  /** Whether the pool made its options (and so its cache directory) itself. */
  private readonly ownCache: boolean;
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly maxMillis = 60_000,
    given?: OcrWorkerOptions,
  ) {
    this.options = given ?? ocrWorkerOptions();
    this.ownCache = given === undefined;
    listenForThreads();
  }

  private async start(): Promise<TesseractWorker> {
    const T = await import("tesseract.js");
    const createWorker = (T.createWorker ?? (T as unknown as { default: typeof T }).default.createWorker) as typeof T.createWorker;
    // tesseract.js settles createWorker() only when the worker starts: a failure to load its data comes to the
    // error handler alone (and our thread then ends itself, ocrThread.ts).
    let fail: (e: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    // OEM 1: the LSTM engine (the only one in best_int data).
    const w = await Promise.race([createWorker("swe", 1, { ...this.options, errorHandler: (e: unknown) => fail(e) }), failed]);
    // Automatic page layout; no second pass over every line inverted (white on black: not on a reply form or a
    // letter, and it costs about a quarter of the time).
    await w.setParameters({ tessedit_pageseg_mode: "3" as never, tessedit_do_invert: "0" });
    return w;
  }

  private acquire(): Promise<Slot> {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.slots.length < this.size) {
      const slot: Slot = { worker: this.start(), busy: true, pages: 0 };
      this.slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  private replace(slot: Slot): void {
    const old = slot.worker;
    slot.worker = this.start();
    slot.pages = 0;
    old.then((w) => w.terminate()).catch(() => undefined);
  }

  /**
   * Reads one page (a PNG of `dpi` dots per inch), by tesseract's automatic page layout or (`sparse`) as
   * sparse text: every word found wherever it stands, as on a form or in a table whose cells the layout
   * analysis may drop as noise.
   */
  async recognise(png: Buffer, dpi = 300, layout: "auto" | "sparse" = "auto"): Promise<OcrText> {
    if (this.closed) throw new Error("the OCR pool is closed");
    const slot = await this.acquire();
    let limit: ReturnType<typeof cpuLimit> | undefined;
    try {
      // The limit counts the CPU time of the worker's thread (threadCpu.ts): a busy machine does not make a
      // page fail, a page that makes tesseract work for minutes does.
      let thread: number | undefined;
      const timeout = new Promise<never>((_, reject) => {
        limit = cpuLimit(() => thread, this.maxMillis, () => reject(new InvalidDataError("paper.error.ocrTime", { n: Math.ceil(this.maxMillis / 1000) })));
      });
      const read = async () => {
        const w = await slot.worker;
        thread = (w as unknown as { worker?: { threadId?: number } }).worker?.threadId;
        await w.setParameters({ user_defined_dpi: String(Math.round(dpi)), tessedit_pageseg_mode: (layout === "sparse" ? "11" : "3") as never });
        // The text, and the TSV for each word's confidence (a few kilobytes; the JSON of blocks would be far more).
        return w.recognize(png, {}, { text: true, tsv: true });
      };
      const r = await Promise.race([read(), timeout]);
      slot.pages++;
      if (slot.pages >= PAGES_PER_WORKER) this.replace(slot);
      return { text: r.data.text ?? "", confidence: r.data.confidence ?? 0, words: tsvWords(r.data.tsv) };
    } catch (e) {
      this.replace(slot); // a worker that failed to start, failed or took too long is not used again
      throw e instanceof InvalidDataError ? e : ocrFailure(e);
    } finally {
      limit?.stop();
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.then((w) => w.terminate()).catch(() => undefined)));
    // Its own (empty) cache directory goes with it, not left behind in the temporary directory by every run.
    if (this.ownCache) rmSync(this.options.cachePath, { recursive: true, force: true });
  }
}

/** tesseract.js rejects with strings; our thread's refusal of the network is named as such. */
function ocrFailure(e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  if (text.includes("network access refused")) return new Error(`OCR tried to reach the network and was stopped: ${text}`);
  return new Error(`OCR failed: ${text}`);
}
