// Statistics for learning from deviations (seed 001: half-year reports to the board). Pure maths, no I/O:
// the store hands over aggregates (counts per combination, a histogram of handling days), never every case.
//
// Definitions (CLI.md section 5):
// - A case belongs to the period in which it was registered (the local date of `registered_at`).
// - A case marked as a duplicate of another (`duplicate_of`) is left out: the event counts once, in the
//   period of the case that was kept.
// - Handling days run from the discovered date to the local date the case became `answered`, over the
//   answered cases of the period.
// - Median: the middle value of the sorted handling days; with an even number of cases, the mean of the
//   two middle values. 90th percentile: the nearest-rank definition, the smallest value v such that at
//   least 90 % of the cases took v days or fewer (rank ⌈0.9·n⌉ in the ascending order, 1-based).
// - Share answered within the deadline: cases answered on or before their due date, divided by the cases
//   answered plus the cases still unanswered whose due date has passed; null when that is zero.

import { AREAS, KINDS, SEVERITIES } from "./codes.js";
import { addDays, addMonths, daysBetween, daysInMonth, parseIsoDate, type IsoDate } from "./dates.js";

export type PeriodKind = "half" | "year" | "range";

export interface Period {
  from: IsoDate;
  to: IsoDate;
  /** 2026H1, 2026H2, 2026, or from–to. */
  label: string;
  kind: PeriodKind;
}

/** 2026H1 → 2026-01-01..2026-06-30, 2026H2 → 2026-07-01..2026-12-31, 2026 → the whole year; else undefined. */
export function parsePeriod(text: string): Period | undefined {
  const m = /^\s*((?:19|20)\d{2})\s*(?:([hH])\s*([12]))?\s*$/.exec(text);
  if (!m) return undefined;
  const y = m[1]!;
  if (!m[2]) return { from: `${y}-01-01`, to: `${y}-12-31`, label: y, kind: "year" };
  return m[3] === "1"
    ? { from: `${y}-01-01`, to: `${y}-06-30`, label: `${y}H1`, kind: "half" }
    : { from: `${y}-07-01`, to: `${y}-12-31`, label: `${y}H2`, kind: "half" };
}

/** A period given by two dates (inclusive); undefined when a date is invalid or `from` is after `to`. */
export function rangePeriod(from: string, to: string): Period | undefined {
  const f = parseIsoDate(from);
  const t = parseIsoDate(to);
  if (!f || !t || f > t) return undefined;
  const half = [`${f.slice(0, 4)}-01-01`, `${f.slice(0, 4)}-07-01`];
  if (f.slice(0, 4) === t.slice(0, 4)) {
    const y = f.slice(0, 4);
    if (f === `${y}-01-01` && t === `${y}-12-31`) return { from: f, to: t, label: y, kind: "year" };
    if (f === half[0] && t === `${y}-06-30`) return { from: f, to: t, label: `${y}H1`, kind: "half" };
    if (f === half[1] && t === `${y}-12-31`) return { from: f, to: t, label: `${y}H2`, kind: "half" };
  }
  return { from: f, to: t, label: `${f}–${t}`, kind: "range" };
}

function isFirstOfMonth(d: IsoDate): boolean {
  return d.endsWith("-01");
}

function isLastOfMonth(d: IsoDate): boolean {
  const [y, m, day] = d.split("-").map(Number) as [number, number, number];
  return day === daysInMonth(y, m);
}

/**
 * The period before, for the trend: the previous half-year (2026H1 → 2025H2, 2026H2 → 2026H1), the previous
 * year, a range of whole months → the same number of months before, any other range → the same number of
 * days ending the day before it starts.
 */
export function previousPeriod(p: Period): Period {
  const y = Number(p.from.slice(0, 4));
  if (p.kind === "year") return parsePeriod(String(y - 1))!;
  if (p.kind === "half") return p.from.slice(5) === "01-01" ? parsePeriod(`${y - 1}H2`)! : parsePeriod(`${y}H1`)!;
  if (isFirstOfMonth(p.from) && isLastOfMonth(p.to)) {
    const months = (Number(p.to.slice(0, 4)) - y) * 12 + Number(p.to.slice(5, 7)) - Number(p.from.slice(5, 7)) + 1;
    const from = addMonths(p.from, -months);
    return rangePeriod(from, addDays(p.from, -1))!;
  }
  const days = daysBetween(p.from, p.to);
  const to = addDays(p.from, -1);
  return rangePeriod(addDays(to, -days), to)!;
}

/** A value and how many cases had it, e.g. 12 handling days: 40 cases. */
export type Histogram = ReadonlyArray<readonly [value: number, count: number]>;

function sortedBins(h: Histogram): Array<readonly [number, number]> {
  return h.filter(([, c]) => c > 0).slice().sort((a, b) => a[0] - b[0]);
}

function histogramSize(h: Histogram): number {
  let n = 0;
  for (const [, c] of h) if (c > 0) n += c;
  return n;
}

/** The value at 1-based rank `rank` in the ascending order. */
function valueAtRank(bins: Array<readonly [number, number]>, rank: number): number {
  let seen = 0;
  for (const [v, c] of bins) {
    seen += c;
    if (seen >= rank) return v;
  }
  return bins[bins.length - 1]![0];
}

/** The median (mean of the two middle values when their number is even); null when empty. */
export function median(h: Histogram): number | null {
  const n = histogramSize(h);
  if (n === 0) return null;
  const bins = sortedBins(h);
  if (n % 2 === 1) return valueAtRank(bins, (n + 1) / 2);
  return (valueAtRank(bins, n / 2) + valueAtRank(bins, n / 2 + 1)) / 2;
}

/** The p-th percentile by nearest rank: the value at rank ⌈p/100 · n⌉ (at least 1); null when empty. */
export function percentileNearestRank(h: Histogram, p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} outside (0, 100]`);
  const n = histogramSize(h);
  if (n === 0) return null;
  // Guard against 0.9 * 10 = 9.000000000000002 and the like.
  const rank = Math.max(1, Math.ceil(Number(((p / 100) * n).toFixed(9))));
  return valueAtRank(sortedBins(h), rank);
}

/** Values to a histogram (for tests and small lists). */
export function histogramOf(values: readonly number[]): Histogram {
  const map = new Map<number, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return [...map.entries()];
}

/** A share from 0 to 1 rounded to four decimals; null when there is nothing to divide by. */
export function share(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10_000) / 10_000;
}

/** One combination of the dimensions with its counts, as aggregated by the store for one period. */
export interface CubeRow {
  area: string;
  kind: string;
  severity: string | null;
  counterpartId: string;
  unitId: string | null;
  count: number;
  /** Answered (with a known answer date). */
  answered: number;
  /** Answered on or before the due date. */
  answeredOnTime: number;
  /** Not answered and the due date has passed (as of today). */
  unansweredOverdue: number;
}

/** The key used for a missing severity or unit in the count maps. */
export const NONE_KEY = "-";

export type Counts = Record<string, number>;

export interface DeadlineFigures {
  answered: number;
  answeredOnTime: number;
  answeredLate: number;
  unansweredOverdue: number;
  share: number | null;
}

export interface PairCount {
  area: string;
  counterpart: string;
  count: number;
}

export interface PeriodFigures {
  from: IsoDate;
  to: IsoDate;
  label: string;
  total: number;
  byArea: Counts;
  byKind: Counts;
  bySeverity: Counts;
  byCounterpart: Counts;
  byUnit: Counts;
  handlingDays: { median: number | null; p90: number | null; count: number };
  answeredWithinDeadline: number | null;
  deadline: DeadlineFigures;
  /** Share within the deadline for each counterpart (null where nothing was due). */
  withinDeadlineByCounterpart: Record<string, number | null>;
  /** The counts behind it, per counterpart. */
  deadlineByCounterpart: Record<string, DeadlineFigures>;
  /** The most frequent pairs of area and counterpart, most frequent first. */
  topPairs: PairCount[];
  /** Cases per month of registration (YYYY-MM), every month of the period, zeros included. */
  byMonth: Counts;
  /** Cases by direction: reported to others (out) and reported to us (in). */
  byDirection: { in: number; out: number };
  /** Per counterpart (as in `byCounterpart`): the cases we reported to it (out) and it reported to us (in). */
  byCounterpartDirection: Record<string, { in: number; out: number }>;
  /** Handling days per counterpart, over its answered cases of the period. */
  handlingDaysByCounterpart: Record<string, { median: number | null; p90: number | null; count: number }>;
}

/** The months (YYYY-MM) a period touches, in order: a period starting or ending mid-month includes that month. */
export function monthsOf(from: IsoDate, to: IsoDate): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    if (key > last) return out;
    out.push(key);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
}

function zeroCounts(codes: readonly string[]): Counts {
  return Object.fromEntries(codes.map((c) => [c, 0]));
}

function add(map: Counts, key: string, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

/** Sorts a count map: largest first, then by key; keeps fixed code lists in their own order when asked. */
export function sortedCounts(map: Counts, fixedOrder?: readonly string[]): Array<[string, number]> {
  const entries = Object.entries(map);
  if (fixedOrder) {
    const rank = (k: string) => {
      const i = fixedOrder.indexOf(k);
      return i < 0 ? fixedOrder.length : i;
    };
    return entries.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
  }
  return entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "sv"));
}

/** What one deadline judgement needs for one counterpart. */
export interface DeadlineCounts {
  answered: number;
  answeredOnTime: number;
  unansweredOverdue: number;
}

/**
 * The aggregates of one period as the store gives them: counts per code of each dimension, per pair of area
 * and counterpart (key `area|counterpart`), and the deadline counts per counterpart.
 */
export interface Margins {
  byArea: Counts;
  byKind: Counts;
  bySeverity: Counts;
  byCounterpart: Counts;
  byUnit: Counts;
  pairs: Counts;
  deadline: Record<string, DeadlineCounts>;
  /** Per month of registration (YYYY-MM). */
  byMonth: Counts;
  /** Per direction and counterpart, key `direction|counterpart`. */
  flows: Counts;
}

export function emptyMargins(): Margins {
  return { byArea: {}, byKind: {}, bySeverity: {}, byCounterpart: {}, byUnit: {}, pairs: {}, deadline: {}, byMonth: {}, flows: {} };
}

export function addDeadline(m: Margins, counterpartId: string, d: Partial<DeadlineCounts>): void {
  const cur = (m.deadline[counterpartId] ??= { answered: 0, answeredOnTime: 0, unansweredOverdue: 0 });
  cur.answered += d.answered ?? 0;
  cur.answeredOnTime += d.answeredOnTime ?? 0;
  cur.unansweredOverdue += d.unansweredOverdue ?? 0;
}

/** Margins from counts per combination of the dimensions (the store adds the months and flows). */
export function marginsFromCube(cube: readonly CubeRow[]): Margins {
  const m = emptyMargins();
  for (const r of cube) {
    add(m.byArea, r.area, r.count);
    add(m.byKind, r.kind, r.count);
    add(m.bySeverity, r.severity ?? NONE_KEY, r.count);
    add(m.byCounterpart, r.counterpartId, r.count);
    add(m.byUnit, r.unitId ?? NONE_KEY, r.count);
    add(m.pairs, `${r.area}|${r.counterpartId}`, r.count);
    addDeadline(m, r.counterpartId, r);
  }
  return m;
}

/** Adds histograms together. */
export function mergeHistograms(list: Iterable<Histogram>): Histogram {
  const map = new Map<number, number>();
  for (const h of list) for (const [v, c] of h) map.set(v, (map.get(v) ?? 0) + c);
  return [...map.entries()].sort((a, b) => a[0] - b[0]);
}

function handlingFigures(h: Histogram): { median: number | null; p90: number | null; count: number } {
  return { median: median(h), p90: percentileNearestRank(h, 90), count: histogramSize(h) };
}

/** Builds the figures of one period from the store's aggregates (handling days: a histogram per counterpart). */
export function periodFigures(period: Period, m: Margins, handlingByCounterpart: Record<string, Histogram>, topPairs = 10): PeriodFigures {
  const handling = mergeHistograms(Object.values(handlingByCounterpart));
  const positive = (c: Counts) => Object.fromEntries(Object.entries(c).filter(([, n]) => n !== 0));
  const byArea = { ...zeroCounts(AREAS), ...positive(m.byArea) };
  const byKind = { ...zeroCounts(KINDS), ...positive(m.byKind) };
  const bySeverity = { ...zeroCounts(SEVERITIES), [NONE_KEY]: 0, ...positive(m.bySeverity) };
  let total = 0;
  for (const n of Object.values(m.byArea)) total += n;
  let answered = 0;
  let onTime = 0;
  let overdue = 0;
  const withinDeadlineByCounterpart: Record<string, number | null> = {};
  const deadlineByCounterpart: Record<string, DeadlineFigures> = {};
  for (const [id, d] of Object.entries(m.deadline).sort((a, b) => a[0].localeCompare(b[0]))) {
    answered += d.answered;
    onTime += d.answeredOnTime;
    overdue += d.unansweredOverdue;
    if (d.answered + d.unansweredOverdue > 0 || (m.byCounterpart[id] ?? 0) > 0) {
      const s = share(d.answeredOnTime, d.answered + d.unansweredOverdue);
      withinDeadlineByCounterpart[id] = s;
      deadlineByCounterpart[id] = { answered: d.answered, answeredOnTime: d.answeredOnTime, answeredLate: d.answered - d.answeredOnTime, unansweredOverdue: d.unansweredOverdue, share: s };
    }
  }
  const sharePart = share(onTime, answered + overdue);
  const pairs: PairCount[] = Object.entries(positive(m.pairs)).map(([key, count]) => {
    const i = key.indexOf("|");
    return { area: key.slice(0, i), counterpart: key.slice(i + 1), count };
  });
  const byCounterpart = Object.fromEntries(sortedCounts(positive(m.byCounterpart)));
  const byDirection = { in: 0, out: 0 };
  const byCounterpartDirection: Record<string, { in: number; out: number }> = Object.fromEntries(Object.keys(byCounterpart).map((id) => [id, { in: 0, out: 0 }]));
  for (const [key, n] of Object.entries(m.flows)) {
    const i = key.indexOf("|");
    const d = key.slice(0, i);
    if (d !== "in" && d !== "out") continue;
    byDirection[d] += n;
    const row = byCounterpartDirection[key.slice(i + 1)];
    if (row) row[d] += n;
  }
  const handlingDaysByCounterpart = Object.fromEntries(
    Object.entries(handlingByCounterpart)
      .filter(([, h]) => histogramSize(h) > 0)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([id, h]) => [id, handlingFigures(h)]),
  );
  return {
    from: period.from,
    to: period.to,
    label: period.label,
    total,
    byArea,
    byKind,
    bySeverity,
    byCounterpart,
    byUnit: Object.fromEntries(sortedCounts(positive(m.byUnit))),
    handlingDays: handlingFigures(handling),
    answeredWithinDeadline: sharePart,
    deadline: { answered, answeredOnTime: onTime, answeredLate: answered - onTime, unansweredOverdue: overdue, share: sharePart },
    withinDeadlineByCounterpart,
    deadlineByCounterpart,
    topPairs: pairs
      .sort((a, b) => b.count - a.count || a.area.localeCompare(b.area) || a.counterpart.localeCompare(b.counterpart))
      .slice(0, Math.max(0, topPairs)),
    byMonth: Object.fromEntries(monthsOf(period.from, period.to).map((month) => [month, m.byMonth[month] ?? 0])),
    byDirection,
    byCounterpartDirection,
    handlingDaysByCounterpart,
  };
}

/** True when a period is made of whole calendar months (half-years and years are). */
export function isWholeMonths(p: { from: IsoDate; to: IsoDate }): boolean {
  return isFirstOfMonth(p.from) && isLastOfMonth(p.to);
}

/** How many months before a period its run chart shows: 24 months in all, at least 12 before it. */
export function historyMonths(p: { from: IsoDate; to: IsoDate }): string[] {
  const months = monthsOf(p.from, p.to).length;
  const before = Math.min(24, Math.max(12, 24 - months));
  const first = addMonths(`${p.from.slice(0, 7)}-01`, -before);
  return monthsOf(first, addDays(`${p.from.slice(0, 7)}-01`, -1));
}

/** The change from the previous period: a difference of counts, and of shares in percentage points. */
export function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  return Math.round((current - previous) * 10_000) / 10_000;
}

// --- the report as a whole, and how its figures are shown ---------------------------------------------

/** The statistics of a period with the previous period beside them (what `stats --json` prints). */
export interface StatsReport extends PeriodFigures {
  /** Unanswered cases are judged overdue as of this day. */
  asOf: IsoDate;
  organisation: { id: string; name: string };
  /** Names of the counterparts and units in the count maps, by id. */
  names: Record<string, string>;
  previous: PeriodFigures;
  /** Cases per month in the months before the period (the run chart's history, see `historyMonths`). */
  history: Counts;
  /** Cases not yet answered at `asOf`, however old, and of them those past their due date: in all and per counterpart. */
  open: { open: number; overdue: number };
  openByCounterpart: Record<string, { open: number; overdue: number }>;
  /** Current minus previous: counts, days, and the share as a fraction (0.1 = 10 percentage points). */
  trend: { total: number; handlingDaysMedian: number | null; handlingDaysP90: number | null; answeredWithinDeadline: number | null };
}

export const STATS_DIMENSIONS = ["area", "counterpart", "severity", "kind", "unit"] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

const DIMENSION_KEY: Record<StatsDimension, "byArea" | "byCounterpart" | "bySeverity" | "byKind" | "byUnit"> = {
  area: "byArea",
  counterpart: "byCounterpart",
  severity: "bySeverity",
  kind: "byKind",
  unit: "byUnit",
};

const FIXED_ORDER: Partial<Record<StatsDimension, readonly string[]>> = {
  area: AREAS,
  kind: KINDS,
  severity: [...SEVERITIES, NONE_KEY],
};

export interface BreakdownRow {
  code: string;
  name: string;
  count: number;
  /** Share of the period's total (0..1), null when the period has no cases. */
  share: number | null;
  previous: number;
}

/**
 * One breakdown with the previous period beside it. Codes (area, kind, severity) keep their list order;
 * counterparts and units go largest first. A "not set" row empty in both periods is left out.
 */
export function breakdown(report: StatsReport, dim: StatsDimension, nameOf: (dim: StatsDimension, code: string) => string): BreakdownRow[] {
  const key = DIMENSION_KEY[dim];
  const now: Counts = report[key];
  const before: Counts = report.previous[key];
  const merged: Counts = { ...Object.fromEntries(Object.keys(before).map((k) => [k, 0])), ...now };
  return sortedCounts(merged, FIXED_ORDER[dim])
    .map(([code, count]) => ({ code, name: nameOf(dim, code), count, share: report.total ? count / report.total : null, previous: before[code] ?? 0 }))
    .filter((r) => r.code !== NONE_KEY || r.count > 0 || r.previous > 0);
}

export type NumberLang = "sv" | "en";

/** A number as people read it: Swedish decimal comma and thin grouping, at most `digits` decimals; – for none. */
export function formatNumber(lang: NumberLang, n: number | null, digits = 1): string {
  if (n === null) return "–";
  return new Intl.NumberFormat(lang === "sv" ? "sv-SE" : "en-GB", { maximumFractionDigits: digits }).format(n).replace(/\u2212/g, "-");
}

/** Below this many cases a share is not given as a percentage ("för få"). */
export const MIN_SHARE_BASE = 5;

/** A share with what it rests on: the percentage (unless the base is too small) and the two counts. */
export type ShareParts =
  | { kind: "none" }
  | { kind: "tooFew"; part: string; whole: string }
  | { kind: "share"; share: string; part: string; whole: string };

/** `part` of `whole` for "50 % (1 av 2)": nothing to divide by, too few (below MIN_SHARE_BASE), or a share. */
export function shareParts(lang: NumberLang, part: number, whole: number, fixed = false): ShareParts {
  if (whole <= 0) return { kind: "none" };
  const counts = { part: formatNumber(lang, part, 0), whole: formatNumber(lang, whole, 0) };
  if (whole < MIN_SHARE_BASE) return { kind: "tooFew", ...counts };
  return { kind: "share", share: formatShare(lang, part / whole, fixed), ...counts };
}

/** A share 0..1 as a percentage with one decimal at most (exactly one when `fixed`): "75 %" (sv), "75%" (en). */
export function formatShare(lang: NumberLang, s: number | null, fixed = false): string {
  if (s === null) return "–";
  const v = Math.round(s * 1000) / 10;
  const n = fixed
    ? new Intl.NumberFormat(lang === "sv" ? "sv-SE" : "en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v)
    : formatNumber(lang, v);
  return lang === "sv" ? `${n}\u00a0%` : `${n}%`;
}

/** A change with its sign: +4, -5,5, ±0. */
export function formatSigned(lang: NumberLang, n: number | null, digits = 1): string {
  if (n === null) return "–";
  if (n === 0) return "±0";
  return `${n > 0 ? "+" : ""}${formatNumber(lang, n, digits)}`;
}
