// Reading an export as it comes out of the system: the encoding and the delimiter are detected, CRLF and
// quoted fields (delimiters, quotes and line breaks inside) are handled by csv-parse, streaming.
// csv-parse and iconv-lite are loaded here, and this module is loaded only by the import command.

import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse, type CsvError } from "csv-parse";
import iconv from "iconv-lite";

export interface Detected {
  /** utf-8, utf-16le, utf-16be, windows-1252 or what the profile names. */
  encoding: string;
  /** Whether the file starts with a byte order mark. */
  bom: boolean;
  delimiter: string;
}

const SAMPLE = 64 * 1024;

export function encodingExists(name: string): boolean {
  return iconv.encodingExists(name);
}

/** The encoding of a sample: a BOM decides; else valid UTF-8 is UTF-8 and anything else Windows-1252. */
export function detectEncoding(sample: Buffer, complete: boolean): { encoding: string; bom: boolean } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: "utf-8", bom: true };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: "utf-16le", bom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: "utf-16be", bom: true };
  // A sample cut in the middle of the file may end inside a character: check it up to its last line break.
  let end = sample.length;
  if (!complete) {
    const nl = sample.lastIndexOf(0x0a);
    if (nl > 0) end = nl + 1;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.subarray(0, end));
    return { encoding: "utf-8", bom: false };
  } catch {
    return { encoding: "windows-1252", bom: false };
  }
}

/** The delimiter of the header line: the most frequent of ; tab , outside quotes (ties in that order). */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [";", 0],
    ["\t", 0],
    [",", 0],
  ]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ";";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export async function detect(file: string, profile: { encoding: string; delimiter: string | null }): Promise<Detected> {
  const fh = await open(file, "r");
  let sample: Buffer;
  let complete: boolean;
  try {
    const buf = Buffer.alloc(SAMPLE);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE, 0);
    sample = buf.subarray(0, bytesRead);
    complete = bytesRead < SAMPLE;
  } finally {
    await fh.close();
  }
  const found = detectEncoding(sample, complete);
  const encoding = profile.encoding === "auto" ? found.encoding : profile.encoding;
  const text = iconv.decode(sample, encoding).replace(/^\uFEFF/, "");
  return { encoding, bom: found.bom, delimiter: profile.delimiter ?? detectDelimiter(text) };
}

export interface CsvRecord {
  /** The line of the file where the record starts (1 is the header). */
  line: number;
  cells: string[];
}

export interface MalformedRecord {
  line: number;
  reason: string;
}

/** A reading in progress: `done` settles at the end of the file; `resume()` continues after a pause. */
export interface RecordReading {
  done: Promise<void>;
  resume(): void;
}

/**
 * Reads the records of the file, streaming, and calls `onRecord` for each (synchronously, in order); `done`
 * resolves at the end of the file. `onRecord` returning false pauses the reading (the file is not read further
 * than csv-parse's buffers) until `resume()`. `onBytes` reports progress in bytes read. A record that csv-parse
 * cannot read (an unclosed quote) is passed to `onMalformed` and skipped.
 */
export function readRecords(
  file: string,
  d: Detected,
  onRecord: (r: CsvRecord) => boolean | void,
  onBytes: (n: number) => void,
  onMalformed: (m: MalformedRecord) => void,
): RecordReading {
  let pump = () => {};
  let paused = false;
  const done = new Promise<void>((resolvePromise, reject) => {
    const input = createReadStream(file, { highWaterMark: 1 << 20 });
    input.on("data", (chunk) => onBytes(chunk.length));
    const utf8 = d.encoding === "utf-8" || d.encoding === "utf8";
    // Empty lines come through as records of one empty cell: skipped here so that line numbers stay exact.
    const parser = parse({ delimiter: d.delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true });
    let next = 1;
    parser.on("skip", (err: CsvError & { lines?: number }) => {
      onMalformed({ line: next, reason: err.message });
      if (err.lines) next = err.lines + 1;
    });
    let failed = false;
    let ended = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(e);
    };
    pump = () => {
      let cells: string[] | null;
      while (!paused && !failed && (cells = parser.read() as string[] | null) !== null) {
        const line = next;
        let lines = 1;
        for (const c of cells) {
          if (c.length === 0 || (c.indexOf("\n") < 0 && c.indexOf("\r") < 0)) continue;
          lines += (c.match(/\r\n|\r|\n/g) ?? []).length;
        }
        next += lines;
        if (cells.length === 1 && cells[0] === "") continue;
        try {
          if (onRecord({ line, cells }) === false) paused = true;
        } catch (e) {
          fail(e);
          return;
        }
      }
      if (ended && !paused && !failed) resolvePromise();
    };
    parser.on("readable", pump);
    parser.on("error", fail);
    // 'end' comes once everything has been read; a pause at the last records still has them to hand out.
    parser.on("end", () => {
      ended = true;
      if (!paused && !failed) resolvePromise();
    });
    input.on("error", fail);
    if (utf8) input.pipe(parser);
    else input.pipe(iconv.decodeStream(d.encoding, { stripBOM: true })).pipe(parser);
  });
  return {
    done,
    resume() {
      if (!paused) return;
      paused = false;
      pump();
    },
  };
}
