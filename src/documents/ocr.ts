// OCR on this machine: tesseract.js with the Swedish trained data of the npm package `@tesseract.js-data/swe`
// (4.0.0_best_int), read from the installed package; nothing is downloaded and nothing is sent anywhere. Each
// tesseract worker runs in a thread of its own whose network functions all throw (ocrThread.ts), so a download
// that some version of tesseract.js might try fails instead of reaching out; no cache is read or written
// (`cacheMethod: "none"`; the cache path, unused, points into a temporary directory of this run).
//
// `OcrPool` keeps up to one worker per core (AVVIK_OCR_WORKERS), started on first use (tesseract.js is
// loaded only then): a page that has a text layer or a readable QR code never costs any of this. A page is
// given as a PNG of at most MAX_OCR_PIXELS pixels (images.ts scales it), which bounds each worker's memory;
// a page that takes longer than the time limit ends its worker (a new one takes its place).

import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidDataError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../paths.js";

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

/** A word as tesseract read it, with its confidence (0–100). */
export interface OcrWord {
  text: string;
  confidence: number;
}

export interface OcrText {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  /** Every word read, in reading order, with its own confidence. */
  words: OcrWord[];
}

/** The words of tesseract's TSV output (level 5 rows: … conf, text). */
export function tsvWords(tsv: string | null | undefined): OcrWord[] {
  const words: OcrWord[] = [];
  for (const line of (tsv ?? "").split("\n")) {
    if (!line.startsWith("5\t")) continue;
    const cols = line.split("\t");
    const text = (cols[11] ?? "").trim();
    const confidence = Number(cols[10]);
    if (text && Number.isFinite(confidence)) words.push({ text, confidence });
  }
  return words;
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

let cacheDir: string | undefined;

export function ocrWorkerOptions(): OcrWorkerOptions {
  cacheDir ??= mkdtempSync(join(tmpdir(), "avvik-ocr-"));
  return { langPath: swedishDataDir(), cachePath: cacheDir, cacheMethod: "none", gzip: true, workerPath: threadFile() };
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
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly maxMillis = 60_000,
    private readonly options: OcrWorkerOptions = ocrWorkerOptions(),
  ) {}

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

  /** Reads one page (a PNG of `dpi` dots per inch). */
  async recognise(png: Buffer, dpi = 300): Promise<OcrText> {
    if (this.closed) throw new Error("the OCR pool is closed");
    const slot = await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new InvalidDataError("paper.error.ocrTime", { n: Math.ceil(this.maxMillis / 1000) })), this.maxMillis);
      });
      const read = async () => {
        const w = await slot.worker;
        await w.setParameters({ user_defined_dpi: String(Math.round(dpi)) });
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
      clearTimeout(timer);
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.then((w) => w.terminate()).catch(() => undefined)));
  }
}

/** tesseract.js rejects with strings; our thread's refusal of the network is named as such. */
function ocrFailure(e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  if (text.includes("network access refused")) return new Error(`OCR tried to reach the network and was stopped: ${text}`);
  return new Error(`OCR failed: ${text}`);
}
