// `avvik import`: the first phase reads and checks every row (streaming) into a staging file; the second
// applies the staged rows in one transaction (see src/store/imports.ts). Without --skip-invalid any rejected
// row stops the import before anything is written; with it, the rejected rows go to a CSV beside the input.

import { createWriteStream, statSync, type WriteStream } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { once } from "node:events";
import { stringify, type Stringifier } from "csv-stringify";
import iconv from "iconv-lite";
import { InvalidDataError } from "../core/errors.js";
import type { MessageKey, Translate } from "../i18n/index.js";
import type { Store } from "../store/store.js";
import type { Profile } from "./profile.js";
import { detect, readRecords, type Detected } from "./read.js";
import { RowReader, directoryOf, indexColumns, type ImportRow, type Problem } from "./rows.js";

export interface Progress {
  reading(totalBytes: number): void;
  bytes(n: number): void;
  writing(totalRows: number): void;
  rows(n: number): void;
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
const BATCH = 2000;

/** Where the rejected rows of `file` go: beside it, `<name>.avvisade.csv`. */
export function rejectedFileFor(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.avvisade${ext || ".csv"}`);
}

/** Writes rejected rows as the input was (same delimiter and encoding) with the line and the reason added. */
class RejectWriter {
  private out: Stringifier | undefined;
  private sink: WriteStream | undefined;

  constructor(
    readonly file: string,
    private readonly d: Detected,
    private readonly header: string[],
    private readonly labels: { line: string; reason: string },
  ) {}

  write(cells: readonly string[], line: number, reason: string): void {
    if (!this.out) {
      const sink = (this.sink = createWriteStream(this.file));
      const utf8 = this.d.encoding === "utf-8" || this.d.encoding === "utf8";
      this.out = stringify({ delimiter: this.d.delimiter, record_delimiter: "\r\n", bom: utf8 && this.d.bom });
      let first = true;
      // One chunk per record: whole characters, so each can be encoded on its own.
      this.out.on("data", (chunk: Buffer) => {
        sink.write(utf8 ? chunk : iconv.encode(chunk.toString("utf8"), this.d.encoding, { addBOM: first && this.d.bom }));
        first = false;
      });
      this.out.on("end", () => sink.end());
      this.out.write([...this.header, this.labels.line, this.labels.reason]);
    }
    const padded = [...cells];
    while (padded.length < this.header.length) padded.push("");
    this.out.write([...padded, String(line), reason]);
  }

  async close(): Promise<boolean> {
    if (!this.out) return false;
    this.out.end();
    await once(this.sink!, "close");
    return true;
  }
}

interface Pending {
  line: number;
  cells: string[];
  row: ImportRow;
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
  const directory = directoryOf(store.orgs.list());
  const staging = store.imports.openStaging();
  let rejects: RejectWriter | undefined;
  let header: string[] | undefined;
  let reader: RowReader | undefined;
  let pending: Pending[] = [];

  const malformedRow = (m: { line: number; reason: string }) => {
    result.rows++;
    reject(m.line, [], t("csv.row.malformed", { reason: m.reason }));
  };
  const reject = (line: number, cells: readonly string[], reason: string) => {
    result.rejected++;
    if (result.errors.length < MAX_ERRORS) result.errors.push({ line, message: reason });
    else result.errorsTruncated = true;
    if (o.skipInvalid && !o.dryRun && header) {
      rejects ??= new RejectWriter(rejectedFileFor(o.file), d, header, { line: t("csv.rejected.line"), reason: t("csv.rejected.reason") });
      rejects.write(cells, line, reason);
    }
  };
  // Rows are checked one by one; looking up what the register already holds is done per batch (one query).
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const known = store.imports.lookup(profile.system, batch.map((p) => p.row.externalId));
    staging.batch(() => {
      for (const p of batch) {
        const { externalId, fields, persons } = p.row;
        const k = known.get(externalId);
        if (k && k.direction !== profile.direction) {
          reject(p.line, p.cells, t("csv.row.directionMismatch", { ref: `${profile.system}:${externalId}`, case: k.label, caseDirection: k.direction, direction: profile.direction }));
          continue;
        }
        const fingerprint = store.imports.fingerprint(fields, persons);
        let apply = !k || k.fingerprint !== fingerprint;
        let warning: RowError | null = null;
        if (apply && k?.status === "closed") {
          warning = { line: p.line, message: t("csv.warn.closed", { ref: `${profile.system}:${externalId}`, case: k.label }) };
          apply = false;
        }
        const stagedFingerprint = k && !apply ? (k.fingerprint ?? fingerprint) : fingerprint;
        const first = staging.add(p.line, externalId, k?.caseId ?? null, stagedFingerprint, apply ? fields : null, apply ? store.imports.seal(persons) : null);
        if (first) {
          reject(p.line, p.cells, t("csv.row.duplicate", { system: profile.system, id: externalId, first }));
          continue;
        }
        if (warning && result.warnings.length < MAX_ERRORS) result.warnings.push(warning);
        if (!apply) result.unchanged++;
      }
    });
  };

  try {
    let total = 0;
    try {
      total = statSync(o.file).size;
    } catch {
      /* reported by the reader */
    }
    o.progress?.reading(total);
    let stopped: unknown;
    await readRecords(
      o.file,
      d,
      (rec) => {
        if (!header) {
          header = rec.cells.map((c) => c.trim());
          const { index, missing } = indexColumns(profile, header);
          if (missing.length) {
            throw new InvalidDataError("csv.file.missingColumns", { file: o.file, missing: missing.map((m) => `'${m}'`).join(", "), found: header.map((h) => `'${h}'`).join(", "), profile: profile.file });
          }
          reader = new RowReader(profile, index, directory, store.today);
          return;
        }
        if (rec.cells.every((c) => c.trim() === "")) return;
        result.rows++;
        if (rec.cells.length !== header.length) {
          reject(rec.line, rec.cells, t("csv.row.fieldCount", { found: rec.cells.length, expected: header.length }));
          return;
        }
        const r = reader!.read(rec.cells);
        if (!r.ok) {
          reject(rec.line, rec.cells, r.problems.map(message).join("; "));
          return;
        }
        pending.push({ line: rec.line, cells: rec.cells, row: r.row });
        if (pending.length >= BATCH) flush();
      },
      (n) => o.progress?.bytes(n),
      (m) => malformedRow(m),
    ).catch((e: unknown) => {
      stopped = e;
    });
    if (stopped) throw stopped;
    flush();
    if (!header) throw new InvalidDataError("csv.file.empty", { file: o.file });
    if (rejects) result.rejectedFile = (await rejects.close()) ? rejects.file : null;

    if (result.rejected > 0 && !o.skipInvalid && !o.dryRun) {
      result.unchanged = 0;
      return result;
    }
    o.progress?.writing(staging.count());
    const applied = store.imports.apply(staging, {
      system: profile.system,
      direction: profile.direction,
      diarise: o.diarise,
      dryRun: o.dryRun,
      onProgress: (n) => o.progress?.rows(n),
      summary: { file: basename(o.file), rows: result.rows, rejected: result.rejected },
    });
    result.created = applied.created;
    result.updated = applied.updated;
    result.unchanged += applied.unchanged;
    result.diarised = applied.diarised;
    result.imported = !o.dryRun;
    return result;
  } finally {
    o.progress?.stop();
    staging.remove();
    if (rejects && !result.rejectedFile) await rejects.close().catch(() => undefined);
  }
}

