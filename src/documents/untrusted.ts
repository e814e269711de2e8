// Reading PDFs that come from outside (replies, exchange files) within limits: the file's size, its pages, the
// bytes decoded into one buffer, the memory and the time of the reading, and the length of its text. The
// reading (read.ts) runs in a worker thread (pdfWorker.ts) with a heap ceiling; this side watches the process's
// memory and the CPU time of the thread (threadCpu.ts) and ends the worker when the PDF goes past them. A PDF
// past a limit is refused with one line (InvalidDataError "paper.error.pdfLimit.<limit>"), nothing stored; the next PDF gets a new worker.
//
// The limits can be set with environment variables (whole numbers): AVVIK_PDF_MAX_FILE_MB,
// AVVIK_PDF_MAX_PAGES, AVVIK_PDF_MAX_DECODED_MB, AVVIK_PDF_MAX_MEMORY_MB, AVVIK_PDF_MAX_SECONDS,
// AVVIK_PDF_MAX_TEXT_CHARS.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { FailedError, InvalidDataError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../paths.js";
import type { PdfReply, PdfRequest, PdfTask, PdfWorkerData, PdfWorkerError } from "./pdfWorker.js";
import type { PdfContent, PdfLimit, ReadOptions, RenderedPage } from "./read.js";
import { cpuLimit, listenForThreads } from "./threadCpu.js";

export interface PdfLimits {
  /** Bytes of the file. */
  maxFileBytes: number;
  maxPages: number;
  /** Bytes one decoded buffer (a content stream, an image, an embedded file) may have. */
  maxDecodedBytes: number;
  /** Bytes the process may grow by while one PDF is read (the worker's heap, buffers, rendering). */
  maxMemoryBytes: number;
  /** Milliseconds of CPU time one reading may take (wall time where the thread's cannot be read). */
  maxMillis: number;
  maxTextChars: number;
}

const MB = 1024 * 1024;

/**
 * Far above any real reply (a few pages; a scan of 30 pages at 600 dpi is some 50 MB and decodes page by page to
 * at most about 140 MB), far below what a hostile file would need to hurt.
 */
export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxFileBytes: 100 * MB,
  maxPages: 500,
  maxDecodedBytes: 200 * MB,
  maxMemoryBytes: 1024 * MB,
  maxMillis: 60_000,
  maxTextChars: 10_000_000,
};

/** The limits, with those set in the environment (a value that is not a positive whole number is ignored). */
export function pdfLimits(env: NodeJS.ProcessEnv = process.env): PdfLimits {
  const num = (name: string, scale: number, fallback: number) => {
    const v = env[name];
    return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) * scale : fallback;
  };
  const d = DEFAULT_PDF_LIMITS;
  return {
    maxFileBytes: num("AVVIK_PDF_MAX_FILE_MB", MB, d.maxFileBytes),
    maxPages: num("AVVIK_PDF_MAX_PAGES", 1, d.maxPages),
    maxDecodedBytes: num("AVVIK_PDF_MAX_DECODED_MB", MB, d.maxDecodedBytes),
    maxMemoryBytes: num("AVVIK_PDF_MAX_MEMORY_MB", MB, d.maxMemoryBytes),
    maxMillis: num("AVVIK_PDF_MAX_SECONDS", 1000, d.maxMillis),
    maxTextChars: num("AVVIK_PDF_MAX_TEXT_CHARS", 1, d.maxTextChars),
  };
}

/** The refusal of a PDF past a limit: one line naming the limit in the unit a person reads it in. */
export function limitError(limit: PdfLimit, limits: PdfLimits): InvalidDataError {
  const n: Record<PdfLimit, number> = {
    size: Math.round(limits.maxFileBytes / MB),
    pages: limits.maxPages,
    text: limits.maxTextChars,
    decoded: Math.round(limits.maxDecodedBytes / MB),
    memory: Math.round(limits.maxMemoryBytes / MB),
    time: Math.ceil(limits.maxMillis / 1000),
  };
  return new InvalidDataError(`paper.error.pdfLimit.${limit}`, { n: n[limit] });
}

/** Refuses a file larger than the limit before it is read into memory. */
export function checkPdfSize(bytes: number, limits: PdfLimits = pdfLimits()): void {
  if (bytes > limits.maxFileBytes) throw limitError("size", limits);
}

/** Where the built worker is: beside the bundle, beside this module compiled by tsc, or (sources) in dist/. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith(".cjs") ? join(dirname(here), "pdf-worker.cjs") : here.endsWith(".js") ? join(dirname(here), "pdfWorker.js") : join(PACKAGE_ROOT, "dist", "documents", "pdfWorker.js");
  if (!existsSync(file)) throw new Error(`the PDF reader's worker ${file} is missing: run npm run build`);
  return file;
}

/** How often the memory of the process is looked at while a PDF is read. */
const WATCH_MS = 20;

class PdfReader {
  private worker: Worker | undefined;
  private workerLimits = "";
  private next = 1;
  /** Requests go one after the other (the worker reads one PDF at a time). */
  private queue: Promise<unknown> = Promise.resolve();

  request<T>(req: PdfTask, limits: PdfLimits): Promise<T> {
    const run = this.queue.then(() => this.run<T>(req, limits));
    this.queue = run.catch(() => undefined);
    return run;
  }

  prepare(limits: PdfLimits): void {
    this.start(limits);
  }

  private start(limits: PdfLimits): Worker {
    const key = `${limits.maxDecodedBytes}:${limits.maxMemoryBytes}`;
    if (this.worker && this.workerLimits === key) return this.worker;
    this.stop();
    listenForThreads();
    const heapMb = Math.max(64, Math.round(limits.maxMemoryBytes / MB / 2));
    const worker = new Worker(workerFile(), {
      workerData: { maxDecodedBytes: limits.maxDecodedBytes } satisfies PdfWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 },
    });
    // Idle, the worker keeps nothing running: a reading holds the process open by its own timers.
    worker.unref();
    this.worker = worker;
    this.workerLimits = key;
    return worker;
  }

  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }

  private run<T>(req: PdfTask, limits: PdfLimits): Promise<T> {
    const worker = this.start(limits);
    const id = this.next++;
    const baseline = process.memoryUsage.rss();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void, kill = false) => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        limit.stop();
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (kill && this.worker === worker) this.stop();
        fn();
      };
      const onMessage = (m: PdfReply) => {
        if (m.id !== id) return;
        // An answer that comes after the limit is refused like one that never came: which of the two events
        // the loop takes first (the timer, or the worker's message already waiting) must not decide.
        if (limit.over()) return finish(() => reject(limitError("time", limits)), true);
        finish(() => (m.ok ? resolve(m.value as T) : reject(raised(m.error, limits))));
      };
      // Past the heap ceiling the worker is ended by V8 (ERR_WORKER_OUT_OF_MEMORY).
      const onError = (e: Error) => {
        const oom = (e as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
        finish(() => reject(oom ? limitError("memory", limits) : e), true);
      };
      const onExit = () => finish(() => reject(new Error("the PDF reader's worker thread ended before it answered")), true);
      const watch = setInterval(() => {
        if (process.memoryUsage.rss() - baseline > limits.maxMemoryBytes) finish(() => reject(limitError("memory", limits)), true);
      }, WATCH_MS);
      // The CPU time of the reader's thread (threadCpu.ts): a busy machine does not stop a reading, a PDF that
      // keeps the thread working does.
      const limit = cpuLimit(() => worker.threadId, limits.maxMillis, () => finish(() => reject(limitError("time", limits)), true));
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage({ ...req, id } as PdfRequest);
    });
  }
}

function raised(e: PdfWorkerError, limits: PdfLimits): Error {
  if (e.kind === "limit") return limitError(e.limit, limits);
  if (e.kind === "message") return e.key.startsWith("paper.error.pdf") ? new InvalidDataError(e.key, e.params) : new FailedError(e.key, e.params);
  return new Error(e.message);
}

let reader: PdfReader | undefined;
/** The limits of this run (its environment), set by `prepareUntrustedReader`; else those of the process's. */
let runLimits: PdfLimits | undefined;
const current = (): PdfLimits => runLimits ?? pdfLimits();

/** Reads a foreign PDF (read.ts `readPdf`: text layer, then QR codes) within the limits. */
export async function readUntrustedPdf(data: Buffer, options: Omit<ReadOptions, "maxPages" | "maxTextChars"> = {}, limits: PdfLimits = current()): Promise<PdfContent> {
  checkPdfSize(data.length, limits);
  reader ??= new PdfReader();
  return reader.request<PdfContent>({ op: "read", data, options: { ...options, maxPages: limits.maxPages, maxTextChars: limits.maxTextChars } }, limits);
}

/** A named file embedded in a foreign PDF (read.ts `readAttachment`), within the limits. */
export async function readUntrustedAttachment(data: Buffer, name: string, limits: PdfLimits = current()): Promise<Buffer | undefined | "broken"> {
  checkPdfSize(data.length, limits);
  reader ??= new PdfReader();
  const found = await reader.request<Uint8Array | undefined | "broken">({ op: "attachment", data, name }, limits);
  return found instanceof Uint8Array ? Buffer.from(found.buffer, found.byteOffset, found.byteLength) : found;
}

/** One page of a foreign PDF rendered for OCR, and its page count (read.ts `renderPage`), within the limits. */
export async function renderUntrustedPage(data: Buffer, options: { page: number; dpi: number; maxPages: number; maxPixels: number }, limits: PdfLimits = current()): Promise<{ total: number; page: RenderedPage | null }> {
  checkPdfSize(data.length, limits);
  reader ??= new PdfReader();
  const r = await reader.request<{ total: number; page: RenderedPage | null }>({ op: "render", data, ...options, maxPages: Math.min(options.maxPages, limits.maxPages) }, limits);
  return { total: r.total, page: r.page && { ...r.page, rgba: new Uint8Array(r.page.rgba.buffer, r.page.rgba.byteOffset, r.page.rgba.byteLength) } };
}

/**
 * Sets the limits of this run (from its environment) and starts the worker thread ahead of the first reading
 * (it loads the PDF libraries meanwhile): called by the commands before they open the register, so that the
 * two overlap.
 */
export function prepareUntrustedReader(limits: PdfLimits = pdfLimits()): void {
  runLimits = limits;
  reader ??= new PdfReader();
  reader.prepare(limits);
}
