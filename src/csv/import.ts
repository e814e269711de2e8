// `avvik import`: the file is read and checked in batches (src/csv/check.ts; in a worker thread when the
// file is large, so that reading and writing overlap) and each batch is written at once, all in one
// transaction (src/store/imports.ts). Without --skip-invalid any rejected row makes the import fail and the
// transaction is rolled back, so nothing is written; with it, the rejected rows go to a CSV beside the input.

import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { stringify, type Stringifier } from "csv-stringify";
import iconv from "iconv-lite";
import { FailedError, InvalidDataError, NotFoundError, UsageError } from "../core/errors.js";
import type { MessageKey, Translate } from "../i18n/index.js";
import type { FieldCipher } from "../store/crypto.js";
import { OutputFile, type DataDir } from "../store/outputFile.js";
import { Store } from "../store/store.js";
import type { Profile } from "./profile.js";
import { checkFile, type CheckedRow, type CheckInput, type Item } from "./check.js";
import { detect, type Detected } from "./read.js";
import type { Problem } from "./rows.js";
import type { FailedInWorker, WorkerInput, WorkerMessage } from "./worker.js";
import { unpackBatch } from "./wire.js";

export interface Progress {
  start(totalBytes: number): void;
  bytes(n: number): void;
  stop(): void;
}

export interface ImportOptions {
  file: string;
  profile: Profile;
  dryRun: boolean;
  skipInvalid: boolean;
  diarise: boolean;
  t: Translate;
  progress?: Progress;
}

export interface RowError {
  line: number;
  message: string;
}

export interface ImportResult {
  file: string;
  profile: string;
  system: string;
  encoding: string;
  delimiter: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  diarised: number;
  /** Whether the register was changed (false with --dry-run and when invalid rows stopped the import). */
  imported: boolean;
  dryRun: boolean;
  errors: RowError[];
  /** More rejected rows than `errors` lists (only the first MAX_ERRORS are listed). */
  errorsTruncated: boolean;
  warnings: RowError[];
  rejectedFile: string | null;
}

export const MAX_ERRORS = 1000;
/**
 * About how many rows a file holds: its size times the line breaks in its first 256 KB per byte there (a line
 * break inside a quoted cell counts too). The estimate only decides whether the import builds its indexes at the
 * end (ImportWriter.begin).
 */
function estimateRows(file: string, size: number): number {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const sample = Buffer.alloc(Math.min(size, 256 * 1024));
    const n = readSync(fd, sample, 0, sample.length, 0);
    let lines = 0;
    for (let i = sample.indexOf(10); i !== -1 && i < n; i = sample.indexOf(10, i + 1)) lines++;
    return n > 0 ? Math.floor((size * lines) / n) : 0;
  } catch {
    return 0; // reported by the reader
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
/** Seconds building the indexes at the end of a bulk import takes per row (measured: see README, Figures). */
const INDEX_SECONDS_PER_ROW = 4e-6;
/** From this size on, the file is read and checked in a worker thread while the main thread writes. */
export const WORKER_FROM_BYTES = 256 * 1024;

/** Where the rejected rows of `file` go: beside it, `<name>.avvisade.csv`. */
export function rejectedFileFor(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.avvisade${ext || ".csv"}`);
}

/**
 * Writes rejected rows as the input was (same delimiter and encoding) with the line and the reason added.
 * They hold what the rows held (personnummer, names): the file is written 0600, into a temporary file that
 * takes its name just before the import commits (src/store/outputFile.ts); never into the data directory.
 */
class RejectWriter {
  private out: Stringifier | undefined;
  private target: OutputFile | undefined;
  private done: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly data: DataDir,
    private readonly d: Detected,
    private readonly header: string[],
    private readonly labels: { line: string; reason: string },
  ) {}

  write(cells: readonly string[], line: number, reason: string): void {
    if (!this.out) {
      const target = (this.target = OutputFile.prepare(this.file, { data: this.data, flag: "import FILE", personal: true }));
      const sink = target.openStream();
      const utf8 = this.d.encoding === "utf-8" || this.d.encoding === "utf8";
      this.out = stringify({ delimiter: this.d.delimiter, record_delimiter: "\r\n", bom: utf8 && this.d.bom });
      let first = true;
      // One chunk per record: whole characters, so each can be encoded on its own.
      this.out.on("data", (chunk: Buffer) => {
        sink.write(utf8 ? chunk : iconv.encode(chunk.toString("utf8"), this.d.encoding, { addBOM: first && this.d.bom }));
        first = false;
      });
      this.done = new Promise<void>((ok) => this.out!.on("end", () => ok()));
      this.out.write([...this.header, this.labels.line, this.labels.reason]);
    }
    const padded = [...cells];
    while (padded.length < this.header.length) padded.push("");
    this.out.write([...padded, String(line), reason]);
  }

  /** Finishes the temporary file (synced); true when there was anything to write. */
  async close(): Promise<boolean> {
    if (!this.out) return false;
    this.out.end();
    await this.done;
    await this.target!.closeStream();
    return true;
  }

  /** Gives the file its name; call just before the import commits. */
  commit(): void {
    this.target?.commit();
  }

  discard(): void {
    this.target?.discard();
  }
}

/** Where the built worker is (bundled, or compiled by tsc); null when running from the TypeScript sources. */
function workerFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith(".cjs") ? join(dirname(here), "import-worker.cjs") : here.endsWith(".js") ? join(dirname(here), "worker.js") : null;
  return file && existsSync(file) ? file : null;
}

/** An error of the worker raised again as what it was (one clear line, the right exit code). */
function raised(e: FailedInWorker): Error {
  switch (e.kind) {
    case "usage":
      return new UsageError(e.key, e.params);
    case "notFound":
      return new NotFoundError(e.key, e.params);
    case "invalidData":
      return new InvalidDataError(e.key, e.params);
    case "failed":
      return new FailedError(e.key, e.params);
    default: {
      const err = new Error(e.message);
      if (e.stack) err.stack = e.stack;
      return err;
    }
  }
}

interface Handlers {
  header(cells: string[]): void;
  /** Writes a batch; the next one is handed over only once it has settled (PostgreSQL writes asynchronously). */
  batch(items: Item[], bytes: number): Promise<void>;
}

/** Reads and checks the file in a worker thread; the handlers run in this thread, one batch at a time, in order. */
function checkInWorker(file: string, input: WorkerInput, h: Handlers): Promise<void> {
  // A small young generation makes the worker collect its short-lived rows often instead of growing its heap
  // (a million-row import: peak memory of the process 0.28-0.30 GB -> 0.24 GB, no slower); the old generation
  // is capped far above the few batches it holds at once.
  const worker = new Worker(file, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } });
  // The messages are handled in the order they came, each after the previous one's batch is written.
  let queue = Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (e?: unknown) => {
      if (settled) return;
      settled = true;
      if (e === undefined) resolve();
      else reject(e);
    };
    const then = (step: () => void | Promise<void>) => {
      queue = queue.then(() => (settled ? undefined : step())).catch((e: unknown) => settle(e));
    };
    worker.on("message", (m: WorkerMessage) => {
      if (settled) return;
      if (m.type === "header") then(() => h.header(m.header));
      else if (m.type === "batch") {
        then(async () => {
          await h.batch(unpackBatch(m.batch), m.bytes);
          worker.postMessage({ type: "written" });
        });
      } else if (m.type === "done") then(() => settle());
      else then(() => settle(raised(m.error)));
    });
    worker.on("error", (e) => settle(e));
    worker.on("exit", (code) => then(() => settle(new Error(`the import's worker thread ended (${code}) before the end of the file`))));
  }).finally(async () => {
    // Nothing is written after this returns (the caller may roll back at once).
    await queue;
    await worker.terminate();
  });
}

/** Reads and checks the file in this thread (small files: no thread to start); reading pauses while a batch is written. */
async function checkHere(input: CheckInput, cipher: FieldCipher, h: Handlers): Promise<void> {
  let queue = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const check = checkFile(input, cipher, {
    header: h.header,
    batch: (items, bytes) => {
      if (failure) return true; // the rest of the file is read and not written: the import fails below
      queue = h.batch(items, bytes).then(
        () => check.resume(),
        (error: unknown) => {
          failure = { error };
          check.resume();
        },
      );
      return false;
    },
  });
  await check.done;
  await queue;
  if (failure) throw failure.error;
}

export async function importFile(store: Store, o: ImportOptions): Promise<ImportResult> {
  const { profile, t } = o;
  const d = await detect(o.file, profile);
  const result: ImportResult = {
    file: o.file,
    profile: profile.file,
    system: profile.system,
    encoding: d.encoding,
    delimiter: d.delimiter === "\t" ? "tab" : d.delimiter,
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    diarised: 0,
    imported: false,
    dryRun: o.dryRun,
    errors: [],
    errorsTruncated: false,
    warnings: [],
    rejectedFile: null,
  };
  const message = (p: Problem) => {
    const params = { ...p.params };
    if (p.key === "csv.row.badPnr") params.reason = t(`usage.pnr.${params.reason}` as MessageKey);
    return t(p.key as MessageKey, params);
  };
  const keepCells = o.skipInvalid && !o.dryRun;
  let rejects: RejectWriter | undefined;
  let header: string[] | undefined;
  const reject = (line: number, cells: readonly string[] | null, reason: string) => {
    result.rejected++;
    if (result.errors.length < MAX_ERRORS) result.errors.push({ line, message: reason });
    else result.errorsTruncated = true;
    if (keepCells && header) {
      rejects ??= new RejectWriter(rejectedFileFor(o.file), { home: store.home, keyFile: store.keyFile }, d, header, { line: t("csv.rejected.line"), reason: t("csv.rejected.reason") });
      rejects.write(cells ?? [], line, reason);
    }
  };
  const warn = (line: number, text: string) => {
    if (result.warnings.length < MAX_ERRORS) result.warnings.push({ line, message: text });
  };
  const ref = (id: string) => `${profile.system}:${id}`;

  const cipher = await store.cipher(); // a wrong or missing key fails here, before anything is read
  const orgs = await store.orgs.list();
  const writer = store.imports.writer({ system: profile.system, direction: profile.direction, diarise: o.diarise });
  const published = store.importProgress();
  let read = 0;
  const handlers: Handlers = {
    header: (cells) => {
      header = cells;
    },
    batch: async (items, bytes) => {
      if (bytes) o.progress?.bytes(bytes);
      read += bytes;
      result.rows += items.length;
      const valid = items.filter((i): i is CheckedRow => i.ok);
      const outcomes = valid.length ? await writer.apply(valid) : [];
      let v = 0;
      for (const item of items) {
        if (!item.ok) {
          reject(item.line, item.cells, item.problems.map(message).join("; "));
          continue;
        }
        const out = outcomes[v++]!;
        if (out.kind === "duplicate") reject(item.line, item.cells, t("csv.row.duplicate", { system: profile.system, id: item.externalId, first: out.firstLine }));
        else if (out.kind === "direction") {
          reject(item.line, item.cells, t("csv.row.directionMismatch", { ref: ref(item.externalId), case: out.label, caseDirection: t(`direction.${out.caseDirection}` as MessageKey).toLowerCase(), direction: t(`direction.${profile.direction}` as MessageKey).toLowerCase() }));
        } else if (out.kind === "closed") warn(item.line, t("csv.warn.closed", { ref: ref(item.externalId), case: out.label }));
      }
      published.update(result.rows, total ? read / total : 0, tail(result.rows));
    },
  };

  let total = 0;
  try {
    total = statSync(o.file).size;
  } catch {
    /* reported by the reader */
  }
  o.progress?.start(total);
  // What the import still does after its last row, for the estimate it publishes: the indexes it builds at the end.
  const tail = (rows: number) => (writer.bulkMode ? Math.ceil((rows / Math.max(read / Math.max(total, 1), 0.01)) * INDEX_SECONDS_PER_ROW) : 0);
  await writer.begin(estimateRows(o.file, total));
  // The lock is ours from here: the registrars who meet it are told at once, before the first batch is read.
  published.update(0, 0, 0, true);
  try {
    const worker = total >= WORKER_FROM_BYTES ? workerFile() : null;
    if (worker) {
      const input: WorkerInput = {
        file: o.file,
        detected: d,
        profileFile: profile.file,
        profilePath: profile.path,
        orgs,
        today: store.today,
        keyFile: store.keyFile,
        keepCells,
        // On PostgreSQL the worker compares nothing with the register: every row is sealed.
        databaseFile: store.sql.engine === "sqlite" ? Store.databaseFile(store.home) : null,
        system: profile.system,
      };
      await checkInWorker(worker, input, handlers);
    } else {
      await checkHere({ file: o.file, detected: d, profile, orgs, today: store.today, keepCells }, cipher, handlers);
    }
    if (rejects) result.rejectedFile = (await rejects.close()) ? rejects.file : null;

    const failed = result.rejected > 0 && !o.skipInvalid;
    if (o.dryRun || failed) {
      // A dry run says what the import would do; a failed import did nothing.
      const predicted = await writer.rollback();
      if (o.dryRun) Object.assign(result, predicted);
      return result;
    }
    rejects?.commit();
    published.update(result.rows, 1, tail(result.rows), true);
    Object.assign(result, await writer.commit({ file: basename(o.file), rows: result.rows, rejected: result.rejected }));
    result.imported = true;
    return result;
  } catch (e) {
    await writer.rollback();
    throw e;
  } finally {
    published.clear();
    o.progress?.stop();
    if (rejects && !result.imported) {
      await rejects.close().catch(() => undefined);
      rejects.discard();
      result.rejectedFile = null;
    }
  }
}
