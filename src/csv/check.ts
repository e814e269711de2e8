// The reading side of an import: every record of the file read, checked and turned into what the register
// stores (personnummer and names already encrypted, a keyed fingerprint of the row), handed on in batches.
// It runs in a worker thread for large files (src/csv/worker.ts), so that reading and checking go on while
// the main thread writes the previous batch, and in the main thread for small ones. No database here.

import { hash } from "node:crypto";
import { InvalidDataError } from "../core/errors.js";
import type { Org } from "../core/types.js";
import type { FieldCipher } from "../store/crypto.js";
import type { ImportedRow } from "../store/imports.js";
import type { Profile } from "./profile.js";
import { readRecords, type Detected, type RecordReading } from "./read.js";
import { RowReader, directoryOf, indexColumns, type Problem } from "./rows.js";

/** A row that passed every check, ready to write. */
export interface CheckedRow extends ImportedRow {
  ok: true;
  /** The row's cells, kept only when rejected rows are written back (a later check may still reject it). */
  cells: string[] | null;
}

/** The fingerprints the register holds for external ids of the profile's system (before this import). */
export type FingerprintLookup = (externalIds: readonly string[]) => Map<string, string>;

/** A row that did not: its problems, and its cells when rejected rows are written back to a file. */
export interface RejectedRow {
  ok: false;
  line: number;
  problems: Problem[];
  cells: string[] | null;
}

export type Item = CheckedRow | RejectedRow;

export interface CheckInput {
  file: string;
  detected: Detected;
  profile: Profile;
  orgs: readonly Org[];
  today: string;
  /** Whether rejected rows are written back (their cells are kept). */
  keepCells: boolean;
}

/** What the checker hands on; `batch` returning false pauses the reading until `resume()`. */
export interface CheckSink {
  header(cells: string[]): void;
  batch(items: Item[], bytes: number): boolean | void;
}

export const BATCH_ROWS = 2000;

/**
 * The salt of the row fingerprints: derived from the register's key (nothing can be learnt from a fingerprint
 * without it) and from everything of the profile that turns cells into a case (its columns, value maps,
 * defaults, date formats and direction): a row read through a changed profile is compared again field by field.
 */
export function fingerprintSalt(cipher: FieldCipher, profile: Profile): string {
  const values = Object.entries(profile.values).map(([field, map]) => [field, [...map.entries()]]);
  const context = JSON.stringify([profile.direction, profile.columns, values, profile.defaults, profile.dateFormats.map((f) => f.text)]);
  return cipher.hash(`row fingerprint\0${context}`, "import");
}

/**
 * SHA-256 over the salt and the row's cells as read (those of the profile's columns, before any parsing) with
 * the organisations they were resolved to (a directory changed since names another one), shortened. The same
 * cells give the same fingerprint; a changed cell a different one (the writer then compares field by field).
 */
export function fingerprintOf(salt: string, cells: readonly string[], columns: readonly number[], counterpartId: string, unitId: string | null): string {
  const parts = [counterpartId, unitId ?? ""];
  let separated = true;
  for (const i of columns) {
    const c = cells[i] ?? "";
    if (c.includes("\0")) separated = false;
    parts.push(c);
  }
  // Joined by NUL when no cell holds one (then unambiguous: the number of parts is fixed), else as JSON.
  const text = separated ? `P${parts.join("\0")}` : `J${JSON.stringify(parts)}`;
  return hash("sha256", salt + text, "base64").slice(0, 32);
}

/**
 * Reads and checks the whole file, handing on batches of items in file order. Rejects with InvalidDataError
 * when the file itself is wrong (a column missing, no header).
 */
export function checkFile(input: CheckInput, cipher: FieldCipher, sink: CheckSink, known?: FingerprintLookup): { done: Promise<void>; resume(): void } {
  const { profile, keepCells } = input;
  const salt = fingerprintSalt(cipher, profile);
  const directory = directoryOf(input.orgs);
  let header: string[] | undefined;
  let reader: RowReader | undefined;
  /** The columns the profile reads, in file order: what a fingerprint covers. */
  let columns: number[] = [];
  let items: Item[] = [];
  /** The persons of the batch's checked rows, in clear until sealed at the end of the batch. */
  let plain = new Map<CheckedRow, Array<{ digits: string; name: string | null }>>();
  let bytes = 0;
  const flush = (): boolean => {
    if (items.length === 0 && bytes === 0) return true;
    // Encrypting is most of the cost of a row: a row the register already holds exactly as read (same
    // fingerprint) is left unsealed, since it will not be written (ImportWriter.apply: unchanged).
    const same = known && plain.size ? known([...plain.keys()].map((r) => r.externalId)) : undefined;
    for (const [row, persons] of plain) {
      if (same?.get(row.externalId) === row.fingerprint) {
        row.persons = [];
        row.sealed = false;
      } else row.persons = persons.map((p) => ({ sealed: cipher.sealPerson(p.digits, p.name), hash: cipher.personHash(p.digits) }));
    }
    plain = new Map();
    const out = items;
    const n = bytes;
    items = [];
    bytes = 0;
    return sink.batch(out, n) !== false;
  };
  const reject = (line: number, cells: string[] | null, problems: Problem[]) => {
    items.push({ ok: false, line, problems, cells: keepCells ? cells : null });
  };
  const reading: RecordReading = readRecords(
    input.file,
    input.detected,
    (rec) => {
      if (!header) {
        header = rec.cells.map((c) => c.trim());
        const { index, missing } = indexColumns(profile, header);
        if (missing.length) {
          throw new InvalidDataError("csv.file.missingColumns", {
            file: input.file,
            missing: missing.map((m) => `'${m}'`).join(", "),
            found: header.map((h) => `'${h}'`).join(", "),
            profile: profile.file,
          });
        }
        reader = new RowReader(profile, index, directory, input.today);
        columns = [...new Set(Object.values(index))].sort((a, b) => a - b);
        sink.header(header);
        return;
      }
      if (rec.cells.every((c) => c.trim() === "")) return;
      if (rec.cells.length !== header.length) {
        reject(rec.line, rec.cells, [{ key: "csv.row.fieldCount", params: { found: rec.cells.length, expected: header.length } }]);
      } else {
        const r = reader!.read(rec.cells);
        if (!r.ok) reject(rec.line, rec.cells, r.problems);
        else {
          const { externalId, fields, persons } = r.row;
          const row: CheckedRow = {
            ok: true,
            line: rec.line,
            externalId,
            fields,
            fingerprint: fingerprintOf(salt, rec.cells, columns, fields.counterpartId, fields.unitId),
            persons: [],
            sealed: true,
            cells: keepCells ? rec.cells : null,
          };
          items.push(row);
          plain.set(row, persons);
        }
      }
      if (items.length >= BATCH_ROWS) return flush();
      return true;
    },
    (n) => {
      bytes += n;
    },
    (m) => reject(m.line, [], [{ key: "csv.row.malformed", params: { reason: m.reason } }]),
  );
  const done = reading.done.then(() => {
    if (!header) throw new InvalidDataError("csv.file.empty", { file: input.file });
    flush();
  });
  return { done, resume: () => reading.resume() };
}
