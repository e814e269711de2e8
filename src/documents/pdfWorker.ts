// The worker thread that reads foreign PDFs (replies, exchange files) for untrusted.ts: the reading pipeline of
// read.ts runs here, so that a hostile PDF can take no more than this thread's memory and time, and the main
// thread can end it (terminate) when it goes past them.
//
// pdf.js keeps what it decodes in typed arrays, which live outside the JavaScript heap that `resourceLimits`
// bounds: a worker capped at 256 MB of heap read a 2 GB "PDF bomb" at 4 GB of memory all the same. So every
// typed-array and ArrayBuffer constructor of this thread is wrapped (before any PDF library is loaded) to refuse
// a single buffer larger than the decoded-bytes limit; the main thread's watch on memory covers the rest.

import { parentPort, workerData } from "node:worker_threads";
import { MessageError, type MessageParams } from "../core/errors.js";
import { PdfLimitExceeded, preloadPdfLibraries, readAttachment, readPdf, renderPage, type PdfContent, type ReadOptions, type RenderedPage } from "./read.js";
import { announceThread } from "./threadCpu.js";

// Which OS thread this is, for the limit on the CPU time a reading may take (threadCpu.ts).
announceThread();

export interface PdfWorkerData {
  /** Bytes one decoded buffer (a stream, an image) may have at most. */
  maxDecodedBytes: number;
}

export type PdfTask =
  | { op: "read"; data: Uint8Array; options: ReadOptions }
  | { op: "attachment"; data: Uint8Array; name: string }
  | { op: "render"; data: Uint8Array; page: number; dpi: number; maxPages: number; maxPixels: number };

export type PdfRequest = PdfTask & { id: number };

export type PdfReply =
  | { id: number; ok: true; value: PdfContent | Buffer | { total: number; page: RenderedPage | null } | undefined | "broken" }
  | { id: number; ok: false; error: PdfWorkerError };

export type PdfWorkerError =
  | { kind: "limit"; limit: PdfLimitExceeded["limit"]; n: number }
  | { kind: "message"; key: string; params: MessageParams }
  | { kind: "unexpected"; message: string };

const TYPED = ["ArrayBuffer", "SharedArrayBuffer", "Uint8Array", "Uint8ClampedArray", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"] as const;

/**
 * Replaces this thread's typed-array constructors with ones that refuse a buffer of more than `maxBytes`
 * (counted from a length argument; views of existing memory and copies of arrays cost nothing new here).
 * `tripped` is called first: pdf.js swallows many errors and goes on, so the reader asks afterwards too.
 */
function guardAllocations(maxBytes: number, tripped: (bytes: number) => void): void {
  const g = globalThis as unknown as Record<string, new (...args: unknown[]) => unknown>;
  for (const name of TYPED) {
    const real = g[name];
    if (!real) continue;
    const per = (real as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const guarded: typeof real = new Proxy(real, {
      construct(target, args: unknown[], newTarget) {
        const n = args[0];
        if (typeof n === "number" && n * per > maxBytes) {
          tripped(n * per);
          throw new RangeError(`buffer of ${n * per} bytes refused (limit ${maxBytes})`);
        }
        // Made by the real constructor (not through the proxy as new.target): the same kind of object as
        // before, which V8 reads as fast (made through the proxy, pdf.js read them about five times slower).
        return Reflect.construct(target, args, newTarget === guarded ? target : newTarget) as object;
      },
    });
    g[name] = guarded;
  }
}

function describe(e: unknown): PdfWorkerError {
  if (e instanceof PdfLimitExceeded) return { kind: "limit", limit: e.limit, n: e.n };
  if (e instanceof MessageError) return { kind: "message", key: e.key, params: { ...e.params } };
  return { kind: "unexpected", message: e instanceof Error ? e.message : String(e) };
}

function main(): void {
  const port = parentPort!;
  const { maxDecodedBytes } = workerData as PdfWorkerData;
  // What the PDF libraries print (warnings about a damaged file) is not ours to show, and never on stdout
  // (--json): a worker's console goes to the process's streams.
  for (const level of ["log", "info", "warn", "error", "debug"] as const) console[level] = () => {};
  let over = 0;
  guardAllocations(maxDecodedBytes, (bytes) => (over = Math.max(over, bytes)));
  preloadPdfLibraries();
  // One request at a time: the main thread waits for each answer before it sends the next.
  port.on("message", (req: PdfRequest) => {
    over = 0;
    const bytes = () => Buffer.from(req.data.buffer, req.data.byteOffset, req.data.byteLength);
    const work =
      req.op === "read" ? readPdf(bytes(), req.options) : req.op === "render" ? renderPage(bytes(), { page: req.page, dpi: req.dpi, maxPages: req.maxPages, maxPixels: req.maxPixels }) : readAttachment(req.data, req.name);
    work.then(
      (value) => {
        const reply: PdfReply = over ? { id: req.id, ok: false, error: { kind: "limit", limit: "decoded", n: maxDecodedBytes } } : { id: req.id, ok: true, value };
        // A rendered page's pixels (tens of megabytes) are handed over, not copied.
        const pixels = req.op === "render" && reply.ok ? (value as { page: RenderedPage | null }).page?.rgba : undefined;
        port.postMessage(reply, pixels ? [pixels.buffer as ArrayBuffer] : []);
      },
      (e: unknown) => {
        const error: PdfWorkerError = over ? { kind: "limit", limit: "decoded", n: maxDecodedBytes } : describe(e);
        port.postMessage({ id: req.id, ok: false, error } satisfies PdfReply);
      },
    );
  });
}

main();
