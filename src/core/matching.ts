// Finding our diary numbers and other systems' case numbers in the text of a reply (a scan, an OCR text
// layer, a PDF from another writer). Pure: the store decides which of the references name real cases.
//
// What OCR and other writers do to a reference, and what we accept:
//   spaces or line breaks around the separator ("2026 - 000012", "2026-\n000012"), en/em dashes, dropped or
//   extra leading zeros ("2026-12"), a line break inside the digits ("2026-0000\n12"), a slash for the hyphen
//   right after a label naming the reader's number ("Er ref. 2026/000012"; after "Dnr" alone it is as often the
//   writer's own), labels such as
//   "Dnr", "Ert dnr", "Ert ärende", "Ärende nr", "Avvikelsenummer", "Er beteckning", "Referens", "Vår ref", and system names ("Synergi 45678",
//   "Synergiärende 45678", "Synergi nr 45678", "MedControl PRO 123").
// What we refuse: numbers inside longer digit runs (personnummer, phone numbers), dates ("2026-03-10"),
//   and a short sequence ("2026-12") unless a label says it is a reference.

import type { DiaryTemplate } from "./diaryNumber.js";

/** How sure we are that a found reference was written as a reference to a case. */
export type Strength = "qr" | "labelled" | "bare";

export interface DiaryCandidate {
  kind: "diary";
  year: number;
  seq: number;
  /** The text as found, whitespace collapsed. */
  text: string;
  strength: Strength;
}

export interface ExternalCandidate {
  kind: "external";
  /** Lower-case system code (synergi, medcontrol, treserva, samsa), or null when only a label named it. */
  system: string | null;
  id: string;
  text: string;
  strength: Strength;
}

export type RefCandidate = DiaryCandidate | ExternalCandidate;

/** System names as other writers spell them, mapped to the codes used in `--ref SYSTEM:ID`. */
const SYSTEMS: Array<{ code: string; pattern: string }> = [
  { code: "synergi", pattern: "synerg[il1|](?:a?[\\s-]*[äa]rende)?" },
  { code: "medcontrol", pattern: "med[\\s-]?control(?:[\\s-]*pro)?" },
  { code: "treserva", pattern: "treserva" },
  { code: "samsa", pattern: "samsa" },
  { code: "lifecare", pattern: "lifecare" },
];

/** "nr", "nummer", "ärendenummer", "ärende nr", "id", "n:o" after a system name. */
const NUMBER_WORD = "(?:[\\s-]*(?:ärende)?(?:nummer|nr|n:o|id)\\.?)?";
const AFTER_LABEL = "[\\s.:#|]*";

/** Labels before a reference. "Ert/Er" (yours) in a reply from the counterpart means our number. */
const LABELS = [
  "ert\\s+dnr",
  "ert\\s+diarienr",
  "ert\\s+ärende(?:nr|nummer|\\s+nr)?",
  "ert\\s+avvikelse(?:nr|nummer|\\s+nr)",
  "v[åaä]rt\\s+diarienr",
  "v[åaä]rt\\s+ärende(?:nr|nummer|\\s+nr)?",
  "v[åaä]rt\\s+avvikelse(?:nr|nummer|\\s+nr)",
  "ärende(?:nr|\\s+nr)",
  "avvikelse(?:nr|nummer|\\s+nr)",
  "er\\s+beteckning",
  "er\\s+ref(?:erens)?",
  "ert\\s+diarienummer",
  "ert\\s+ärendenummer",
  "v[åaä]rt\\s+dnr",
  "v[åaä]r\\s+beteckning",
  "v[åaä]r\\s+ref(?:erens)?",
  "v[åaä]rt\\s+diarienummer",
  "v[åaä]rt\\s+ärendenummer",
  "diarienummer",
  "diarienr",
  "dnr",
  "referens",
  "ärendenummer",
  "beteckning",
];

function withoutDigitNeighbours(source: string): string {
  return `(?<![\\d])(?:${source})(?![\\d])`;
}

/** Whose number a label introduces: the writer's ("Vårt dnr"), the reader's, ours ("Ert dnr", "Er ref."), or either ("Dnr"). */
type LabelOf = "writer" | "reader" | "neutral";

/** A compiled matcher for one diary template (build once, reuse for every file). */
export class ReferenceMatcher {
  private readonly diary: RegExp;
  /** The same, with a slash for a hyphen: only right after a label that names the reader's number ("Er ref."). */
  private readonly diarySlashed: RegExp;
  private readonly labelled: RegExp;
  private readonly system: RegExp;
  private readonly seqWidth: number;
  private readonly strictLiteral: boolean;
  /** Our diary format exactly (full width), for telling an OCR token that is one of our numbers. */
  private readonly exact: RegExp;
  /** Labels and system names that introduce a reference, for the OCR corrections. */
  private readonly introducer: RegExp;
  /** The letters a format puts before its numbers ("VOK " of "VOK {year}-{seq}"), at the end of a text. */
  private readonly leadLiteral: RegExp | null;

  constructor(template: DiaryTemplate) {
    const pattern = template.searchPattern();
    // A date (2026-03-10) is not a diary number: refuse a match followed by another separator and a day (one or
    // two digits). Not more digits than a day has: "Ert dnr 2026-000003 · 601 82 Norrköping", its "·" read "-".
    this.diary = new RegExp(`${withoutDigitNeighbours(pattern)}(?![ \\t]*[-\\u2010-\\u2015\\u2212/.][ \\t]*\\d{1,2}(?!\\d))`, "giu");
    this.diarySlashed = new RegExp(`${withoutDigitNeighbours(template.searchPattern({ slashForDash: true }))}(?![ \\t]*[-\\u2010-\\u2015\\u2212/.][ \\t]*\\d{1,2}(?!\\d))`, "giu");
    this.labelled = new RegExp(`(?<![\\p{L}])(?:${LABELS.join("|")})(?![\\p{L}])${AFTER_LABEL}`, "giu");
    this.system = new RegExp(`(?<![\\p{L}])(${SYSTEMS.map((s) => `(?:${s.pattern})`).join("|")})${NUMBER_WORD}${AFTER_LABEL}(\\d{1,12})(?![\\d])`, "giu");
    const m = /\{seq:(\d+)\}/.exec(template.source);
    this.seqWidth = m ? Number(m[1]) : 0;
    // A template with letters of its own ("VOK {year}-{seq}") is a reference wherever it appears.
    this.strictLiteral = /\p{L}/u.test(template.source.replace(/\{[^}]*\}/g, ""));
    this.exact = new RegExp(`^${exactPattern(template.source)}$`, "iu");
    const lead = /^([^{]*\p{L}[^{]*)\{/u.exec(template.source)?.[1];
    this.leadLiteral = lead ? new RegExp(`${lead.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s*")}\\s*$`, "iu") : null;
    this.introducer = new RegExp(`(?<![\\p{L}])(?:${[...LABELS, ...SYSTEMS.map((x) => x.pattern)].join("|")})${NUMBER_WORD}[\\s.:#]*$`, "iu");
  }

  /**
   * References in a text read by OCR: those of the text as it was read, and those found once the characters
   * OCR confuses (O/0, l/I/1, S/5, B/8, odd dashes) are put right, but only inside a reference token: a run of
   * digits and such characters right after a label ("Ert dnr", "Referens:", "Synergiärende", …) or one that is
   * our diary format exactly. Everything else of the text is left as it was read.
   */
  findOcr(read: string): RefCandidate[] {
    // A "|" standing alone is a table's border read, never a digit (a 1 read as "|" stands among digits).
    const text = mendLabels(read).replace(/(?<=^|\s)\|+(?=\s|$)/gu, " ");
    const corrected = text.replace(OCR_TOKEN, (token: string, offset: number) => {
      let before = text.slice(Math.max(0, offset - 60), offset);
      // A format with letters before its numbers ("VOK {year}-{seq}"): the letters belong to the token.
      const lead = this.leadLiteral ? this.leadLiteral.exec(before) : null;
      if (lead) before = before.slice(0, before.length - lead[0].length);
      const whole = (t: string) => this.exact.test(`${lead ? lead[0] : ""}${t}`.trim());
      let fixed = correctToken(token);
      // A hyphen OCR lost ("2026 000012"): put back where that makes our diary format exactly.
      if (!whole(fixed)) {
        const dashed = fixed.replace(/(\d) +(?=\d)/g, "$1-");
        if (whole(dashed)) fixed = dashed;
      }
      if (fixed === token) return token;
      const digits = (token.match(/\d/g) ?? []).length;
      if (this.introducer.test(before) && digits >= 2) return fixed;
      if (digits >= 4 && whole(fixed)) return fixed;
      return token;
    });
    // Only the text as put right: a token read "4567B" is 45678, never also 4567.
    return this.find(corrected);
  }

  /**
   * Whether a reference found by OCR was read exactly as our diary format writes it: a diary number at its full
   * width, present in the text as read (no character of it put right).
   */
  readExactly(c: RefCandidate, text: string): boolean {
    if (c.kind !== "diary") return false;
    return this.exact.test(c.text) && text.replace(/\s+/g, " ").includes(c.text);
  }

  /** Every reference found in `text`, strongest first, without duplicates. */
  find(text: string, strength: Strength = "bare"): RefCandidate[] {
    const found: RefCandidate[] = [];
    const labelEnds = this.labelEnds(text);
    this.findDiary(text, labelEnds, strength, found);
    // A line break inside the digits: join digit runs split by one line break and look again.
    const joined = text.replace(/(\d)[ \t]*\r?\n[ \t]*(\d)/g, "$1$2");
    if (joined !== text) this.findDiary(joined, this.labelEnds(joined), strength, found);
    this.findSystems(text, strength, found);
    this.findLabelledOther(text, strength, found);
    return dedupe(found);
  }

  /**
   * Positions right after each label (where a labelled reference starts), mapped to whose number the label
   * names: the writer's ("Vårt dnr", "Vår ref": in a reply from the counterpart, theirs), the reader's ("Ert dnr",
   * "Er ref.": ours), or either ("Dnr").
   */
  private labelEnds(text: string): Map<number, LabelOf> {
    const ends = new Map<number, LabelOf>();
    this.labelled.lastIndex = 0;
    for (let m = this.labelled.exec(text); m; m = this.labelled.exec(text)) {
      ends.set(m.index + m[0].length, /^v[åaä]r/iu.test(m[0]) ? "writer" : /^er/iu.test(m[0]) ? "reader" : "neutral");
    }
    return ends;
  }

  private findDiary(text: string, labelEnds: Map<number, LabelOf>, base: Strength, out: RefCandidate[]): void {
    this.findDiaryWith(this.diary, text, labelEnds, base, out);
    // "Er ref. 2026/000012": our number retyped with a slash, taken only where the label says it is the reader's
    // (after "Dnr" alone a number with a slash is as often the writer's own, as authorities write theirs).
    if ([...labelEnds.values()].includes("reader")) this.findDiaryWith(this.diarySlashed, text, labelEnds, base, out, "reader");
  }

  /** The matches of `pattern`; with `onlyAfter`, only those right after a label of that kind. */
  private findDiaryWith(pattern: RegExp, text: string, labelEnds: Map<number, LabelOf>, base: Strength, out: RefCandidate[], onlyAfter?: LabelOf): void {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (onlyAfter && labelEnds.get(m.index) !== onlyAfter) continue;
      const g = m.groups ?? {};
      const year = g.year ? Number(g.year) : 2000 + Number(g.yy);
      const seqText = g.seq ?? "";
      const seq = Number(seqText);
      if (!Number.isFinite(year) || !seqText || seq <= 0) continue;
      if (labelEnds.get(m.index) === "writer") continue; // "Vårt dnr 2026-000012": the writer's number, not ours
      const labelled = labelEnds.has(m.index) || base === "qr";
      const full = seqText.length >= this.seqWidth || this.strictLiteral;
      if (!labelled && !full) continue; // "2026-12" on its own is too weak to be a reference
      out.push({ kind: "diary", year, seq, text: m[0].replace(/\s+/g, " ").trim(), strength: base === "qr" ? "qr" : labelled ? "labelled" : "bare" });
    }
  }

  private findSystems(text: string, base: Strength, out: RefCandidate[]): void {
    this.system.lastIndex = 0;
    for (let m = this.system.exec(text); m; m = this.system.exec(text)) {
      const name = (m[1] ?? "").toLowerCase();
      const code = SYSTEMS.find((s) => new RegExp(`^(?:${s.pattern})$`, "iu").test(name))?.code ?? null;
      out.push({ kind: "external", system: code, id: stripZeros(m[2] ?? ""), text: m[0].replace(/\s+/g, " ").trim(), strength: base === "qr" ? "qr" : "labelled" });
    }
  }

  /** "Ert dnr: 45678" or "Vår referens 2026/0412": a labelled value that is not one of our diary numbers. */
  private findLabelledOther(text: string, base: Strength, out: RefCandidate[]): void {
    this.labelled.lastIndex = 0;
    for (let m = this.labelled.exec(text); m; m = this.labelled.exec(text)) {
      const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 40);
      const v = /^([A-Za-zÅÄÖåäö]{0,6}[\s-]?)?(\d[\d\s/–-]{0,20}\d|\d)(?![\d])/u.exec(rest);
      if (!v) continue;
      const value = (v[0] ?? "").trim();
      const digits = value.replace(/\D/g, "");
      if (digits.length < 2) continue;
      out.push({ kind: "external", system: null, id: value.replace(/\s+/g, " "), text: `${m[0].trim()} ${value}`, strength: base === "qr" ? "qr" : "labelled" });
    }
  }
}

/**
 * The long words that introduce a reference (labels, system names), which OCR misreads by a letter
 * ("Bynergiärende", "Refercns") on a fax or a noisy copy. Short ones ("dnr", "Er ref") are not mended: a
 * letter off makes them other words.
 */
const LABEL_WORDS = [
  "synergi",
  "synergiärende",
  "synergiärendenummer",
  "medcontrol",
  "treserva",
  "lifecare",
  "referens",
  "diarienummer",
  "diarienr",
  "ärendenummer",
  "ärendenr",
  "avvikelsenummer",
  "avvikelsenr",
  "beteckning",
];

/** Levenshtein distance of a and b, or `max + 1` once it is known to be more than `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      low = Math.min(low, cur[j]!);
    }
    if (low > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * A text read by OCR with its label words put right where one letter of them (two of a word of 12 letters or
 * more) was misread: "Bynergiärende 45678" is "Synergiärende 45678". Only words of 7 letters or more that are
 * no label word themselves; the reference after the label must still name a case to match.
 */
export function mendLabels(text: string): string {
  return text.replace(/\p{L}{7,}/gu, (word) => {
    const lower = word.toLowerCase();
    if (LABEL_WORDS.includes(lower)) return word;
    const max = lower.length >= 12 ? 2 : 1;
    let best: string | undefined;
    let bestD = max + 1;
    for (const label of LABEL_WORDS) {
      const d = distance(lower, label, max);
      if (d < bestD) [best, bestD] = [label, d];
      else if (d === bestD && d <= max) best = undefined; // as near two labels: neither
    }
    return best ?? word;
  });
}

/** A run of digits and the characters OCR reads for digits, with dashes, slashes and single spaces inside. */
const OCR_TOKEN = /(?<![\p{L}\p{N}])[0-9OoIl|SB](?:[0-9OoIl|SB/\u2010-\u2015\u2212~_:-]| (?=[0-9OoIl|SB/\u2010-\u2015\u2212~_:-])){1,24}(?![\p{L}\p{N}])/gu;

/** The characters OCR confuses with digits, and the dashes it makes of a hyphen, put right. */
function correctToken(token: string): string {
  return token.replace(/[OoIl|SB\u2010-\u2015\u2212~_:]/g, (c) => {
    if (c === "O" || c === "o") return "0";
    if (c === "I" || c === "l" || c === "|") return "1";
    if (c === "S") return "5";
    if (c === "B") return "8";
    return "-";
  });
}

/** The diary template as a pattern matching its numbers exactly (the sequence at its full width). */
function exactPattern(source: string): string {
  return source.replace(/\{(year|yy|seq)(?::(\d+))?\}|([^{]+)/g, (_m, token: string | undefined, width: string | undefined, literal: string | undefined) => {
    if (literal !== undefined) return literal.split("").map((ch) => (ch === "-" ? "\\s*[-\u2010-\u2015\u2212]\\s*" : /\s/.test(ch) ? "\\s*" : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
    if (token === "year") return "(?:19|20)\\d{2}";
    if (token === "yy") return "\\d{2}";
    return width ? `\\d{${width}}` : "\\d{1,12}";
  });
}

function stripZeros(id: string): string {
  return id.replace(/^0+(?=\d)/, "");
}

const RANK: Record<Strength, number> = { qr: 0, labelled: 1, bare: 2 };

function key(c: RefCandidate): string {
  return c.kind === "diary" ? `d:${c.year}:${c.seq}` : `e:${c.system ?? "*"}:${c.id}`;
}

function dedupe(list: RefCandidate[]): RefCandidate[] {
  const best = new Map<string, RefCandidate>();
  for (const c of list) {
    const k = key(c);
    const prev = best.get(k);
    if (!prev || RANK[c.strength] < RANK[prev.strength]) best.set(k, c);
  }
  return [...best.values()].sort((a, b) => RANK[a.strength] - RANK[b.strength]);
}

export interface Resolved<T> {
  candidate: RefCandidate;
  caseId: T;
}

export type MatchOutcome<T> =
  | { kind: "match"; caseId: T; by: RefCandidate }
  | { kind: "ambiguous"; caseIds: T[]; by: RefCandidate[] }
  | { kind: "none"; found: RefCandidate[] };

/**
 * Decides from references that were looked up in the register. The strongest kind of evidence that names
 * any case decides: a QR code over a labelled reference over a bare number. Exactly one case at that level
 * is a match; several are ambiguous (the caller lists them); none is no match.
 */
export function decide<T>(found: RefCandidate[], resolved: Array<Resolved<T>>): MatchOutcome<T> {
  for (const level of ["qr", "labelled", "bare"] as const) {
    const here = resolved.filter((r) => r.candidate.strength === level);
    if (here.length === 0) continue;
    const ids = [...new Set(here.map((r) => r.caseId))];
    if (ids.length === 1) return { kind: "match", caseId: ids[0]!, by: here[0]!.candidate };
    return { kind: "ambiguous", caseIds: ids, by: here.map((r) => r.candidate) };
  }
  return { kind: "none", found };
}

/** A word as OCR read it, with its confidence (0–100). */
export interface ReadWord {
  text: string;
  confidence: number;
}

/** Below this confidence a word OCR read is not sure enough to be the only ground of a match. */
export const UNSURE_WORD = 70;

/** The digits a reference is made of ("2026-000012" → 2026000012; Synergi 45678 → 45678). */
function digitsOf(c: RefCandidate): string {
  return (c.kind === "diary" ? c.text : c.id).replace(/\D/g, "");
}

/**
 * Whether a reference found by OCR rests on a word read with low confidence: a word below UNSURE_WORD whose
 * digits (the characters OCR confuses with digits counted as such) are part of the reference's, or hold it.
 */
export function readUnsurely(c: RefCandidate, words: ReadWord[]): boolean {
  const digits = digitsOf(c);
  if (!digits) return false;
  return words.some((w) => {
    if (w.confidence >= UNSURE_WORD) return false;
    const d = correctToken(w.text).replace(/\D/g, "");
    return d.length >= 2 && (digits.includes(d) || d.includes(digits));
  });
}

export type OcrOutcome<T> =
  | { kind: "match"; caseId: T; by: RefCandidate }
  | { kind: "ambiguous"; caseIds: T[] }
  | { kind: "unsure"; caseId: T; by: RefCandidate[] }
  | { kind: "none" };

/**
 * Decides from references OCR read, looked up in the register. Stricter than for a text layer: every
 * reference that names a case must name the same one, whatever its strength. And a reference read with low
 * confidence (`unsure`) is never the only ground of a match, unless it is `strict` (our diary number read
 * exactly, naming exactly this one case): otherwise the outcome is "unsure", for a person to check.
 */
export function decideOcr<T>(resolved: Array<Resolved<T>>, unsure: (c: RefCandidate) => boolean, strict: (c: RefCandidate) => boolean): OcrOutcome<T> {
  const ids = [...new Set(resolved.map((r) => r.caseId))];
  if (ids.length > 1) return { kind: "ambiguous", caseIds: ids };
  if (ids.length === 0) return { kind: "none" };
  const byStrength = resolved.slice().sort((a, b) => RANK[a.candidate.strength] - RANK[b.candidate.strength]);
  const sure = byStrength.find((r) => !unsure(r.candidate)) ?? byStrength.find((r) => strict(r.candidate));
  if (sure) return { kind: "match", caseId: ids[0]!, by: sure.candidate };
  return { kind: "unsure", caseId: ids[0]!, by: byStrength.map((r) => r.candidate) };
}
