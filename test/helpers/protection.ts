// Helpers for the protection tests: raw-byte scans of the data directory, direct database access as an
// attacker or a test fixture would have it.

import Database from "better-sqlite3";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { luhnCheckDigit } from "../../src/core/personnummer.js";

/** Every file under `dir` (the database, its -wal and -shm, stored files, the outbox …). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The needles found in the raw bytes of each file, as `file: needle` (UTF-8 and UTF-16LE). */
export function scan(files: string[], needles: Array<string | Buffer>): string[] {
  const found: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const n of needles) {
      const forms = typeof n === "string" ? [Buffer.from(n, "utf8"), Buffer.from(n, "utf16le")] : [n];
      if (forms.some((b) => bytes.includes(b))) found.push(`${f}: ${typeof n === "string" ? n : n.toString("hex").slice(0, 16)}`);
    }
  }
  return found;
}

export function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A valid personnummer (or samordningsnummer with day + 60) from its first eleven digits. */
export function pnr(elevenDigits: string): string {
  const nine = elevenDigits.slice(2);
  return `${elevenDigits.slice(0, 8)}-${elevenDigits.slice(8)}${luhnCheckDigit(nine)}`;
}

/** Every written form of a twelve-digit number: 12 and 10 digits, with and without hyphen. */
export function pnrForms(withHyphen: string): string[] {
  const twelve = withHyphen.replace("-", "");
  const ten = twelve.slice(2);
  return [twelve, withHyphen, ten, `${ten.slice(0, 6)}-${ten.slice(6)}`];
}

export function openRaw(home: string, readonly = false): Database.Database {
  const db = new Database(join(home, "avvik.db"), { readonly });
  db.pragma("busy_timeout = 15000");
  return db;
}
