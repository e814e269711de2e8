// `avvik stats`: the figures of a period for the board (text, JSON, CSV for Swedish Excel, the board report as
// a PDF with `--pdf`), each beside the previous period's.

import type { Command } from "commander";
import {
  NONE_KEY,
  STATS_DIMENSIONS,
  breakdown,
  formatNumber,
  formatSigned,
  shareParts,
  type BreakdownRow,
  type NumberLang,
  type StatsDimension,
} from "../../core/stats.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import type { StatsReport } from "../../store/stats.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { formatOutput, outputFile } from "../outputs.js";
import { parseCodeFlag, parsePeriodFlags, parsePositiveInt } from "../parse.js";
import { codeName } from "../render.js";
import { UsageError } from "../../core/errors.js";

export function registerStats(program: Command, t: Translate): void {
  const cmd = program
    .command("stats")
    .description(t("help.stats"))
    .option("--period <period>", t("flag.period"))
    .option("--from <date>", t("flag.periodFrom"))
    .option("--to <date>", t("flag.periodTo"))
    .option("--by <dimension>", t("flag.by"))
    .option("--format <format>", `text|json|csv – ${t("flag.format")}`)
    .option("--pdf <file>", t("flag.pdf"))
    .option("--comments <file>", t("flag.comments"))
    .option("--top <n>", t("flag.top"))
    .option("--json", t("help.json"))
    .action(action(stats));
  examples(cmd, [
    { say: "ex.stats.half", run: "avvik stats --period 2026H1" },
    { say: "ex.stats.pdf", run: "avvik stats --period 2026H1 --pdf styrelsen-2026H1.pdf" },
    { say: "ex.stats.comments", run: "avvik stats --period 2026H1 --pdf styrelsen.pdf --comments kommentarer.md" },
    { say: "ex.stats.csv", run: "avvik stats --from 2026-01-01 --to 2026-03-31 --by counterpart --format csv" },
  ]);
}

interface StatsOptions {
  period?: string;
  from?: string;
  to?: string;
  by?: string;
  format?: string;
  pdf?: string;
  comments?: string;
  top?: string;
}

async function stats(ctx: Context, o: StatsOptions): Promise<void> {
  const period = parsePeriodFlags(o);
  const format = ctx.json ? "json" : o.format ? parseCodeFlag("--format", ["text", "json", "csv"] as const, o.format) : "text";
  const by = o.by ? parseCodeFlag("--by", STATS_DIMENSIONS, o.by) : undefined;
  const top = o.top ? parsePositiveInt("--top", o.top) : 10;
  if (o.comments !== undefined && o.pdf === undefined) throw new UsageError("usage.commentsWithoutPdf", {});
  const store = await ctx.store();
  const target = o.pdf !== undefined ? outputFile(ctx, o.pdf, { flag: "--pdf" }) : undefined;
  // The comments are checked before anything is written.
  const comments = o.comments !== undefined ? (await import("../../documents/comments.js")).loadComments(ctx.path(o.comments), store.today) : undefined;
  const { composeStats } = await import("../../store/stats.js");
  const report = await composeStats(store, period, { top });
  let pdf: { file: string; pages: number } | undefined;
  if (target) {
    const { renderBoardReport } = await import("../../documents/board.js");
    const { texts } = await import("../../documents/texts.js");
    const { data, pages } = await renderBoardReport(report, { now: store.actor.now, texts: texts(ctx.home).board, comments });
    target.write(data);
    pdf = { file: target.path, pages };
  }
  const out = formatOutput(ctx, format);
  if (format === "json") return out.result(pdf ? { ...report, pdf } : report, () => {});
  if (format === "csv") {
    ctx.io.stdout.write(await statsCsv(ctx.t, report, by));
    if (pdf) ctx.out.info(ctx.t("stats.pdfWritten", { file: pdf.file, pages: pdf.pages }));
    return;
  }
  if (pdf) return ctx.out.line(ctx.t("stats.pdfWritten", { file: pdf.file, pages: pdf.pages }));
  printStats(ctx, report, by);
}

/** The display name of a code in a breakdown. */
export function dimensionName(t: Translate, report: StatsReport, dim: StatsDimension, code: string): string {
  if (code === NONE_KEY) return t("stats.notSet");
  if (dim === "area" || dim === "kind" || dim === "severity") return codeName(t, dim, code);
  return report.names[code] ?? code;
}

function rowsOf(t: Translate, report: StatsReport, dim: StatsDimension): BreakdownRow[] {
  return breakdown(report, dim, (d, code) => dimensionName(t, report, d, code));
}

/** "50 % (1 av 2)", below five cases "för få (1 av 2)", "–" when nothing to divide by. */
export function shareText(t: Translate, lang: NumberLang, part: number, whole: number): string {
  const p = shareParts(lang, part, whole, true);
  if (p.kind === "none") return "–";
  return p.kind === "tooFew" ? t("stats.tooFew", p) : t("stats.shareOf", p);
}

/** The share within the deadline with its counts: on time of (answered + overdue). */
function deadlineText(t: Translate, lang: NumberLang, d: { answeredOnTime: number; answered: number; unansweredOverdue: number } | undefined): string {
  return d ? shareText(t, lang, d.answeredOnTime, d.answered + d.unansweredOverdue) : "–";
}

function keyFigureRows(ctx: Context, r: StatsReport): string[][] {
  const { t, lang } = ctx;
  return [
    [t("stats.total"), String(r.total), String(r.previous.total), formatSigned(lang, r.trend.total, 0)],
    [t("stats.answered"), String(r.deadline.answered), String(r.previous.deadline.answered), formatSigned(lang, r.deadline.answered - r.previous.deadline.answered, 0)],
    [t("stats.handlingMedian"), formatNumber(lang, r.handlingDays.median), formatNumber(lang, r.previous.handlingDays.median), formatSigned(lang, r.trend.handlingDaysMedian)],
    [t("stats.handlingP90"), formatNumber(lang, r.handlingDays.p90), formatNumber(lang, r.previous.handlingDays.p90), formatSigned(lang, r.trend.handlingDaysP90)],
    [
      t("stats.withinDeadline"),
      deadlineText(t, lang, r.deadline),
      deadlineText(t, lang, r.previous.deadline),
      r.trend.answeredWithinDeadline === null ? "–" : t("stats.pp", { n: formatSigned(lang, Math.round(r.trend.answeredWithinDeadline * 1000) / 10) }),
    ],
    [t("stats.unansweredOverdue"), String(r.deadline.unansweredOverdue), String(r.previous.deadline.unansweredOverdue), formatSigned(lang, r.deadline.unansweredOverdue - r.previous.deadline.unansweredOverdue, 0)],
  ];
}

function printStats(ctx: Context, r: StatsReport, by: StatsDimension | undefined): void {
  const { t, out, lang } = ctx;
  out.line(out.style("bold", t("stats.title", { label: r.label, from: r.from, to: r.to })));
  out.line(t("stats.previous", { label: r.previous.label, from: r.previous.from, to: r.previous.to }));
  out.line();
  out.table(
    [{ header: t("stats.col.figure") }, { header: t("stats.col.period"), align: "right" }, { header: t("stats.col.previous"), align: "right" }, { header: t("stats.col.change"), align: "right" }],
    keyFigureRows(ctx, r),
  );
  out.line();
  out.line(t("stats.byDirection", { out: r.byDirection.out, in: r.byDirection.in, prevOut: r.previous.byDirection.out, prevIn: r.previous.byDirection.in }));
  out.line(t("stats.byMonth", { months: Object.entries(r.byMonth).map(([month, n]) => `${month} ${n}`).join(", ") }));
  out.line(t("stats.open", { date: r.asOf, open: r.open.open, overdue: r.open.overdue }));
  if (r.total === 0) {
    out.line();
    out.line(t("stats.noCases"));
  }
  for (const dim of by ? [by] : STATS_DIMENSIONS) {
    const rows = rowsOf(t, r, dim);
    if (rows.length === 0) continue;
    out.line();
    const withDeadline = dim === "counterpart";
    out.table(
      [
        { header: t(`stats.dim.${dim}` as MessageKey), max: 50 },
        { header: t("stats.col.count"), align: "right" },
        { header: t("stats.col.share"), align: "right" },
        { header: t("stats.col.previous"), align: "right" },
        ...(withDeadline
          ? [
              { header: t("stats.col.out"), align: "right" as const },
              { header: t("stats.col.in"), align: "right" as const },
              { header: t("stats.col.withinDeadline"), align: "right" as const },
              { header: t("stats.col.handlingMedian"), align: "right" as const },
            ]
          : []),
      ],
      rows.map((row) => [
        row.name,
        String(row.count),
        shareText(t, lang, row.count, r.total),
        String(row.previous),
        ...(withDeadline
          ? [
              String(r.byCounterpartDirection[row.code]?.out ?? 0),
              String(r.byCounterpartDirection[row.code]?.in ?? 0),
              deadlineText(t, lang, r.deadlineByCounterpart[row.code]),
              formatNumber(lang, r.handlingDaysByCounterpart[row.code]?.median ?? null),
            ]
          : []),
      ]),
    );
  }
  if (!by && r.topPairs.length) {
    out.line();
    out.line(out.style("bold", t("stats.topPairs")));
    r.topPairs.forEach((p, i) => out.line(`  ${String(i + 1).padStart(2)}. ${codeName(t, "area", p.area)} – ${r.names[p.counterpart] ?? p.counterpart}: ${p.count}`));
  }
  out.line();
  out.line(out.style("dim", t("stats.footnote")));
}

/** A number as Swedish Excel reads it: decimal comma, no grouping; "" for none. */
function excelNumber(v: number | null | undefined): string {
  return v === null || v === undefined ? "" : String(v).replace(".", ",");
}

/**
 * CSV in long form for Swedish Excel, written the way `export` writes (UTF-8 with BOM, ";", CRLF, decimal
 * comma, cells that would run as a formula neutralised): one row per figure or category with the previous
 * period beside it, and for a share the two counts it rests on (`part` of `whole`). `--format json` is the
 * machine form.
 */
export async function statsCsv(t: Translate, r: StatsReport, by: StatsDimension | undefined): Promise<string> {
  const { stringify } = await import("csv-stringify/sync");
  const { neutralise } = await import("../../csv/export.js");
  const rows: Array<Array<string | number | null>> = [];
  const row = (dim: string, code: string, name: string, value: number | null, share: number | null, previous: number | null, part: number | null = null, whole: number | null = null) =>
    rows.push([dim, code, neutralise(name), value, share, previous, part, whole]);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
  const shareOf = (n: number) => (r.total ? round(n / r.total) : null);
  const dueOf = (d: { answered: number; unansweredOverdue: number }) => d.answered + d.unansweredOverdue;
  if (!by) {
    row("key", "total", t("stats.total"), r.total, null, r.previous.total);
    row("key", "answered", t("stats.answered"), r.deadline.answered, null, r.previous.deadline.answered);
    row("key", "handlingDaysMedian", t("stats.handlingMedian"), r.handlingDays.median, null, r.previous.handlingDays.median);
    row("key", "handlingDaysP90", t("stats.handlingP90"), r.handlingDays.p90, null, r.previous.handlingDays.p90);
    row("key", "answeredWithinDeadline", t("stats.withinDeadline"), r.answeredWithinDeadline, null, r.previous.answeredWithinDeadline, r.deadline.answeredOnTime, dueOf(r.deadline));
    row("key", "unansweredOverdue", t("stats.unansweredOverdue"), r.deadline.unansweredOverdue, null, r.previous.deadline.unansweredOverdue);
    row("key", "open", t("stats.csv.open"), r.open.open, null, null);
    row("key", "openOverdue", t("stats.csv.openOverdue"), r.open.overdue, null, null);
  }
  for (const dim of by ? [by] : STATS_DIMENSIONS) {
    for (const b of rowsOf(t, r, dim)) row(dim, b.code, b.name, b.count, b.share === null ? null : round(b.share), b.previous, b.count, r.total);
  }
  if (!by || by === "counterpart") {
    for (const id of Object.keys(r.byCounterpart)) {
      const name = r.names[id] ?? id;
      const flow = r.byCounterpartDirection[id] ?? { in: 0, out: 0 };
      const before = r.previous.byCounterpartDirection[id] ?? { in: 0, out: 0 };
      row("counterpartOut", id, name, flow.out, shareOf(flow.out), before.out, flow.out, r.total);
      row("counterpartIn", id, name, flow.in, shareOf(flow.in), before.in, flow.in, r.total);
      const d = r.deadlineByCounterpart[id];
      if (d) row("counterpartWithinDeadline", id, name, d.share, null, r.previous.deadlineByCounterpart[id]?.share ?? null, d.answeredOnTime, dueOf(d));
      row("counterpartHandlingMedian", id, name, r.handlingDaysByCounterpart[id]?.median ?? null, null, r.previous.handlingDaysByCounterpart[id]?.median ?? null);
    }
    for (const [id, o] of Object.entries(r.openByCounterpart)) {
      row("counterpartOpen", id, r.names[id] ?? id, o.open, null, null);
      row("counterpartOpenOverdue", id, r.names[id] ?? id, o.overdue, null, null);
    }
  }
  if (!by) {
    for (const d of ["out", "in"] as const) row("direction", d, t(`direction.${d}`), r.byDirection[d], shareOf(r.byDirection[d]), r.previous.byDirection[d], r.byDirection[d], r.total);
    // The previous period has other months: no figure beside a month.
    for (const [month, n] of Object.entries(r.history)) row("history", month, month, n, null, null);
    for (const [month, n] of Object.entries(r.byMonth)) row("month", month, month, n, shareOf(n), null, n, r.total);
  }
  return stringify(
    rows.map((cells) => cells.map((c) => (typeof c === "number" ? excelNumber(c) : (c ?? "")))),
    {
      bom: true,
      delimiter: ";",
      header: true,
      columns: ["dimension", "code", "name", "value", "share", "previous", "part", "whole"],
      record_delimiter: "\r\n",
      quoted_match: /^\s|\s$/,
    },
  );
}
