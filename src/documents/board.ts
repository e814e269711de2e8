// The half-year report to the board (seed 001: spring and autumn reporting of the most frequent deviations).
// A4, Swedish, printed and read at a meeting: a title page, key figures, bar charts drawn with pdfkit, the
// tables and the most frequent pairs of area and counterpart. Only aggregates: no personal data can reach it.
// pdfkit is imported when a report is written, never when this module is loaded.

import { localDate } from "../core/dates.js";
import {
  NONE_KEY,
  STATS_DIMENSIONS,
  breakdown,
  formatNumber,
  formatShare,
  formatSigned,
  type BreakdownRow,
  type StatsDimension,
  type StatsReport,
} from "../core/stats.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import { FONT as EMBEDDED } from "./fonts.js";

// --- layout (this report's own constants) ----------------------------------------------------------------

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = { top: 68, bottom: 72, left: 64, right: 64 };
const CONTENT = { left: MARGIN.left, width: PAGE.width - MARGIN.left - MARGIN.right, bottom: PAGE.height - MARGIN.bottom };
const FONT = { regular: EMBEDDED.regular, bold: EMBEDDED.bold };
const SIZE = { title: 30, subtitle: 17, h1: 15, h2: 11.5, body: 10, table: 9.5, small: 8.5, figure: 24 };
const COLOR = {
  text: "#1b1f24",
  muted: "#5b6570",
  rule: "#c8cfd8",
  faint: "#e6eaef",
  band: "#f1f4f8",
  current: "#1f4e79",
  previous: "#a9bcd3",
  accent: "#1f4e79",
};
const CHART = { labelWidth: 168, gap: 10, valueWidth: 46, barCurrent: 11, barPrevious: 6, barGap: 2, rowGap: 9 };
const MAX_CHART_ROWS = 8;

const t = tSv;
const sv = "sv" as const;

type Doc = PDFKit.PDFDocument;

/** The subtitle: "Halvårsrapport, våren 2026" and so on. */
export function reportSubtitle(r: StatsReport): string {
  const year = r.from.slice(0, 4);
  if (/^\d{4}H1$/.test(r.label)) return t("board.subtitle.half1", { year });
  if (/^\d{4}H2$/.test(r.label)) return t("board.subtitle.half2", { year });
  if (/^\d{4}$/.test(r.label)) return t("board.subtitle.year", { year });
  return t("board.subtitle.range", { from: r.from, to: r.to });
}

function nameOf(r: StatsReport): (dim: StatsDimension, code: string) => string {
  return (dim, code) => {
    if (code === NONE_KEY) return t("stats.notSet");
    if (dim === "area" || dim === "kind" || dim === "severity") return t(`${dim}.${code}` as MessageKey);
    return r.names[code] ?? code;
  };
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

function text(doc: Doc, s: string, x: number, y: number, o: { size?: number; bold?: boolean; color?: string; width?: number; align?: "left" | "right" | "center"; lineGap?: number; tag?: string } = {}): number {
  doc.font(o.bold ? FONT.bold : FONT.regular).fontSize(o.size ?? SIZE.body).fillColor(o.color ?? COLOR.text);
  const options = { width: o.width, align: o.align, lineGap: o.lineGap ?? 1.5, lineBreak: o.width !== undefined };
  tag(doc, o.tag ?? "P", () => doc.text(s, x, y, options));
  return doc.heightOfString(s, options);
}

function measure(doc: Doc, s: string, o: { size?: number; bold?: boolean; width?: number; lineGap?: number }): number {
  doc.font(o.bold ? FONT.bold : FONT.regular).fontSize(o.size ?? SIZE.body);
  return doc.heightOfString(s, { width: o.width, lineGap: o.lineGap ?? 1.5 });
}

function rule(doc: Doc, x: number, y: number, width: number, color = COLOR.rule, thickness = 0.6): void {
  artifact(doc, () => doc.save().moveTo(x, y).lineTo(x + width, y).lineWidth(thickness).strokeColor(color).stroke().restore());
}

function heading(doc: Doc, c: Cursor, s: string, level: 1 | 2 = 1): void {
  const size = level === 1 ? SIZE.h1 : SIZE.h2;
  c.need(level === 1 ? 120 : 80);
  if (level === 1) {
    text(doc, s, CONTENT.left, c.y, { size, bold: true, color: COLOR.accent, tag: "H1" });
    c.y += size + 6;
    rule(doc, CONTENT.left, c.y, CONTENT.width, COLOR.accent, 1);
    c.y += 12;
  } else {
    text(doc, s, CONTENT.left, c.y, { size, bold: true, tag: "H2" });
    c.y += size + 8;
  }
}

/** A legend of the two periods: dark square for this period, light for the one before. */
function legend(doc: Doc, r: StatsReport, y: number): void {
  const items: Array<[string, string]> = [
    [COLOR.current, `${r.label}`],
    [COLOR.previous, `${r.previous.label}`],
  ];
  let x = CONTENT.left + CONTENT.width;
  doc.font(FONT.regular).fontSize(SIZE.small);
  for (const [color, label] of [...items].reverse()) {
    const w = doc.widthOfString(label);
    x -= w;
    text(doc, label, x, y, { size: SIZE.small, color: COLOR.muted });
    x -= 12;
    doc.save().rect(x, y + 1, 8, 8).fill(color).restore();
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
  value: number | null;
  previous: number | null;
}

/**
 * A horizontal bar chart: for each row a dark bar for this period and a thin light bar for the previous one,
 * the values written beside the bars, a light grid with the axis under it.
 */
function barChart(doc: Doc, c: Cursor, r: StatsReport, title: string, rows: ChartRow[], o: { percent?: boolean } = {}): void {
  const heights = rows.map((row) => Math.max(measure(doc, row.label, { size: SIZE.table, width: CHART.labelWidth }), CHART.barCurrent + CHART.barGap + CHART.barPrevious));
  const total = 22 + heights.reduce((a, h) => a + h + CHART.rowGap, 0) + 24;
  c.need(Math.min(total, CONTENT.bottom - MARGIN.top));
  heading(doc, c, title, 2);
  if (rows.every((row) => row.value === null && row.previous === null)) {
    text(doc, t("board.chart.noData"), CONTENT.left, c.y, { size: SIZE.body, color: COLOR.muted });
    c.y += 28;
    return;
  }
  const fmt = (v: number | null) => (v === null ? "–" : o.percent ? `${formatNumber(sv, v, 0)}\u00a0%` : formatNumber(sv, v, 1));
  const alt = t("board.chart.alt", {
    title,
    current: r.label,
    previous: r.previous.label,
    rows: rows.map((row) => `${row.label}: ${fmt(row.value)} (${r.previous.label}: ${fmt(row.previous)})`).join("; "),
  });
  tag(doc, "Figure", () => drawBars(doc, c, r, rows, heights, o, fmt), { alt });
  c.y = chartBottom(c.y, heights) + 26;
}

function chartBottom(y: number, heights: number[]): number {
  return y + heights.reduce((a, h) => a + h + CHART.rowGap, 0) - CHART.rowGap + 4;
}

function drawBars(doc: Doc, c: Cursor, r: StatsReport, rows: ChartRow[], heights: number[], o: { percent?: boolean }, fmt: (v: number | null) => string): void {
  const barX = CONTENT.left + CHART.labelWidth + CHART.gap;
  const barW = CONTENT.width - CHART.labelWidth - CHART.gap - CHART.valueWidth;
  const startY = c.y;
  legend(doc, r, c.y - 19);
  const max = o.percent ? 100 : Math.max(1, ...rows.flatMap((row) => [row.value ?? 0, row.previous ?? 0]));
  const step = o.percent ? 25 : niceStep(max);
  const top = Math.ceil(max / step) * step;
  const scale = (v: number) => (v / top) * barW;
  const gridTop = c.y - 3;
  const gridBottom = chartBottom(c.y, heights);
  for (let v = 0; v <= top + 1e-9; v += step) {
    const x = barX + scale(v);
    doc.save().moveTo(x, gridTop).lineTo(x, gridBottom).lineWidth(v === 0 ? 0.8 : 0.4).strokeColor(v === 0 ? COLOR.muted : COLOR.faint).stroke().restore();
    const tick = o.percent ? `${v}\u00a0%` : formatNumber(sv, v, 1);
    doc.font(FONT.regular).fontSize(SIZE.small - 0.5);
    const w = doc.widthOfString(tick);
    text(doc, tick, x - w / 2, gridBottom + 4, { size: SIZE.small - 0.5, color: COLOR.muted });
  }
  rows.forEach((row, i) => {
    const h = heights[i]!;
    const y = c.y;
    text(doc, row.label, CONTENT.left, y, { size: SIZE.table, width: CHART.labelWidth });
    const cur = row.value ?? 0;
    const prev = row.previous ?? 0;
    if (cur > 0) doc.save().rect(barX, y, Math.max(0.8, scale(cur)), CHART.barCurrent).fill(COLOR.current).restore();
    if (prev > 0) doc.save().rect(barX, y + CHART.barCurrent + CHART.barGap, Math.max(0.8, scale(prev)), CHART.barPrevious).fill(COLOR.previous).restore();
    text(doc, fmt(row.value), barX + scale(cur) + 4, y + 1, { size: SIZE.small, bold: true });
    text(doc, fmt(row.previous), barX + scale(prev) + 4, y + CHART.barCurrent + CHART.barGap - 1.5, { size: SIZE.small - 1.5, color: COLOR.muted });
    c.y += h + CHART.rowGap;
  });
  c.y = startY;
}

interface Column {
  header: string;
  width: number;
  align?: "left" | "right";
}

/** A table with a bold header, hairlines between rows, and the header repeated on a new page. */
function table(doc: Doc, c: Cursor, columns: Column[], rows: string[][], o: { boldLast?: boolean } = {}): void {
  const pad = 4;
  const headerHeight = Math.max(...columns.map((col) => measure(doc, col.header, { size: SIZE.small, bold: true, width: col.width - 2 * pad }))) + 2 * pad;
  const drawHeader = () => {
    let x = CONTENT.left;
    for (const col of columns) {
      text(doc, col.header, x + pad, c.y + pad, { size: SIZE.small, bold: true, color: COLOR.muted, width: col.width - 2 * pad, align: col.align, tag: "TH" });
      x += col.width;
    }
    c.y += headerHeight;
    rule(doc, CONTENT.left, c.y, CONTENT.width, COLOR.text, 0.8);
  };
  c.need(headerHeight + 40);
  group(doc, "Table", () => {
  group(doc, "TR", drawHeader);
  rows.forEach((row, ri) => group(doc, "TR", () => {
    const bold = o.boldLast === true && ri === rows.length - 1;
    const h = Math.max(...row.map((cell, i) => measure(doc, cell, { size: SIZE.table, bold, width: columns[i]!.width - 2 * pad }))) + 2 * pad;
    if (c.y + h > CONTENT.bottom) {
      c.newPage();
      // the header repeated on the new page is furniture: the table has it once
      artifact(doc, drawHeader);
    }
    let x = CONTENT.left;
    row.forEach((cell, i) => {
      const col = columns[i]!;
      text(doc, cell, x + pad, c.y + pad, { size: SIZE.table, bold, width: col.width - 2 * pad, align: col.align, tag: "TD" });
      x += col.width;
    });
    c.y += h;
    rule(doc, CONTENT.left, c.y, CONTENT.width, bold ? COLOR.text : COLOR.faint, bold ? 0.8 : 0.5);
  }));
  });
  c.y += 18;
}

// --- the pages ------------------------------------------------------------------------------------------

function titlePage(doc: Doc, r: StatsReport, produced: string): void {
  artifact(doc, () => doc.save().rect(0, 0, PAGE.width, 14).fill(COLOR.current).restore(), "Layout");
  let y = 188;
  text(doc, t("board.title"), CONTENT.left, y, { size: SIZE.title, bold: true, color: COLOR.accent, tag: "H1" });
  y += SIZE.title + 14;
  text(doc, reportSubtitle(r), CONTENT.left, y, { size: SIZE.subtitle });
  y += SIZE.subtitle + 22;
  rule(doc, CONTENT.left, y, CONTENT.width, COLOR.rule, 0.8);
  y += 18;
  const info: Array<[string, string]> = [
    [t("board.period"), `${r.from} – ${r.to}`],
    [t("board.comparedWith"), `${r.previous.label} (${r.previous.from} – ${r.previous.to})`],
    [t("board.organisation"), r.organisation.name],
    [t("board.produced"), produced],
  ];
  for (const [label, value] of info) {
    text(doc, label, CONTENT.left, y, { size: SIZE.body, color: COLOR.muted });
    text(doc, value, CONTENT.left + 120, y, { size: SIZE.body + 1, width: CONTENT.width - 120 });
    y += 20;
  }
  // Three key figures in tiles.
  y += 34;
  const gap = 14;
  const w = (CONTENT.width - 2 * gap) / 3;
  const tiles: Array<[string, string, string]> = [
    [t("stats.total"), formatNumber(sv, r.total, 0), `${r.previous.label}: ${formatNumber(sv, r.previous.total, 0)}`],
    [t("stats.handlingMedian"), formatNumber(sv, r.handlingDays.median), `${r.previous.label}: ${formatNumber(sv, r.previous.handlingDays.median)}`],
    [t("stats.withinDeadline"), formatShare(sv, r.answeredWithinDeadline), `${r.previous.label}: ${formatShare(sv, r.previous.answeredWithinDeadline)}`],
  ];
  tiles.forEach(([label, value, before], i) => {
    const x = CONTENT.left + i * (w + gap);
    artifact(doc, () => {
      doc.save().rect(x, y, w, 104).fill(COLOR.band).restore();
      doc.save().rect(x, y, 3, 104).fill(COLOR.current).restore();
    });
    text(doc, value, x + 14, y + 14, { size: SIZE.figure, bold: true, color: COLOR.accent });
    text(doc, label, x + 14, y + 50, { size: SIZE.small + 0.5, width: w - 24 });
    text(doc, before, x + 14, y + 80, { size: SIZE.small, color: COLOR.muted, width: w - 24 });
  });
  y += 104 + 40;
  text(doc, t("board.audience"), CONTENT.left, y, { size: SIZE.body, color: COLOR.muted, width: CONTENT.width * 0.8, lineGap: 3 });
  text(doc, t("board.noPersonalData"), CONTENT.left, CONTENT.bottom - 10, { size: SIZE.small, color: COLOR.muted });
}

function keyFigures(doc: Doc, c: Cursor, r: StatsReport): void {
  heading(doc, c, t("board.keyFigures"));
  const pp = (v: number | null) => (v === null ? "–" : t("stats.pp", { n: formatSigned(sv, Math.round(v * 1000) / 10) }));
  const rows = [
    [t("stats.total"), formatNumber(sv, r.total, 0), formatNumber(sv, r.previous.total, 0), formatSigned(sv, r.trend.total, 0)],
    [t("stats.answered"), formatNumber(sv, r.deadline.answered, 0), formatNumber(sv, r.previous.deadline.answered, 0), formatSigned(sv, r.deadline.answered - r.previous.deadline.answered, 0)],
    [t("stats.handlingMedian"), formatNumber(sv, r.handlingDays.median), formatNumber(sv, r.previous.handlingDays.median), formatSigned(sv, r.trend.handlingDaysMedian)],
    [t("stats.handlingP90"), formatNumber(sv, r.handlingDays.p90), formatNumber(sv, r.previous.handlingDays.p90), formatSigned(sv, r.trend.handlingDaysP90)],
    [t("stats.withinDeadline"), formatShare(sv, r.answeredWithinDeadline), formatShare(sv, r.previous.answeredWithinDeadline), pp(r.trend.answeredWithinDeadline)],
    [t("stats.unansweredOverdue"), formatNumber(sv, r.deadline.unansweredOverdue, 0), formatNumber(sv, r.previous.deadline.unansweredOverdue, 0), formatSigned(sv, r.deadline.unansweredOverdue - r.previous.deadline.unansweredOverdue, 0)],
  ];
  const w = CONTENT.width;
  table(
    doc,
    c,
    [
      { header: t("stats.col.figure"), width: w * 0.49 },
      { header: `${t("stats.col.period")} ${r.label}`, width: w * 0.17, align: "right" },
      { header: `${t("stats.col.previous")} ${r.previous.label}`, width: w * 0.17, align: "right" },
      { header: t("stats.col.change"), width: w * 0.17, align: "right" },
    ],
    rows,
  );
}

/** The largest rows of a breakdown for a chart; the rest summed as "N till". */
function chartRows(rows: BreakdownRow[]): ChartRow[] {
  // Categories empty in both periods say nothing in a chart (the tables still list them).
  const sorted = rows.filter((row) => row.count > 0 || row.previous > 0).sort((a, b) => b.count - a.count || b.previous - a.previous);
  const shown = sorted.slice(0, MAX_CHART_ROWS);
  const rest = sorted.slice(MAX_CHART_ROWS);
  const out = shown.map((row) => ({ label: row.name, value: row.count, previous: row.previous }));
  if (rest.length === 1) out.push({ label: rest[0]!.name, value: rest[0]!.count, previous: rest[0]!.previous });
  else if (rest.length) {
    out.push({
      label: t("board.more", { n: rest.length }),
      value: rest.reduce((a, row) => a + row.count, 0),
      previous: rest.reduce((a, row) => a + row.previous, 0),
    });
  }
  return out;
}

function deadlineRows(r: StatsReport): ChartRow[] {
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  const ids = [...new Set([...Object.keys(r.withinDeadlineByCounterpart), ...Object.keys(r.previous.withinDeadlineByCounterpart)])]
    .filter((id) => r.withinDeadlineByCounterpart[id] != null || r.previous.withinDeadlineByCounterpart[id] != null)
    .sort((a, b) => (r.byCounterpart[b] ?? 0) - (r.byCounterpart[a] ?? 0) || a.localeCompare(b))
    .slice(0, MAX_CHART_ROWS);
  const rows = ids.map((id) => ({ label: r.names[id] ?? id, value: pct(r.withinDeadlineByCounterpart[id]), previous: pct(r.previous.withinDeadlineByCounterpart[id]) }));
  if (r.answeredWithinDeadline === null && r.previous.answeredWithinDeadline === null) return [];
  return [{ label: t("board.chart.deadlineTotal"), value: pct(r.answeredWithinDeadline), previous: pct(r.previous.answeredWithinDeadline) }, ...rows];
}

function breakdownTable(doc: Doc, c: Cursor, r: StatsReport, dim: StatsDimension): void {
  const rows = breakdown(r, dim, nameOf(r));
  if (rows.length === 0) return;
  const w = CONTENT.width;
  const withDeadline = dim === "counterpart";
  const first = withDeadline ? 0.36 : 0.49;
  const columns: Column[] = [
    { header: "", width: w * first },
    { header: t("stats.col.count"), width: w * (withDeadline ? 0.11 : 0.12), align: "right" },
    { header: t("stats.col.share"), width: w * 0.12, align: "right" },
    { header: `${t("stats.col.previous")} ${r.previous.label}`, width: w * 0.15, align: "right" },
    { header: t("stats.col.change"), width: w * 0.12, align: "right" },
  ];
  if (withDeadline) columns.push({ header: t("stats.col.withinDeadline"), width: w * 0.14, align: "right" });
  const body = rows.map((row) => [
    row.name,
    formatNumber(sv, row.count, 0),
    formatShare(sv, row.share, true),
    formatNumber(sv, row.previous, 0),
    formatSigned(sv, row.count - row.previous, 0),
    ...(withDeadline ? [formatShare(sv, r.withinDeadlineByCounterpart[row.code] ?? null, true)] : []),
  ]);
  body.push([
    t("board.chart.deadlineTotal"),
    formatNumber(sv, r.total, 0),
    r.total ? formatShare(sv, 1, true) : "–",
    formatNumber(sv, r.previous.total, 0),
    formatSigned(sv, r.trend.total, 0),
    ...(withDeadline ? [formatShare(sv, r.answeredWithinDeadline, true)] : []),
  ]);
  c.need(60 + 22 * Math.min(body.length, 6));
  heading(doc, c, t(`stats.dim.${dim}` as MessageKey), 2);
  table(doc, c, columns, body, { boldLast: true });
}

function topPairs(doc: Doc, c: Cursor, r: StatsReport): void {
  c.need(160);
  heading(doc, c, t("board.topPairs"));
  c.y += text(doc, t("board.topPairs.intro"), CONTENT.left, c.y, { size: SIZE.body, color: COLOR.muted, width: CONTENT.width }) + 8;
  const w = CONTENT.width;
  table(
    doc,
    c,
    [
      { header: "", width: w * 0.06, align: "right" },
      { header: t("stats.dim.area"), width: w * 0.42 },
      { header: t("stats.dim.counterpart"), width: w * 0.32 },
      { header: t("stats.col.count"), width: w * 0.1, align: "right" },
      { header: t("stats.col.share"), width: w * 0.1, align: "right" },
    ],
    r.topPairs.map((p, i) => [
      `${i + 1}.`,
      t(`area.${p.area}` as MessageKey),
      r.names[p.counterpart] ?? p.counterpart,
      formatNumber(sv, p.count, 0),
      formatShare(sv, r.total ? p.count / r.total : null, true),
    ]),
  );
}

function definitions(doc: Doc, c: Cursor): void {
  const items: MessageKey[] = ["board.def.period", "board.def.duplicates", "board.def.handling", "board.def.deadline"];
  const height = items.reduce((a, k) => a + measure(doc, t(k), { size: SIZE.small + 0.5, width: CONTENT.width - 12 }) + 6, 40);
  c.need(height);
  heading(doc, c, t("board.definitions"), 2);
  for (const k of items) {
    artifact(doc, () => text(doc, "•", CONTENT.left, c.y, { size: SIZE.small + 0.5, color: COLOR.muted }));
    c.y += text(doc, t(k), CONTENT.left + 12, c.y, { size: SIZE.small + 0.5, color: COLOR.muted, width: CONTENT.width - 12, lineGap: 2 }) + 6;
  }
}

function footers(doc: Doc, r: StatsReport): number {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    if (i === range.start) continue; // the title page has none
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing below the margin must not start a new page
    const y = PAGE.height - MARGIN.bottom + 26;
    artifact(doc, () => {
      rule(doc, CONTENT.left, y - 6, CONTENT.width, COLOR.rule, 0.5);
      text(doc, `${t("board.title")} · ${reportSubtitle(r)} · ${r.organisation.name}`, CONTENT.left, y, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width * 0.75 });
      text(doc, t("board.page", { i: i - range.start + 1, n: range.count }), CONTENT.left, y, { size: SIZE.small, color: COLOR.muted, width: CONTENT.width, align: "right" });
    }, "Pagination");
    doc.page.margins.bottom = bottom;
  }
  return range.count;
}

/** Renders the report; the same report and clock give the same bytes. */
export async function renderBoardReport(r: StatsReport, options: { now: Date }): Promise<{ data: Buffer; pages: number }> {
  const { archiveDocument, archiveOptions } = await import("./pdf.js");
  const doc = await archiveDocument({
    ...archiveOptions({
      title: `${t("board.title")} – ${reportSubtitle(r)}`,
      author: r.organisation.name,
      subject: `${t("board.period")} ${r.from} – ${r.to}`,
      now: options.now,
      tagged: true,
    }),
    size: "A4",
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
  } as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolvePromise, reject) => {
    doc.on("end", () => resolvePromise());
    doc.on("error", reject);
  });

  // The structure tree: the document's elements in reading order (see `tag`).
  const root = doc.struct("Document");
  let pages = 0;
  doc.addStructure(root);
  tagger = { parent: root, leaf: false };
  try {
  titlePage(doc, r, localDate(options.now));
  const c = new Cursor(doc);
  c.newPage();
  keyFigures(doc, c, r);
  c.y += 6;
  barChart(doc, c, r, t("board.chart.area"), chartRows(breakdown(r, "area", nameOf(r))));
  c.y += 14;
  barChart(doc, c, r, t("board.chart.counterpart"), chartRows(breakdown(r, "counterpart", nameOf(r))));
  c.y += 14;
  barChart(doc, c, r, t("board.chart.deadline"), deadlineRows(r), { percent: true });
  c.newPage();
  heading(doc, c, t("board.tables"));
  for (const dim of STATS_DIMENSIONS) breakdownTable(doc, c, r, dim);
  topPairs(doc, c, r);
  definitions(doc, c);
  pages = footers(doc, r);
  } finally {
    tagger = null;
    root.end();
  }
  doc.end();
  await done;
  return { data: Buffer.concat(chunks), pages };
}
