// The half-year report to the board (seed 001: spring and autumn reporting of the most frequent deviations and
// system faults, with the actions taken and proposed). A4, Swedish, printed and read at a meeting: a title page,
// the key figures with their change judged better or worse, a run chart of cases per month, who reported whom,
// kind and severity, handling per counterpart, the coordinator's comments, the tables. Texts come from
// templates/documents/board.json (overridable in the data directory); numbers are set in Swedish typography
// (src/core/typography.ts). Only aggregates: no personal data can reach it. pdfkit is imported when a report is
// written, never when this module is loaded.

import type { CommentBlock } from "../core/comments.js";
import { localDate } from "../core/dates.js";
import {
  MIN_SHARE_BASE,
  NONE_KEY,
  STATS_DIMENSIONS,
  breakdown,
  median,
  histogramOf,
  type BreakdownRow,
  type StatsDimension,
  type StatsReport,
} from "../core/stats.js";
import { svCount, svPercent, svSigned, svValue, DECIMALS } from "../core/typography.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import { FONT, PAGE } from "./layout.js";
import { fill, type BoardTexts } from "./texts.js";

// --- layout (this report's own constants) ----------------------------------------------------------------

/** The report's own margins (wider than a letter's), on the documents' A4 page. */
const MARGIN = { top: 68, bottom: 72, left: 64, right: 64 };
const CONTENT = { left: MARGIN.left, width: PAGE.width - MARGIN.left - MARGIN.right, bottom: PAGE.height - MARGIN.bottom };
const SIZE = { title: 30, subtitle: 17, h1: 15, h2: 11.5, h3: 10.5, body: 10, table: 9.5, small: 8.5, figure: 24 };
const COLOR = {
  text: "#1b1f24",
  muted: "#5b6570",
  rule: "#c8cfd8",
  faint: "#e6eaef",
  band: "#f1f4f8",
  current: "#1f4e79",
  previous: "#a9bcd3",
  accent: "#1f4e79",
  second: "#2a9d8f",
  alarm: "#b3261e",
  alarmLight: "#e8a7a2",
  better: "#1e7b34",
  worse: "#b3261e",
  neutral: "#5b6570",
};
const CHART = { labelWidth: 168, gap: 10, valueWidth: 46, rowGap: 9 };
const MAX_CHART_ROWS = 8;

const t = tSv;

type Doc = PDFKit.PDFDocument;

/** What one rendering uses: the report, the template's texts. */
interface Ctx {
  r: StatsReport;
  tx: BoardTexts;
}

/** The subtitle: "Halvårsrapport, våren 2026" and so on. */
export function reportSubtitle(r: StatsReport, tx: BoardTexts): string {
  const year = r.from.slice(0, 4);
  if (/^\d{4}H1$/.test(r.label)) return fill(tx.subtitle.half1, { year });
  if (/^\d{4}H2$/.test(r.label)) return fill(tx.subtitle.half2, { year });
  if (/^\d{4}$/.test(r.label)) return fill(tx.subtitle.year, { year });
  return fill(tx.subtitle.range, { from: r.from, to: r.to });
}

function nameOf(r: StatsReport): (dim: StatsDimension, code: string) => string {
  return (dim, code) => {
    if (code === NONE_KEY) return t("stats.notSet");
    if (dim === "area" || dim === "kind" || dim === "severity") return t(`${dim}.${code}` as MessageKey);
    return r.names[code] ?? code;
  };
}

/** "91,7 % (1 758 av 1 918)"; below MIN_SHARE_BASE cases "för få (1 av 2)"; "–" when nothing to divide by. */
export function shareOf(tx: BoardTexts, part: number, whole: number): string {
  if (whole <= 0) return "–";
  const counts = { part: svCount(part), whole: svCount(whole) };
  if (whole < MIN_SHARE_BASE) return fill(tx.shares.tooFew, counts);
  return fill(tx.shares.of, { share: svPercent(part / whole), ...counts });
}

/** A share of the period's total in a table whose count is beside it: "30,0 %", or "för få". */
function shareOfTotal(tx: BoardTexts, part: number, whole: number): string {
  if (whole <= 0) return "–";
  if (whole < MIN_SHARE_BASE) return fill(tx.shares.tooFew, { part: svCount(part), whole: svCount(whole) });
  return svPercent(part / whole);
}

/** Both periods' shares within the deadline rest on enough cases to be compared. */
function comparableShares(r: StatsReport): boolean {
  const base = (d: StatsReport["deadline"]) => d.answered + d.unansweredOverdue;
  return base(r.deadline) >= MIN_SHARE_BASE && base(r.previous.deadline) >= MIN_SHARE_BASE;
}

/** A change of a share (a fraction) in percentage points, written out. */
function pointsText(tx: BoardTexts, v: number | null): string {
  return v === null ? "–" : fill(tx.shares.percentagePoints, { n: svSigned(Math.round(v * 1000) / 10, DECIMALS) });
}

// --- tagging: a tagged PDF for the published report (logical reading order, headings, tables, figures with
// alternative text, decoration and page furniture as artifacts). Drawing is synchronous from the first page to
// the footers, so one module-level state serves the document being drawn.

interface Tagger {
  parent: PDFKit.PDFStructureElement;
  /** Inside a leaf element or an artifact: drawing adds no further elements. */
  leaf: boolean;
}
let tagger: Tagger | null = null;

type StructOptions = { alt?: string; scope?: "Row" | "Column" | "Both" };

/** Draws as one structure element (P, H1, TH, TD, Figure …) of the current parent, in reading order. */
function tag(doc: Doc, type: string, draw: () => void, options: StructOptions = {}): void {
  const tg = tagger;
  if (!tg || tg.leaf) return draw();
  tg.leaf = true;
  try {
    tg.parent.add(doc.struct(type, options as PDFKit.Mixins.StructureElementOptions, draw));
  } finally {
    tg.leaf = false;
  }
}

/** A grouping element (Table, TR, L) whose children are added by `fill`. */
function group(doc: Doc, type: string, fill: () => void): void {
  const tg = tagger;
  if (!tg || tg.leaf) return fill();
  const el = doc.struct(type);
  tg.parent.add(el);
  const parent = tg.parent;
  tg.parent = el;
  try {
    fill();
  } finally {
    tg.parent = parent;
    el.end();
  }
}

/** Decoration and page furniture: not read out. */
function artifact(doc: Doc, draw: () => void, type?: "Pagination" | "Layout"): void {
  const tg = tagger;
  if (!tg || tg.leaf) return draw();
  doc.markContent("Artifact", type ? ({ type } as PDFKit.Mixins.MarkingOptions) : undefined);
  tg.leaf = true;
  try {
    draw();
  } finally {
    tg.leaf = false;
    doc.endMarkedContent();
  }
}

// --- small drawing helpers ------------------------------------------------------------------------------

class Cursor {
  y = MARGIN.top;
  constructor(private readonly doc: Doc) {}

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  /** Starts a new page unless `height` still fits. */
  need(height: number): void {
    if (this.y + height > CONTENT.bottom) this.newPage();
  }
}

interface TextOptions {
  size?: number;
  bold?: boolean;
  color?: string;
  width?: number;
  align?: "left" | "right" | "center";
  lineGap?: number;
  tag?: string;
}

function text(doc: Doc, s: string, x: number, y: number, o: TextOptions = {}): number {
  doc.font(o.bold ? FONT.bold : FONT.regular).fontSize(o.size ?? SIZE.body).fillColor(o.color ?? COLOR.text);
  const options = { width: o.width, align: o.align, lineGap: o.lineGap ?? 1.5, lineBreak: o.width !== undefined };
  tag(doc, o.tag ?? "P", () => doc.text(s, x, y, options));
  return doc.heightOfString(s, options);
}

function measure(doc: Doc, s: string, o: { size?: number; bold?: boolean; width?: number; lineGap?: number }): number {
  doc.font(o.bold ? FONT.bold : FONT.regular).fontSize(o.size ?? SIZE.body);
  return doc.heightOfString(s, { width: o.width, lineGap: o.lineGap ?? 1.5 });
}

function widthOf(doc: Doc, s: string, size: number, bold = false): number {
  doc.font(bold ? FONT.bold : FONT.regular).fontSize(size);
  return doc.widthOfString(s);
}

function rule(doc: Doc, x: number, y: number, width: number, color = COLOR.rule, thickness = 0.6): void {
  artifact(doc, () => doc.save().moveTo(x, y).lineTo(x + width, y).lineWidth(thickness).strokeColor(color).stroke().restore());
}

function heading(doc: Doc, c: Cursor, s: string, level: 1 | 2 | 3 = 1, keep = level === 1 ? 120 : 80): void {
  const size = level === 1 ? SIZE.h1 : level === 2 ? SIZE.h2 : SIZE.h3;
  c.need(keep);
  if (level === 1) {
    const h = measure(doc, s, { size, bold: true, width: CONTENT.width });
    text(doc, s, CONTENT.left, c.y, { size, bold: true, color: COLOR.accent, tag: "H1", width: CONTENT.width });
    c.y += h + 3;
    rule(doc, CONTENT.left, c.y, CONTENT.width, COLOR.accent, 1);
    c.y += 12;
  } else {
    const h = measure(doc, s, { size, bold: true, width: CONTENT.width });
    text(doc, s, CONTENT.left, c.y, { size, bold: true, tag: level === 2 ? "H2" : "H3", width: CONTENT.width });
    c.y += h + (level === 2 ? 6 : 4);
  }
}

function intro(doc: Doc, c: Cursor, s: string): void {
  c.y += text(doc, s, CONTENT.left, c.y, { size: SIZE.body - 0.5, color: COLOR.muted, width: CONTENT.width, lineGap: 2 }) + 10;
}

interface Series {
  label: string;
  color: string;
  /** Bar thickness. */
  size: number;
  /** Colour of a highlighted row's bar. */
  alarm?: string;
}

/** A legend of the series, right-aligned on the line at `y`. */
function legend(doc: Doc, series: Series[], y: number): void {
  let x = CONTENT.left + CONTENT.width;
  for (const s of [...series].reverse()) {
    const w = widthOf(doc, s.label, SIZE.small);
    x -= w;
    text(doc, s.label, x, y, { size: SIZE.small, color: COLOR.muted });
    x -= 12;
    artifact(doc, () => doc.save().rect(x, y + 1, 8, 8).fill(s.color).restore());
    x -= 14;
  }
}

/** A round whole step for an axis with at most five intervals. */
export function niceStep(max: number): number {
  if (max <= 5) return 1;
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw && Number.isInteger(m * pow)) return m * pow;
  return 10 * pow;
}

interface ChartRow {
  label: string;
  /** One value per series. */
  values: Array<number | null>;
  /** Drawn in the alarm colour (skada, Röd). */
  highlight?: boolean;
}

interface BarOptions {
  percent?: boolean;
  /** The alternative text (the numbers the chart shows). */
  alt: string;
  fmt: (v: number | null) => string;
}

/**
 * A horizontal bar chart: for each row one bar per series (the first the boldest), the values written beside
 * the bars, a light grid with the axis under it.
 */
function rowHeights(doc: Doc, series: Series[], rows: ChartRow[]): number[] {
  const barBlock = series.reduce((a, s) => a + s.size, 0) + 2 * (series.length - 1);
  return rows.map((row) => Math.max(measure(doc, row.label, { size: SIZE.table, width: CHART.labelWidth }), barBlock));
}

/** The height a bar chart takes with its title. */
function barChartHeight(doc: Doc, series: Series[], rows: ChartRow[]): number {
  return 22 + rowHeights(doc, series, rows).reduce((a, h) => a + h + CHART.rowGap, 0) + 44;
}

function barChart(doc: Doc, c: Cursor, tx: BoardTexts, title: string, series: Series[], rows: ChartRow[], o: BarOptions): void {
  const heights = rowHeights(doc, series, rows);
  c.need(Math.min(barChartHeight(doc, series, rows), CONTENT.bottom - MARGIN.top));
  heading(doc, c, title, 2, 0);
  if (rows.every((row) => row.values.every((v) => v === null))) {
    text(doc, tx.charts.noData, CONTENT.left, c.y, { size: SIZE.body, color: COLOR.muted });
    c.y += 28;
    return;
  }
  tag(doc, "Figure", () => drawBars(doc, c, series, rows, heights, o), { alt: o.alt });
  c.y = chartBottom(c.y, heights) + 26;
}

function chartBottom(y: number, heights: number[]): number {
  return y + heights.reduce((a, h) => a + h + CHART.rowGap, 0) - CHART.rowGap + 4;
}

function drawBars(doc: Doc, c: Cursor, series: Series[], rows: ChartRow[], heights: number[], o: BarOptions): void {
  const barX = CONTENT.left + CHART.labelWidth + CHART.gap;
  const barW = CONTENT.width - CHART.labelWidth - CHART.gap - CHART.valueWidth;
  const startY = c.y;
  legend(doc, series, c.y - 19);
  const max = o.percent ? 100 : Math.max(1, ...rows.flatMap((row) => row.values.map((v) => v ?? 0)));
  const step = o.percent ? 25 : niceStep(max);
  const top = Math.ceil(max / step) * step;
  const scale = (v: number) => (v / top) * barW;
  const gridTop = c.y - 3;
  const gridBottom = chartBottom(c.y, heights);
  for (let v = 0; v <= top + 1e-9; v += step) {
    const x = barX + scale(v);
    doc.save().moveTo(x, gridTop).lineTo(x, gridBottom).lineWidth(v === 0 ? 0.8 : 0.4).strokeColor(v === 0 ? COLOR.muted : COLOR.faint).stroke().restore();
    const tick = o.percent ? `${v}\u00a0%` : svCount(v);
    const w = widthOf(doc, tick, SIZE.small - 0.5);
    text(doc, tick, x - w / 2, gridBottom + 4, { size: SIZE.small - 0.5, color: COLOR.muted });
  }
  rows.forEach((row, i) => {
    const h = heights[i]!;
    let y = c.y;
    text(doc, row.label, CONTENT.left, y, { size: SIZE.table, width: CHART.labelWidth, bold: row.highlight === true, color: row.highlight ? COLOR.alarm : COLOR.text });
    series.forEach((s, k) => {
      const v = row.values[k] ?? 0;
      const color = row.highlight && s.alarm ? s.alarm : s.color;
      if (v > 0) doc.save().rect(barX, y, Math.max(0.8, scale(v)), s.size).fill(color).restore();
      const first = k === 0;
      const size = first ? SIZE.small : SIZE.small - 1.5;
      text(doc, o.fmt(row.values[k] ?? null), barX + scale(v) + 4, y + (s.size - size) / 2 - 1, { size, bold: first, color: first ? COLOR.text : COLOR.muted });
      y += s.size + 2;
    });
    c.y += h + CHART.rowGap;
  });
  c.y = startY;
}

/** A run chart: cases per month, the period's months dark, the months before light, the median dashed. */
function runChart(doc: Doc, c: Cursor, x: Ctx, title: string): void {
  const { r, tx } = x;
  const months = [...Object.entries(r.history), ...Object.entries(r.byMonth)];
  const height = 230;
  c.need(height + 110);
  heading(doc, c, title, 2, 0);
  intro(doc, c, fill(tx.intro.runChart, { label: r.label }));
  const values = months.map(([, n]) => n);
  const mid = median(histogramOf(values));
  const rowsAlt = months.map(([m, n]) => `${m}: ${svCount(n)}`).join("; ");
  const alt = fill(tx.charts.altRun, {
    title,
    from: months[0]![0],
    to: months[months.length - 1]![0],
    label: r.label,
    periodFrom: r.from.slice(0, 7),
    median: svValue(mid),
    rows: rowsAlt,
  });
  const axisW = 30;
  const left = CONTENT.left + axisW;
  const width = CONTENT.width - axisW - 8;
  const top = c.y + 26;
  const bottom = top + height;
  const max = Math.max(1, ...values);
  const step = niceStep(max);
  const ceil = Math.ceil(max / step) * step;
  const yOf = (v: number) => bottom - (v / ceil) * height;
  const dx = width / months.length;
  const xOf = (i: number) => left + dx * (i + 0.5);
  const firstPeriod = Object.keys(r.history).length;
  // Values are written at the period's points when they fit side by side; else at its highest, lowest and last.
  const periodValues = values.slice(firstPeriod);
  const fits = Math.max(0, ...periodValues.map((v) => widthOf(doc, svCount(v), SIZE.small - 1, true))) + 3 <= dx;
  const labelled = new Set<number>();
  if (fits) for (let i = firstPeriod; i < months.length; i++) labelled.add(i);
  else if (periodValues.length) {
    labelled.add(firstPeriod + periodValues.indexOf(Math.max(...periodValues)));
    labelled.add(firstPeriod + periodValues.indexOf(Math.min(...periodValues)));
    labelled.add(months.length - 1);
  }
  tag(
    doc,
    "Figure",
    () => {
      // the period's months on a band
      doc.save().rect(left + dx * firstPeriod, top - 24, dx * (months.length - firstPeriod), height + 24).fill(COLOR.band).restore();
      text(doc, r.label, left + dx * firstPeriod + 4, top - 21, { size: SIZE.small, bold: true, color: COLOR.accent });
      for (let v = 0; v <= ceil + 1e-9; v += step) {
        const y = yOf(v);
        doc.save().moveTo(left, y).lineTo(left + width, y).lineWidth(v === 0 ? 0.8 : 0.4).strokeColor(v === 0 ? COLOR.muted : COLOR.faint).stroke().restore();
        const tick = svCount(v);
        text(doc, tick, left - 6 - widthOf(doc, tick, SIZE.small - 0.5), y - 4, { size: SIZE.small - 0.5, color: COLOR.muted });
      }
      if (mid !== null) {
        const y = yOf(mid);
        doc.save().moveTo(left, y).lineTo(left + width, y).lineWidth(0.8).dash(3, { space: 2 }).strokeColor(COLOR.muted).stroke().undash().restore();
        const label = fill(tx.charts.median, { n: svValue(mid) });
        text(doc, label, left + 2, y - 10, { size: SIZE.small - 1, color: COLOR.muted });
      }
      // the line: light before the period, dark in it
      const line = (from: number, to: number, color: string, w: number) => {
        if (to <= from) return;
        doc.save().moveTo(xOf(from), yOf(values[from]!));
        for (let i = from + 1; i <= to; i++) doc.lineTo(xOf(i), yOf(values[i]!));
        doc.lineWidth(w).strokeColor(color).stroke().restore();
      };
      line(0, firstPeriod, COLOR.previous, 1.6);
      line(firstPeriod, months.length - 1, COLOR.current, 2.2);
      months.forEach(([m, n], i) => {
        const inPeriod = i >= firstPeriod;
        doc.save().circle(xOf(i), yOf(n), inPeriod ? 2.6 : 1.8).fill(inPeriod ? COLOR.current : COLOR.previous).restore();
        if (labelled.has(i)) {
          // above the point, or below it where the line comes down to it from both sides
          const label = svCount(n);
          const below = i > 0 && i < months.length - 1 ? values[i - 1]! > n && values[i + 1]! > n : i > 0 && values[i - 1]! > n;
          text(doc, label, xOf(i) - widthOf(doc, label, SIZE.small - 1, true) / 2, below ? yOf(n) + 4 : yOf(n) - 12, { size: SIZE.small - 1, bold: true });
        }
        const mon = MONTHS[Number(m.slice(5, 7)) - 1]!;
        text(doc, mon, xOf(i) - widthOf(doc, mon, SIZE.small - 1.5) / 2, bottom + 4, { size: SIZE.small - 1.5, color: COLOR.muted });
        if (i === 0 || m.endsWith("-01")) {
          const y = m.slice(0, 4);
          text(doc, y, xOf(i) - widthOf(doc, y, SIZE.small - 1.5, true) / 2, bottom + 13, { size: SIZE.small - 1.5, bold: true, color: COLOR.muted });
        }
      });
    },
    { alt },
  );
  c.y = bottom + 34;
}

const MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

interface Cell {
  text: string;
  color?: string;
  bold?: boolean;
}

interface Column {
  header: string;
  width: number;
  align?: "left" | "right";
}

const PAD = 4;

function cellsOf(row: Array<string | Cell>): Cell[] {
  return row.map((cell) => (typeof cell === "string" ? { text: cell } : cell));
}

function tableHeights(doc: Doc, columns: Column[], rows: Array<Array<string | Cell>>, o: { boldLast?: boolean }): { header: number; rows: number[]; keep: number } {
  const pad = PAD;
  const header = Math.max(...columns.map((col) => measure(doc, col.header, { size: SIZE.small, bold: true, width: col.width - 2 * pad }))) + 2 * pad;
  const heights = rows.map(
    (row, ri) =>
      Math.max(...cellsOf(row).map((cell, i) => measure(doc, cell.text, { size: SIZE.table, bold: (o.boldLast === true && ri === rows.length - 1) || cell.bold, width: columns[i]!.width - 2 * pad }))) +
      2 * pad,
  );
  // A short table is kept on one page; a long one starts with its header and two rows.
  const whole = header + heights.reduce((a, h) => a + h, 0);
  const keep = whole < (CONTENT.bottom - MARGIN.top) / 3 ? whole : header + (heights[0] ?? 0) + (heights[1] ?? 0);
  return { header, rows: heights, keep };
}

/** What a heading followed by this table needs on the page. */
function tableKeep(doc: Doc, columns: Column[], rows: Array<Array<string | Cell>>, o: { boldLast?: boolean } = {}): number {
  return tableHeights(doc, columns, rows, o).keep + 40;
}

/**
 * A table with a bold header, hairlines between rows, and the header repeated on a new page. Not pdfkit's
 * `doc.table()` (0.20): it tags Table/TR/TH/TD too, but repeats no header on a continued page, keeps no short table
 * whole and lets a last (total) row stand alone on a new page, and breaks pages by itself, past this report's page
 * furniture; the report's tables would print worse.
 */
function table(doc: Doc, c: Cursor, columns: Column[], rows: Array<Array<string | Cell>>, o: { boldLast?: boolean } = {}): void {
  const pad = PAD;
  const measured = tableHeights(doc, columns, rows, o);
  const headerHeight = measured.header;
  const drawHeader = () => {
    let x = CONTENT.left;
    for (const col of columns) {
      text(doc, col.header, x + pad, c.y + pad, { size: SIZE.small, bold: true, color: COLOR.muted, width: col.width - 2 * pad, align: col.align, tag: "TH" });
      x += col.width;
    }
    c.y += headerHeight;
    rule(doc, CONTENT.left, c.y, CONTENT.width, COLOR.text, 0.8);
  };
  const heights = measured.rows;
  c.need(measured.keep);
  group(doc, "Table", () => {
    group(doc, "TR", drawHeader);
    rows.forEach((row, ri) =>
      group(doc, "TR", () => {
        const last = o.boldLast === true && ri === rows.length - 1;
        const cells = cellsOf(row);
        const h = heights[ri]!;
        // the last row never stands alone on a new page: the one before it goes with it
        const keep = ri === rows.length - 2 && rows.length > 3 ? heights[ri + 1]! : 0;
        if (c.y + h + keep > CONTENT.bottom) {
          c.newPage();
          // the header repeated on the new page is furniture: the table has it once
          artifact(doc, drawHeader);
        }
        let x = CONTENT.left;
        cells.forEach((cell, i) => {
          const col = columns[i]!;
          text(doc, cell.text, x + pad, c.y + pad, { size: SIZE.table, bold: last || cell.bold, color: cell.color, width: col.width - 2 * pad, align: col.align, tag: "TD" });
          x += col.width;
        });
        c.y += h;
        rule(doc, CONTENT.left, c.y, CONTENT.width, last ? COLOR.text : COLOR.faint, last ? 0.8 : 0.5);
      }),
    );
  });
  c.y += 18;
}

// --- better or worse ------------------------------------------------------------------------------------

type Better = "lower" | "higher" | "neutral";

/** The arrow and word for a change: green when better, red when worse, grey when neither (a count of cases). */
function judgement(tx: BoardTexts, change: number | null, better: Better): Cell {
  if (change === null) return { text: "–", color: COLOR.muted };
  if (Math.abs(change) < 1e-9) return { text: `= ${tx.judgement.same}`, color: COLOR.muted };
  const arrow = change > 0 ? "\u25b2" : "\u25bc";
  if (better === "neutral") return { text: `${arrow} ${change > 0 ? tx.judgement.up : tx.judgement.down}`, color: COLOR.neutral };
  const good = better === "lower" ? change < 0 : change > 0;
  return { text: `${arrow} ${good ? tx.judgement.better : tx.judgement.worse}`, color: good ? COLOR.better : COLOR.worse, bold: true };
}

// --- the pages ------------------------------------------------------------------------------------------

function titlePage(doc: Doc, x: Ctx, produced: string): void {
  const { r, tx } = x;
  artifact(doc, () => doc.save().rect(0, 0, PAGE.width, 14).fill(COLOR.current).restore(), "Layout");
  let y = 170;
  y += text(doc, tx.title, CONTENT.left, y, { size: SIZE.title, bold: true, color: COLOR.accent, tag: "H1", width: CONTENT.width }) + 8;
  text(doc, reportSubtitle(r, tx), CONTENT.left, y, { size: SIZE.subtitle });
  y += SIZE.subtitle + 22;
  rule(doc, CONTENT.left, y, CONTENT.width, COLOR.rule, 0.8);
  y += 18;
  const info: Array<[string, string]> = [
    [tx.info.period, `${r.from} – ${r.to}`],
    [tx.info.comparedWith, `${r.previous.label} (${r.previous.from} – ${r.previous.to})`],
    [tx.info.organisation, r.organisation.name],
    [tx.info.produced, produced],
  ];
  for (const [label, value] of info) {
    text(doc, label, CONTENT.left, y, { size: SIZE.body, color: COLOR.muted });
    y += Math.max(20, text(doc, value, CONTENT.left + 120, y, { size: SIZE.body + 1, width: CONTENT.width - 120 }) + 6);
  }
  // Three key figures in tiles, each with the period before and the change judged.
  y += 30;
  const gap = 14;
  const w = (CONTENT.width - 2 * gap) / 3;
  const d = r.deadline;
  const tiles: Array<{ label: string; value: string; detail: string; before: string; change: Cell }> = [
    { label: tx.figures.total, value: svCount(r.total), detail: "", before: `${r.previous.label}: ${svCount(r.previous.total)}`, change: judgement(tx, r.trend.total, "neutral") },
    {
      label: tx.figures.handlingMedian,
      value: svValue(r.handlingDays.median),
      detail: "",
      before: `${r.previous.label}: ${svValue(r.previous.handlingDays.median)}`,
      change: judgement(tx, r.trend.handlingDaysMedian, "lower"),
    },
    {
      label: tx.figures.withinDeadline,
      value: d.answered + d.unansweredOverdue < MIN_SHARE_BASE ? shareOf(tx, d.answeredOnTime, d.answered + d.unansweredOverdue) : svPercent(r.answeredWithinDeadline),
      detail: d.answered + d.unansweredOverdue >= MIN_SHARE_BASE ? `(${svCount(d.answeredOnTime)} av ${svCount(d.answered + d.unansweredOverdue)})` : "",
      before: `${r.previous.label}: ${shareOf(tx, r.previous.deadline.answeredOnTime, r.previous.deadline.answered + r.previous.deadline.unansweredOverdue)}`,
      change: judgement(tx, comparableShares(r) ? r.trend.answeredWithinDeadline : null, "higher"),
    },
  ];
  const tileH = 132;
  tiles.forEach((tile, i) => {
    const tx0 = CONTENT.left + i * (w + gap);
    artifact(doc, () => {
      doc.save().rect(tx0, y, w, tileH).fill(COLOR.band).restore();
      doc.save().rect(tx0, y, 3, tileH).fill(COLOR.current).restore();
    });
    const size = widthOf(doc, tile.value, SIZE.figure, true) > w - 24 ? SIZE.h1 : SIZE.figure;
    text(doc, tile.value, tx0 + 14, y + 14, { size, bold: true, color: COLOR.accent });
    if (tile.detail) text(doc, tile.detail, tx0 + 14, y + 44, { size: SIZE.small, color: COLOR.muted });
    text(doc, tile.label, tx0 + 14, y + 58, { size: SIZE.small + 0.5, width: w - 24 });
    const before = text(doc, tile.before, tx0 + 14, y + 84, { size: SIZE.small, color: COLOR.muted, width: w - 24 });
    text(doc, tile.change.text, tx0 + 14, y + 84 + before + 3, { size: SIZE.small, color: tile.change.color, bold: tile.change.bold });
  });
  y += tileH + 36;
  y += text(doc, tx.audience, CONTENT.left, y, { size: SIZE.body, color: COLOR.muted, width: CONTENT.width * 0.85, lineGap: 3 }) + 14;
  text(doc, fill(tx.intro.shares, { n: MIN_SHARE_BASE }), CONTENT.left, y, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width * 0.85, lineGap: 2 });
  text(doc, tx.noPersonalData, CONTENT.left, CONTENT.bottom - 10, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width });
}

function keyFigures(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  heading(doc, c, tx.headings.keyFigures);
  const dl = (d: StatsReport["deadline"]) => shareOf(tx, d.answeredOnTime, d.answered + d.unansweredOverdue);
  const days = (v: number | null) => (v === null ? "–" : svSigned(v, DECIMALS));
  const answeredChange = r.deadline.answered - r.previous.deadline.answered;
  const overdueChange = r.deadline.unansweredOverdue - r.previous.deadline.unansweredOverdue;
  const shareChange = comparableShares(r) ? r.trend.answeredWithinDeadline : null;
  const rows: Array<Array<string | Cell>> = [
    [tx.figures.total, svCount(r.total), svCount(r.previous.total), svSigned(r.trend.total), judgement(tx, r.trend.total, "neutral")],
    [tx.figures.answered, svCount(r.deadline.answered), svCount(r.previous.deadline.answered), svSigned(answeredChange), judgement(tx, answeredChange, "neutral")],
    [tx.figures.handlingMedian, svValue(r.handlingDays.median), svValue(r.previous.handlingDays.median), days(r.trend.handlingDaysMedian), judgement(tx, r.trend.handlingDaysMedian, "lower")],
    [tx.figures.handlingP90, svValue(r.handlingDays.p90), svValue(r.previous.handlingDays.p90), days(r.trend.handlingDaysP90), judgement(tx, r.trend.handlingDaysP90, "lower")],
    [tx.figures.withinDeadline, dl(r.deadline), dl(r.previous.deadline), pointsText(tx, shareChange), judgement(tx, shareChange, "higher")],
    [tx.figures.unansweredOverdue, svCount(r.deadline.unansweredOverdue), svCount(r.previous.deadline.unansweredOverdue), svSigned(overdueChange), judgement(tx, overdueChange, "lower")],
  ];
  const w = CONTENT.width;
  table(
    doc,
    c,
    [
      { header: tx.columns.figure, width: w * 0.33 },
      { header: `${tx.columns.period} ${r.label}`, width: w * 0.17, align: "right" },
      { header: `${tx.columns.previous} ${r.previous.label}`, width: w * 0.17, align: "right" },
      { header: tx.columns.change, width: w * 0.18, align: "right" },
      { header: tx.columns.judgement, width: w * 0.15 },
    ],
    rows,
  );
  c.y -= 8;
  const open = `${fill(tx.figures.openNow, { date: r.asOf })}: ${svCount(r.open.open)}, ${tx.figures.overdueNow} ${svCount(r.open.overdue)}.`;
  c.y += text(doc, open, CONTENT.left, c.y, { size: SIZE.body, width: CONTENT.width }) + 16;
}

/** The largest rows of a breakdown for a chart; the rest summed as "N till". */
function chartRows(tx: BoardTexts, rows: BreakdownRow[], highlight: (code: string) => boolean = () => false, keepOrder = false): ChartRow[] {
  // Categories empty in both periods say nothing in a chart (the tables still list them).
  const kept = rows.filter((row) => row.count > 0 || row.previous > 0);
  const sorted = keepOrder ? kept : kept.sort((a, b) => b.count - a.count || b.previous - a.previous);
  const shown = sorted.slice(0, MAX_CHART_ROWS);
  const rest = sorted.slice(MAX_CHART_ROWS);
  const out: ChartRow[] = shown.map((row) => ({ label: row.name, values: [row.count, row.previous], highlight: highlight(row.code) }));
  if (rest.length === 1) out.push({ label: rest[0]!.name, values: [rest[0]!.count, rest[0]!.previous] });
  else if (rest.length) {
    out.push({
      label: fill(tx.charts.more, { n: rest.length }),
      values: [rest.reduce((a, row) => a + row.count, 0), rest.reduce((a, row) => a + row.previous, 0)],
    });
  }
  return out;
}

function periodSeries(r: StatsReport): Series[] {
  return [
    { label: r.label, color: COLOR.current, size: 11, alarm: COLOR.alarm },
    { label: r.previous.label, color: COLOR.previous, size: 6, alarm: COLOR.alarmLight },
  ];
}

/** A chart of this period beside the previous one; the alternative text gives every number. */
function periodChart(doc: Doc, c: Cursor, x: Ctx, title: string, rows: ChartRow[], o: { percent?: boolean } = {}): void {
  const { r, tx } = x;
  const fmt = (v: number | null) => (v === null ? "–" : o.percent ? `${svValue(v)}\u00a0%` : svCount(v));
  const alt = fill(tx.charts.alt, {
    title,
    current: r.label,
    previous: r.previous.label,
    rows: rows.map((row) => `${row.label}: ${fmt(row.values[0] ?? null)} (${r.previous.label}: ${fmt(row.values[1] ?? null)})`).join("; "),
  });
  barChart(doc, c, tx, title, periodSeries(r), rows, { percent: o.percent, alt, fmt });
}

function deadlineRows(x: Ctx): ChartRow[] {
  const { r, tx } = x;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  // a share resting on fewer than MIN_SHARE_BASE cases is not drawn
  const shown = (d: { answered: number; unansweredOverdue: number; share: number | null } | undefined) =>
    d && d.answered + d.unansweredOverdue >= MIN_SHARE_BASE ? pct(d.share) : null;
  const ids = [...new Set([...Object.keys(r.deadlineByCounterpart), ...Object.keys(r.previous.deadlineByCounterpart)])]
    .filter((id) => shown(r.deadlineByCounterpart[id]) !== null || shown(r.previous.deadlineByCounterpart[id]) !== null)
    .sort((a, b) => (r.byCounterpart[b] ?? 0) - (r.byCounterpart[a] ?? 0) || a.localeCompare(b))
    .slice(0, MAX_CHART_ROWS);
  const rows = ids.map((id) => ({ label: r.names[id] ?? id, values: [shown(r.deadlineByCounterpart[id]), shown(r.previous.deadlineByCounterpart[id])] }));
  const total = [shown(r.deadline), shown(r.previous.deadline)];
  if (total.every((v) => v === null) && rows.length === 0) return [];
  return [{ label: tx.charts.deadlineTotal, values: total }, ...rows];
}

/** Who reported whom: per counterpart, what we reported to it and it to us; a chart and the table. */
function flows(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  const ids = Object.keys(r.byCounterpartDirection).sort(
    (a, b) => (r.byCounterpart[b] ?? 0) - (r.byCounterpart[a] ?? 0) || (r.names[a] ?? a).localeCompare(r.names[b] ?? b, "sv"),
  );
  const series: Series[] = [
    { label: tx.columns.out, color: COLOR.current, size: 9 },
    { label: tx.columns.in, color: COLOR.second, size: 9 },
  ];
  const shown = ids.slice(0, MAX_CHART_ROWS);
  const rest = ids.slice(MAX_CHART_ROWS);
  const rows: ChartRow[] = shown.map((id) => ({ label: r.names[id] ?? id, values: [r.byCounterpartDirection[id]!.out, r.byCounterpartDirection[id]!.in] }));
  if (rest.length) {
    const sum = (d: "in" | "out") => rest.reduce((a, id) => a + r.byCounterpartDirection[id]![d], 0);
    rows.push({ label: rest.length === 1 ? (r.names[rest[0]!] ?? rest[0]!) : fill(tx.charts.more, { n: rest.length }), values: [sum("out"), sum("in")] });
  }
  c.need(90 + barChartHeight(doc, series, rows));
  heading(doc, c, tx.headings.flows, 1, 0);
  intro(doc, c, tx.intro.flows);
  const title = tx.charts.direction;
  const alt = fill(tx.charts.altSeries, {
    title,
    rows: rows.map((row) => `${row.label}: ${tx.columns.out.toLowerCase()} ${svCount(row.values[0] ?? 0)}, ${tx.columns.in.toLowerCase()} ${svCount(row.values[1] ?? 0)}`).join("; "),
  });
  barChart(doc, c, tx, title, series, rows, { alt, fmt: (v) => svCount(v) });
  const w = CONTENT.width;
  const body: Array<Array<string | Cell>> = ids.map((id) => {
    const d = r.byCounterpartDirection[id]!;
    const before = r.previous.byCounterpartDirection[id];
    return [r.names[id] ?? id, svCount(d.out), svCount(d.in), svCount(d.out + d.in), before ? svCount(before.out + before.in) : svCount(0)];
  });
  body.push([tx.charts.deadlineTotal, svCount(r.byDirection.out), svCount(r.byDirection.in), svCount(r.total), svCount(r.previous.total)]);
  c.need(80);
  table(
    doc,
    c,
    [
      { header: tx.columns.counterpart, width: w * 0.4 },
      { header: tx.columns.out, width: w * 0.15, align: "right" },
      { header: tx.columns.in, width: w * 0.15, align: "right" },
      { header: tx.columns.total, width: w * 0.13, align: "right" },
      { header: `${tx.columns.previous} ${r.previous.label}`, width: w * 0.17, align: "right" },
    ],
    body,
    { boldLast: true },
  );
}

/** Real pairs of providers: us → them and them → us, most cases first. */
function providerPairs(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  const us = r.organisation.name;
  const pairs: Array<{ from: string; to: string; n: number }> = [];
  for (const [id, d] of Object.entries(r.byCounterpartDirection)) {
    const them = r.names[id] ?? id;
    if (d.out) pairs.push({ from: us, to: them, n: d.out });
    if (d.in) pairs.push({ from: them, to: us, n: d.in });
  }
  if (!pairs.length) return;
  pairs.sort((a, b) => b.n - a.n || a.from.localeCompare(b.from, "sv") || a.to.localeCompare(b.to, "sv"));
  c.need(140);
  heading(doc, c, tx.headings.providerPairs, 2);
  intro(doc, c, tx.intro.providerPairs);
  const w = CONTENT.width;
  table(
    doc,
    c,
    [
      { header: "", width: w * 0.06, align: "right" },
      { header: tx.columns.from, width: w * 0.34 },
      { header: "", width: w * 0.05 },
      { header: tx.columns.to, width: w * 0.31 },
      { header: tx.columns.count, width: w * 0.11, align: "right" },
      { header: tx.columns.share, width: w * 0.13, align: "right" },
    ],
    pairs.slice(0, 10).map((p, i) => [`${i + 1}.`, p.from, "\u2192", p.to, svCount(p.n), shareOfTotal(tx, p.n, r.total)]),
  );
}

/** Kind and severity, skada and Röd highlighted. */
function kinds(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  heading(doc, c, tx.headings.kinds);
  intro(doc, c, tx.intro.kinds);
  periodChart(doc, c, x, tx.charts.kind, chartRows(tx, breakdown(r, "kind", nameOf(r)), (code) => code === "skada", true));
  c.y += 4;
  periodChart(doc, c, x, tx.charts.severity, chartRows(tx, breakdown(r, "severity", nameOf(r)), (code) => code === "rod", true));
}

/** Handling per counterpart: handling days, share answered in time, open and overdue at the report date. */
function followUp(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  const chart = deadlineRows(x);
  c.need(90 + barChartHeight(doc, periodSeries(r), chart));
  heading(doc, c, tx.headings.followUp, 1, 0);
  intro(doc, c, fill(tx.intro.followUp, { date: r.asOf }));
  periodChart(doc, c, x, tx.charts.deadline, chart, { percent: true });
  const ids = [...new Set([...Object.keys(r.byCounterpart), ...Object.keys(r.openByCounterpart)])].sort(
    (a, b) => (r.byCounterpart[b] ?? 0) - (r.byCounterpart[a] ?? 0) || (r.names[a] ?? a).localeCompare(r.names[b] ?? b, "sv"),
  );
  const w = CONTENT.width;
  const body: Array<Array<string | Cell>> = ids.map((id) => {
    const d = r.deadlineByCounterpart[id];
    const o = r.openByCounterpart[id] ?? { open: 0, overdue: 0 };
    return [
      r.names[id] ?? id,
      svCount(r.byCounterpart[id] ?? 0),
      svValue(r.handlingDaysByCounterpart[id]?.median ?? null),
      d ? shareOf(tx, d.answeredOnTime, d.answered + d.unansweredOverdue) : "–",
      svCount(o.open),
      o.overdue ? { text: svCount(o.overdue), color: COLOR.worse, bold: true } : svCount(0),
    ];
  });
  const d = r.deadline;
  body.push([tx.charts.deadlineTotal, svCount(r.total), svValue(r.handlingDays.median), shareOf(tx, d.answeredOnTime, d.answered + d.unansweredOverdue), svCount(r.open.open), svCount(r.open.overdue)]);
  table(
    doc,
    c,
    [
      { header: tx.columns.counterpart, width: w * 0.24 },
      { header: `${tx.columns.count} ${r.label}`, width: w * 0.12, align: "right" },
      { header: tx.columns.handlingMedian, width: w * 0.1, align: "right" },
      { header: tx.columns.withinDeadline, width: w * 0.29, align: "right" },
      { header: tx.columns.open, width: w * 0.14, align: "right" },
      { header: tx.columns.overdue, width: w * 0.11, align: "right" },
    ],
    body,
    { boldLast: true },
  );
}

/** The coordinator's comments: headings, paragraphs and lists from her file. */
function comments(doc: Doc, c: Cursor, x: Ctx, blocks: readonly CommentBlock[]): void {
  const { tx } = x;
  heading(doc, c, tx.headings.comments);
  const flowText = (s: string, o: TextOptions & { indent?: number }) => {
    const left = CONTENT.left + (o.indent ?? 0);
    const width = CONTENT.width - (o.indent ?? 0);
    const h = measure(doc, s, { size: o.size, bold: o.bold, width, lineGap: o.lineGap });
    c.need(Math.min(h, 3 * (o.size ?? SIZE.body) * 1.4));
    text(doc, s, left, c.y, { ...o, width });
    // a long paragraph may have run onto the next page (pdfkit breaks it there)
    c.y = h > CONTENT.bottom - c.y ? doc.y : c.y + h;
  };
  for (const b of blocks) {
    if (b.type === "heading") {
      heading(doc, c, b.text, b.level === 1 ? 2 : 3, 60);
    } else if (b.type === "paragraph") {
      flowText(b.text, { size: SIZE.body, lineGap: 2.5 });
      c.y += 8;
    } else {
      group(doc, "L", () => {
        b.items.forEach((item, i) =>
          group(doc, "LI", () => {
            const label = b.ordered ? `${i + 1}.` : "\u2022";
            const h = measure(doc, item, { size: SIZE.body, width: CONTENT.width - 18, lineGap: 2.5 });
            c.need(Math.min(h, 3 * SIZE.body * 1.4));
            text(doc, label, CONTENT.left + 2, c.y, { size: SIZE.body, color: COLOR.muted, tag: "Lbl" });
            flowText(item, { size: SIZE.body, lineGap: 2.5, indent: 18, tag: "LBody" });
            c.y += 4;
          }),
        );
      });
      c.y += 6;
    }
  }
  c.y += 10;
}

function breakdownTable(doc: Doc, c: Cursor, x: Ctx, dim: StatsDimension): void {
  const { r, tx } = x;
  const rows = breakdown(r, dim, nameOf(r));
  if (rows.length === 0) return;
  const w = CONTENT.width;
  const columns: Column[] = [
    { header: "", width: w * 0.45 },
    { header: tx.columns.count, width: w * 0.12, align: "right" },
    { header: tx.columns.share, width: w * 0.14, align: "right" },
    { header: `${tx.columns.previous} ${r.previous.label}`, width: w * 0.15, align: "right" },
    { header: tx.columns.change, width: w * 0.14, align: "right" },
  ];
  const body: Array<Array<string | Cell>> = rows.map((row) => [row.name, svCount(row.count), shareOfTotal(tx, row.count, r.total), svCount(row.previous), svSigned(row.count - row.previous)]);
  body.push([tx.charts.deadlineTotal, svCount(r.total), r.total ? shareOfTotal(tx, r.total, r.total) : "–", svCount(r.previous.total), svSigned(r.trend.total)]);
  c.need(tableKeep(doc, columns, body, { boldLast: true }));
  heading(doc, c, t(`stats.dim.${dim}` as MessageKey), 2, 0);
  table(doc, c, columns, body, { boldLast: true });
}

function topPairs(doc: Doc, c: Cursor, x: Ctx): void {
  const { r, tx } = x;
  if (!r.topPairs.length) return;
  c.need(160);
  heading(doc, c, tx.headings.topPairs, 2);
  intro(doc, c, tx.intro.topPairs);
  const w = CONTENT.width;
  table(
    doc,
    c,
    [
      { header: "", width: w * 0.06, align: "right" },
      { header: tx.columns.area, width: w * 0.4 },
      { header: tx.columns.counterpart, width: w * 0.3 },
      { header: tx.columns.count, width: w * 0.11, align: "right" },
      { header: tx.columns.share, width: w * 0.13, align: "right" },
    ],
    r.topPairs.map((p, i) => [`${i + 1}.`, t(`area.${p.area}` as MessageKey), r.names[p.counterpart] ?? p.counterpart, svCount(p.count), shareOfTotal(tx, p.count, r.total)]),
  );
}

function definitions(doc: Doc, c: Cursor, x: Ctx): void {
  const items = x.tx.definitions;
  const height = items.reduce((a, k) => a + measure(doc, k, { size: SIZE.small + 0.5, width: CONTENT.width - 12 }) + 6, 40);
  c.need(height);
  heading(doc, c, x.tx.headings.definitions, 2);
  group(doc, "L", () => {
    for (const k of items) {
      group(doc, "LI", () => {
        text(doc, "\u2022", CONTENT.left, c.y, { size: SIZE.small + 0.5, color: COLOR.muted, tag: "Lbl" });
        c.y += text(doc, k, CONTENT.left + 12, c.y, { size: SIZE.small + 0.5, color: COLOR.muted, width: CONTENT.width - 12, lineGap: 2, tag: "LBody" }) + 6;
      });
    }
  });
}

function footers(doc: Doc, x: Ctx, eachPage: typeof import("./pdf.js").eachPage): number {
  const { r, tx } = x;
  return eachPage(doc, (i, n) => {
    if (i === 1) return; // the title page has none
    const y = PAGE.height - MARGIN.bottom + 26;
    artifact(doc, () => {
      rule(doc, CONTENT.left, y - 6, CONTENT.width, COLOR.rule, 0.5);
      text(doc, `${tx.title} · ${reportSubtitle(r, tx)} · ${r.organisation.name}`, CONTENT.left, y, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width * 0.75 });
      text(doc, fill(tx.page, { i, n }), CONTENT.left, y, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width, align: "right" });
    }, "Pagination");
  });
}

/** Renders the report; the same report, texts, comments and clock give the same bytes. */
export async function renderBoardReport(
  r: StatsReport,
  options: { now: Date; texts: BoardTexts; comments?: readonly CommentBlock[] },
): Promise<{ data: Buffer; pages: number }> {
  const { archiveDocument, archiveOptions, documentBytes, eachPage } = await import("./pdf.js");
  const x: Ctx = { r, tx: options.texts };
  const doc = await archiveDocument({
    ...archiveOptions({
      title: `${x.tx.title} – ${reportSubtitle(r, x.tx)}`,
      author: r.organisation.name,
      subject: `${x.tx.info.period} ${r.from} – ${r.to}`,
      now: options.now,
      tagged: true,
    }),
    size: PAGE.size,
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
  } as PDFKit.PDFDocumentOptions);

  // The structure tree: the document's elements in reading order (see `tag`).
  const root = doc.struct("Document");
  let pages = 0;
  doc.addStructure(root);
  tagger = { parent: root, leaf: false };
  try {
    titlePage(doc, x, localDate(options.now));
    const c = new Cursor(doc);
    c.newPage();
    keyFigures(doc, c, x);
    runChart(doc, c, x, x.tx.headings.runChart);
    periodChart(doc, c, x, x.tx.charts.area, chartRows(x.tx, breakdown(r, "area", nameOf(r))));
    periodChart(doc, c, x, x.tx.charts.counterpart, chartRows(x.tx, breakdown(r, "counterpart", nameOf(r))));
    flows(doc, c, x);
    providerPairs(doc, c, x);
    kinds(doc, c, x);
    followUp(doc, c, x);
    if (options.comments?.length) comments(doc, c, x, options.comments);
    heading(doc, c, x.tx.headings.tables, 1, 250);
    for (const dim of STATS_DIMENSIONS) breakdownTable(doc, c, x, dim);
    topPairs(doc, c, x);
    definitions(doc, c, x);
    pages = footers(doc, x, eachPage);
  } finally {
    tagger = null;
    root.end();
  }
  return { data: await documentBytes(doc), pages };
}
