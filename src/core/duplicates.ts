// Double reporting (seed 002): the same event reported twice, typically once by each party. Pure matching
// rules, no I/O; the store finds the candidates (same counterpart, close event dates) and the keyed hashes
// of the persons involved. Personnummer are compared only by their keyed hash, never in clear.

import { daysBetween, type IsoDate } from "./dates.js";

/** Event dates at most this many days apart count as close. */
export const DUPLICATE_WINDOW_DAYS = 3;

/**
 * A case's candidates are its this many nearest in time (then the nearest in registration order): a cluster of cases naming one
 * person within the window (a test export full of one test person, a placeholder number) gives each case
 * its nearest few instead of all the others, whose number grows with the square of the cluster.
 */
export const PAIRS_PER_CASE = 10;

/** Texts at least this similar (Dice coefficient over word stems) count as similar. */
export const SIMILAR_TEXT = 0.5;

export const DUPLICATE_REASONS = ["samePerson", "closeDates", "sameProviders", "sameArea", "similarText"] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

export interface DuplicateCandidate {
  id: number;
  counterpartId: string;
  eventDate: IsoDate;
  area: string;
  summary: string;
  description: string | null;
  /** Keyed hashes (HMAC) of the personnummer of the persons involved. */
  personHashes: readonly string[];
}

// Short words that say nothing about the event.
const STOP = new Set(
  "och att det som för med till från utan vid har hade var inte den detta efter inför under över eller men när där ett en the and".split(" "),
);

/** Word stems of a text: lower case, letters and digits, words of three letters or more, cut to six letters. */
export function stems(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().normalize("NFC").split(/[^\p{L}\p{N}]+/u)) {
    if (w.length < 3 || STOP.has(w)) continue;
    out.add(w.slice(0, 6));
  }
  return out;
}

/** Dice coefficient of the word stems: 1 for the same words, 0 for none in common. */
export function textSimilarity(a: string, b: string): number {
  const x = stems(a);
  const y = stems(b);
  if (x.size === 0 || y.size === 0) return 0;
  let both = 0;
  for (const s of x) if (y.has(s)) both++;
  return (2 * both) / (x.size + y.size);
}

function similarity(a: DuplicateCandidate, b: DuplicateCandidate): number {
  const summaries = textSimilarity(a.summary, b.summary);
  const whole = textSimilarity(`${a.summary} ${a.description ?? ""}`, `${b.summary} ${b.description ?? ""}`);
  return Math.max(summaries, whole);
}

export interface DuplicateMatch {
  reasons: DuplicateReason[];
  /** Days between the event dates. */
  days: number;
  /** Text similarity from 0 to 1 (two decimals). */
  similarity: number;
}

/**
 * Whether two cases probably describe the same event, and why. Required: the same pair of providers and
 * event dates within a few days. Then, when both name persons, they must share one (different persons are
 * different events) and also have the same area or similar text; when either names nobody, both the same
 * area and similar text are required.
 */
export function matchDuplicate(a: DuplicateCandidate, b: DuplicateCandidate): DuplicateMatch | null {
  if (a.id === b.id) return null;
  if (a.counterpartId !== b.counterpartId) return null;
  const days = Math.abs(daysBetween(a.eventDate, b.eventDate));
  if (days > DUPLICATE_WINDOW_DAYS) return null;
  const sim = similarity(a, b);
  const sameArea = a.area === b.area;
  const similarText = sim >= SIMILAR_TEXT;
  const bothNamePersons = a.personHashes.length > 0 && b.personHashes.length > 0;
  const samePerson = bothNamePersons && a.personHashes.some((h) => b.personHashes.includes(h));
  if (bothNamePersons && !samePerson) return null;
  if (samePerson ? !(sameArea || similarText) : !(sameArea && similarText)) return null;
  const reasons: DuplicateReason[] = [];
  if (samePerson) reasons.push("samePerson");
  reasons.push("closeDates", "sameProviders");
  if (sameArea) reasons.push("sameArea");
  if (similarText) reasons.push("similarText");
  return { reasons, days, similarity: Math.round(sim * 100) / 100 };
}
