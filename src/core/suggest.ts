// "Menade du 'show'?": the nearest of a list of valid words to what was typed, by edit distance.

import { foldWord } from "./codes.js";

/** Optimal string alignment distance (Levenshtein with adjacent transpositions: "shwo" → "show" is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array.from({ length: b.length }, () => 0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `typed` (compared without case and diacritics), if it is near enough to be what was
 * meant: at most a third of the word's length wrong (at least one edit), or the typed word is a prefix of
 * exactly one candidate. Undefined when nothing is close or two candidates are equally close.
 */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  const t = foldWord(typed).replace(/^-+/, "");
  if (!t) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  const prefixed: string[] = [];
  for (const c of new Set(candidates)) {
    const f = foldWord(c).replace(/^-+/, "");
    if (f === t) return c;
    if (f.startsWith(t)) prefixed.push(c);
    const dist = editDistance(t, f);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
      tie = false;
    } else if (dist === bestDistance && foldWord(c) !== foldWord(best ?? "")) tie = true;
  }
  const limit = Math.max(1, Math.floor(Math.max(t.length, 3) / 3));
  if (best !== undefined && bestDistance <= limit && !tie) return best;
  if (prefixed.length === 1 && t.length >= 2) return prefixed[0];
  return undefined;
}
