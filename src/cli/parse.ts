// Flag values checked where they enter: a malformed value is a usage error (exit 2) naming the flag.

import { normaliseClassCode } from "../core/classification.js";
import { codeFromWord, codesWithWords } from "../core/codes.js";
import { parseIsoDate } from "../core/dates.js";
import { UsageError } from "../core/errors.js";
import { parsePeriod, rangePeriod, type Period } from "../core/stats.js";
import { isPersonalNumber, parsePersonalNumber } from "../core/personnummer.js";
import { isRiskLevel } from "../core/risk.js";
import type { ExternalRef } from "../core/types.js";

export { MAX_SHORT_TEXT, MAX_TEXT } from "../core/limits.js";
import { MAX_SHORT_TEXT, MAX_TEXT } from "../core/limits.js";

export function parseDateFlag(flag: string, value: string): string {
  const d = parseIsoDate(value);
  if (!d) throw new UsageError("usage.badDate", { flag, value });
  return d;
}

/** A code from a flag: the code itself or its Swedish word, with or without å/ä/ö, any case (`ut`, `läkemedel`). */
export function parseCodeFlag<T extends string>(flag: string, list: readonly T[], value: string): T {
  const code = codeFromWord(list, value);
  if (!code) throw new UsageError("usage.badCode", { flag, value, allowed: codesWithWords(list) });
  return code;
}

export function parseRefFlag(flag: string, value: string): ExternalRef {
  const m = /^\s*([A-Za-z][\w.-]{0,39})\s*:\s*(\S.{0,99}?)\s*$/.exec(value);
  if (!m) throw new UsageError("usage.badRef", { flag, value });
  return { system: m[1]!.toLowerCase(), id: m[2]! };
}

/** PNR[:NAME] → twelve validated digits and an optional name. */
export function parsePersonFlag(flag: string, value: string, today: string, reasonText: (r: string) => string): { digits: string; name: string | null } {
  const idx = value.indexOf(":");
  const pnr = idx >= 0 ? value.slice(0, idx) : value;
  const name = idx >= 0 ? value.slice(idx + 1).trim() : "";
  const p = parsePersonalNumber(pnr, today);
  if (!isPersonalNumber(p)) throw new UsageError("usage.badPerson", { flag, value: maskInput(pnr), reason: reasonText(p.error) });
  if (name.length > MAX_SHORT_TEXT || hasControl(name)) throw new UsageError("usage.badText", { flag, max: MAX_SHORT_TEXT });
  return { digits: p.digits, name: name || null };
}

/** Never echo a possibly real personnummer back in an error line. */
function maskInput(text: string): string {
  return text.length > 6 ? `${text.slice(0, 6)}…` : text;
}

export function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0 || Number(value) > 1_000_000) throw new UsageError("usage.badInt", { flag, value });
  return Number(value);
}

/** A deadline agreed between providers: whole months, at most ten years. */
export function parseDeadlineMonths(flag: string, value: string): number {
  const n = parsePositiveInt(flag, value);
  if (n > 120) throw new UsageError("usage.badDeadlineMonths", { flag, value });
  return n;
}

export function parseNonNegativeInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 1_000_000) throw new UsageError("usage.badInt", { flag, value });
  return Number(value);
}

export function parseYear(flag: string, value: string): number {
  if (!/^(19|20)\d{2}$/.test(value.trim())) throw new UsageError("usage.badYear", { flag, value });
  return Number(value);
}

export function parseEmail(flag: string, value: string): string {
  const v = value.trim();
  if (!/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(v) || v.length > 254) throw new UsageError("usage.badEmail", { flag, value });
  return v;
}

function hasControl(text: string): boolean {
  // Tabs and line breaks are allowed in free text; other control characters are not.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(text);
}

/** Free text from a flag: trimmed, not empty (when required), not over-long, no control characters. */
export function parseText(flag: string, value: string, max = MAX_TEXT): string {
  const v = value.replace(/\r\n?/g, "\n").trim();
  if (!v || v.length > max || hasControl(v)) throw new UsageError("usage.badText", { flag, max });
  return v;
}

/** commander collector for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Every missing required flag named in one line ("--event-date, --kind och --summary saknas"), not one per try.
 * `prompt`: the command would ask for them in a terminal (the message says so).
 */
export function requireFlags(given: Record<string, unknown>, required: Array<[string, string]>, prompt = false): void {
  const missing = required.filter(([k]) => given[k] === undefined || given[k] === "" || (Array.isArray(given[k]) && (given[k] as unknown[]).length === 0)).map(([, flag]) => flag);
  if (missing.length === 0) return;
  if (missing.length === 1) throw new UsageError(prompt ? "usage.missingFlagOrPrompt" : "usage.missingFlag", { flag: missing[0]! });
  throw new UsageError(prompt ? "usage.missingFlagsOrPrompt" : "usage.missingFlags", { flags: missing.slice(0, -1).join(", "), last: missing[missing.length - 1]! });
}

/** An organisation's id as typed (any case, trimmed): a-z 0-9 . _ -, at most 64 characters. */
export function parseOrgId(flag: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(v)) throw new UsageError("usage.badCode", { flag, value, allowed: "a-z 0-9 . _ -" });
  return v;
}

/** "Box 905|612 25 Finspång" → lines; a literal "\n" also separates lines. */
export function parseAddress(value: string): string {
  const lines = value
    .split(/\||\\n|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return parseText("--address", lines.join("\n"), 500);
}

/** A level of the risk assessment (probability or consequence): 1, 2, 3 or 4. */
export function parseRiskLevel(flag: string, value: string): number {
  const v = value.trim();
  if (!/^\d$/.test(v) || !isRiskLevel(Number(v))) throw new UsageError("usage.badRiskLevel", { flag, value });
  return Number(v);
}

/** A classification code ("2.6.1"), or "ingen"/"none": the case goes back to the organisation's default. */
export function parseClassificationFlag(flag: string, value: string): string | null {
  if (["ingen", "none", "-"].includes(value.trim().toLowerCase())) return null;
  const code = normaliseClassCode(value);
  if (!code) throw new UsageError("usage.badClassCode", { flag, value });
  return code;
}

/** --period, or --from with --to; a usage error naming what is missing or malformed. */
export function parsePeriodFlags(o: { period?: string; from?: string; to?: string }): Period {
  if (o.period !== undefined && (o.from !== undefined || o.to !== undefined)) throw new UsageError("usage.periodBoth", {});
  if (o.period !== undefined) {
    const p = parsePeriod(o.period);
    if (!p) throw new UsageError("usage.periodBad", { value: o.period });
    return p;
  }
  if (o.from === undefined && o.to === undefined) throw new UsageError("usage.periodMissing", {});
  requireFlags(o, [["from", "--from"], ["to", "--to"]]);
  const from = parseDateFlag("--from", o.from!);
  const to = parseDateFlag("--to", o.to!);
  const p = rangePeriod(from, to);
  if (!p) throw new UsageError("usage.rangeOrder", { from, to });
  return p;
}
