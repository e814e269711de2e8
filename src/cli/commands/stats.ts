// Learning from deviations (CLI.md section 5): `summary` for the morning cron job, `stats` for the
// half-year report to the board, `duplicates` for events reported twice.

import type { Command } from "commander";
import { flushMessages } from "../../app/mail/outbox.js";
import { queueSummaryMail, summarise, summaryRecipientsOf } from "../../app/summary/summary.js";
import { DUPLICATE_WINDOW_DAYS, type DuplicateReason } from "../../core/duplicates.js";
import { InterruptedError, UsageError } from "../../core/errors.js";
import { ROLES } from "../../core/codes.js";
import { isAwaitingAnswer } from "../../core/deadline.js";
import {
  NONE_KEY,
  STATS_DIMENSIONS,
  breakdown,
  formatNumber,
  formatSigned,
  parsePeriod,
  rangePeriod,
  shareParts,
  type BreakdownRow,
  type NumberLang,
  type Period,
  type StatsDimension,
} from "../../core/stats.js";
import { tSv, type MessageKey, type Translate } from "../../i18n/index.js";
import type { StatsReport, Summary, SummaryCase } from "../../store/stats.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { Output } from "../output.js";
import { outputFile } from "../outputs.js";
import { requireFlags, parseCodeFlag, parseDateFlag, parseEmail, parseNonNegativeInt, parsePositiveInt } from "../parse.js";
import { codeName } from "../render.js";
import { errorText } from "./outbox/view.js";
import { caseLabel } from "../../core/diaryNumber.js";
import { daysBetween } from "../../core/dates.js";


export function registerStats(program: Command, t: Translate): void {
  program
    .command("summary")
    .description(t("help.summary"))
    .option("--format <format>", `text|json – ${t("flag.format")}`)
    .option("--email <role|email>", t("flag.summaryEmail"))
    .option("--due-days <n>", t("flag.dueDays"))
    .option("--since <date>", t("flag.since"))
    .option("--mark", t("flag.mark"))
    .option("--peek", t("flag.peek"))
    .option("--json", t("help.json"))
    .action(action(summary));
  program
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
  program
    .command("duplicates")
    .description(t("help.duplicates"))
    .option("--period <period>", t("flag.duplicatesPeriod"))
    .option("--from <date>", t("flag.periodFrom"))
    .option("--to <date>", t("flag.periodTo"))
    .option("--json", t("help.json"))
    .action(action(duplicates));
}

/** An Output in JSON mode when --json or --format json asks for it. */
function outputFor(ctx: Context, format: "text" | "json" | "csv"): Output {
  return format === "json" && !ctx.json ? new Output(true, ctx.io, ctx.env) : ctx.out;
}

// --- summary ------------------------------------------------------------------------------------------

interface SummaryOptions {
  format?: string;
  email?: string;
  dueDays?: string;
  since?: string;
  mark?: boolean;
  peek?: boolean;
}

async function summary(ctx: Context, o: SummaryOptions): Promise<void> {
  const format = ctx.json ? "json" : o.format ? parseCodeFlag("--format", ["text", "json"] as const, o.format) : "text";
  const dueDays = o.dueDays !== undefined ? parseNonNegativeInt("--due-days", o.dueDays) : undefined;
  const since = o.since ? parseDateFlag("--since", o.since) : undefined;
  if (o.mark && o.peek) throw new UsageError("usage.markAndPeek");
  // A person at a terminal only looks (the cron mail's "new" list stays whole); --mark records the run. Without a
  // terminal (cron, scripts written before --mark) a run records itself unless --peek, as it always did.
  const atTerminal = ctx.io.stdin.isTTY === true || ctx.io.stdout.isTTY === true;
  const mark = o.mark === true || (!o.peek && !atTerminal);
  const store = await ctx.store();
  const to = o.email !== undefined ? await summaryRecipients(store, o.email) : undefined;
  const s = await summarise(store, { since, dueDays, peek: !mark, mail: { home: ctx.home, env: ctx.env } });
  if (to) await mailSummary(ctx, store, s, to);
  outputFor(ctx, format).result({ ...s, marked: mark }, () => printSummary(ctx, s));
  if (!mark && atTerminal && format === "text") ctx.out.info(ctx.out.style("dim", ctx.t("summary.notMarked")));
}

/** `--email ROLE|EMAIL`: an address, or the contacts with that role in our own organisation (else its units). */
async function summaryRecipients(store: Store, target: string): Promise<Array<{ name: string | null; address: string }>> {
  const value = target.trim();
  if (value.includes("@")) return [{ name: null, address: parseEmail("--email", value) }];
  return summaryRecipientsOf(store, parseCodeFlag("--email", ROLES, value));
}

/** Queues the summary (always Swedish) through the outbox and tries to deliver it at once; reports on stderr. */
async function mailSummary(ctx: Context, store: Store, s: Summary, to: Array<{ name: string | null; address: string }>): Promise<void> {
  const queued = await queueSummaryMail(store, s, summaryText(tSv, s), to, { home: ctx.home, env: ctx.env });
  ctx.out.info(ctx.t("summary.mailQueued", { id: queued.id, to: to.map((a) => a.address).join(", ") }));
  try {
    const { withInterrupt } = await import("../interrupt.js");
    const r = await withInterrupt((signal) => flushMessages(store, { home: ctx.home, env: ctx.env, ids: [queued.id], signal }));
    const final = r.messages[0] ?? store.outbox.get(queued.id);
    const file = r.files[queued.id];
    if (final.status === "sent") ctx.out.info(file ? ctx.t("summary.mailSavedFile", { id: final.id, file }) : ctx.t("summary.mailSent", { id: final.id }));
    else ctx.out.warn(ctx.t("summary.mailNotSent", { id: final.id, error: errorText(ctx.t, final.lastError) }));
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    // Queued safely; `avvik outbox flush` delivers it later.
    ctx.out.warn(ctx.t("summary.mailNotSent", { id: queued.id, error: err instanceof Error ? err.message : String(err) }));
  }
}

/** Who a case is waiting on in the summary: the responsible person, else the unit, else nobody. */
export function responsibleOf(t: Translate, c: SummaryCase): string {
  if (c.assignee) return `${c.assignee.name} <${c.assignee.email}>`;
  if (c.unit) return t("summary.unit", { name: c.unit.name });
  return t("summary.noResponsible");
}

function printSummary(ctx: Context, s: Summary): void {
  ctx.out.line(summaryText(ctx.t, s, (style, text) => ctx.out.style(style, text)));
}

/** The summary as text in a given language; `style` adds emphasis on a terminal (identity for e-mail). */
export function summaryText(t: Translate, s: Summary, style: (s: "bold" | "red", text: string) => string = (_s, x) => x): string {
  const out: string[] = [];
  out.push(style("bold", t("summary.title", { date: s.date })));
  out.push(t("summary.since", { since: s.since.length > 10 ? s.since.slice(0, 16).replace("T", " ") : s.since }));
  out.push(t("summary.totals", { newCases: s.newCases.length, overdue: s.overdue.length, dueSoon: s.dueSoon.length, days: s.dueDays, awaiting: s.awaitingReply.length }));
  const sections: Array<[MessageKey, SummaryCase[]]> = [
    ["summary.section.newCases", s.newCases],
    ["summary.section.overdue", s.overdue],
    ["summary.section.dueSoon", s.dueSoon],
    ["summary.section.awaitingReply", s.awaitingReply],
  ];
  for (const [key, cases] of sections) {
    out.push("");
    const title = `${t(key, { days: s.dueDays })} (${cases.length})`;
    if (cases.length === 0) {
      out.push(`${style("bold", title)}: ${t("summary.none")}`);
      continue;
    }
    out.push(style("bold", title));
    const groups = new Map<string, Array<{ c: SummaryCase; cells: string[] }>>();
    const widths = [0, 0, 0, 0, 0];
    for (const c of cases) {
      const cells = caseCells(t, c);
      cells.slice(0, 5).forEach((cell, i) => (widths[i] = Math.max(widths[i]!, cell.length)));
      const g = responsibleOf(t, c);
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push({ c, cells });
    }
    for (const [group, list] of [...groups.entries()].sort((x, y) => x[0].localeCompare(y[0], "sv"))) {
      out.push(`  ${group}`);
      for (const { c, cells } of list) {
        const text = cells.map((cell, i) => (i < 5 ? cell.padEnd(widths[i]!) : cell)).join("  ");
        out.push(`    ${c.overdue ? style("red", text) : text}`.trimEnd());
      }
    }
  }
  // Actions past their due date, and cases whose risk calls for an event analysis (issue 19).
  const overdueActions = s.overdueActions;
  out.push("");
  const actionsTitle = `${t("summary.section.overdueActions")} (${overdueActions.length})`;
  if (overdueActions.length === 0) out.push(`${style("bold", actionsTitle)}: ${t("summary.none")}`);
  else {
    out.push(style("bold", actionsTitle));
    const byOwner = new Map<string, typeof overdueActions>();
    for (const a of overdueActions) {
      const key = `${a.owner.name} <${a.owner.email}>`;
      byOwner.set(key, [...(byOwner.get(key) ?? []), a]);
    }
    for (const [owner, list] of [...byOwner.entries()].sort((x, y) => x[0].localeCompare(y[0], "sv"))) {
      out.push(`  ${owner}`);
      for (const a of list) {
        const late = t("common.daysOverdue", { n: daysBetween(a.due, s.date) });
        const text = a.text.length > 60 ? `${a.text.slice(0, 59)}…` : a.text;
        out.push(`    ${style("red", t("summary.actionLine", { case: caseLabel(a.diaryNumber, a.caseId), id: a.id, due: a.due, late, text }))}`);
      }
    }
  }
  const risky = s.eventAnalysis;
  out.push("");
  const riskTitle = `${t("summary.section.eventAnalysis", { threshold: s.eventAnalysisThreshold })} (${risky.length})`;
  if (risky.length === 0) out.push(`${style("bold", riskTitle)}: ${t("summary.none")}`);
  else {
    out.push(style("bold", riskTitle));
    for (const c of risky) {
      const summaryText = c.summary.length > 60 ? `${c.summary.slice(0, 59)}…` : c.summary;
      out.push(`  ${t("summary.riskLine", { case: caseLabel(c.diaryNumber, c.id), score: c.risk.score, summary: summaryText })}`);
    }
  }
  if (s.failedMail.length) {
    out.push("", style("bold", t("summary.failedMail", { n: s.failedMail.length })));
    for (const m of s.failedMail) out.push(`  ${m.id}  ${m.case ?? "–"}  ${m.subject}: ${errorText(t, m.lastError)}`.trimEnd());
  }
  if (s.mailFiles) out.push("", t("summary.mailFiles", { n: s.mailFiles.count, dir: s.mailFiles.dir }));
  if (s.auditHead) out.push("", t("summary.auditHead", { head: `${s.auditHead.id}:${s.auditHead.hash}` }));
  return out.join("\n");
}

function caseCells(t: Translate, c: SummaryCase): string[] {
  const days = c.daysLeft < 0 ? t("common.daysOverdue", { n: -c.daysLeft }) : c.daysLeft === 0 ? t("common.dueToday") : t("common.daysLeft", { n: c.daysLeft });
  const summaryText = c.summary.length > 60 ? `${c.summary.slice(0, 59)}…` : c.summary;
  const extra = c.duplicateOf ? ` (${t("summary.duplicateOf", { case: c.duplicateOf })})` : "";
  return [
    caseLabel(c.diaryNumber, c.id),
    t(c.direction === "in" ? "direction.short.in" : "direction.short.out"),
    c.counterpart.name,
    t("summary.due", { date: c.dueDate }),
    isAwaitingAnswer(c.status) ? days : codeName(t, "status", c.status),
    `${codeName(t, "area", c.area)}: ${summaryText}${extra}`,
  ];
}

// --- stats --------------------------------------------------------------------------------------------

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

/** --period, or --from with --to; a usage error naming what is missing or malformed. */
export function periodFromFlags(o: { period?: string; from?: string; to?: string }): Period {
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

async function stats(ctx: Context, o: StatsOptions): Promise<void> {
  const period = periodFromFlags(o);
  const format = ctx.json ? "json" : o.format ? parseCodeFlag("--format", ["text", "json", "csv"] as const, o.format) : "text";
  const by = o.by ? parseCodeFlag("--by", STATS_DIMENSIONS, o.by) : undefined;
  const top = o.top ? parsePositiveInt("--top", o.top) : 10;
  if (o.comments !== undefined && o.pdf === undefined) throw new UsageError("usage.commentsWithoutPdf", {});
  const store = await ctx.store();
  const target = o.pdf !== undefined ? outputFile(ctx, o.pdf, { flag: "--pdf" }) : undefined;
  // The comments are checked before anything is written.
  const comments = o.comments !== undefined ? (await import("../../documents/comments.js")).loadComments(ctx.path(o.comments), store.today) : undefined;
  const { composeStats } = await import("../../store/stats.js");
  const report = composeStats(store, period, { top });
  let pdf: { file: string; pages: number } | undefined;
  if (target) {
    const { renderBoardReport } = await import("../../documents/board.js");
    const { texts } = await import("../../documents/texts.js");
    const { data, pages } = await renderBoardReport(report, { now: store.actor.now, texts: texts(ctx.home).board, comments });
    target.write(data);
    pdf = { file: target.path, pages };
  }
  const out = outputFor(ctx, format);
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

// --- duplicates ---------------------------------------------------------------------------------------

export function reasonText(t: Translate, reason: DuplicateReason, days?: number): string {
  return t(`duplicates.reason.${reason}` as MessageKey, { n: reason === "closeDates" ? (days ?? DUPLICATE_WINDOW_DAYS) : undefined });
}

async function duplicates(ctx: Context, o: { period?: string; from?: string; to?: string }): Promise<void> {
  // Without a period, the whole register; with one, the pairs with a case registered in it.
  const period = o.period !== undefined || o.from !== undefined || o.to !== undefined ? periodFromFlags(o) : undefined;
  const store = await ctx.store();
  const pairs = store.stats.duplicatePairs(period);
  const value = pairs.map((p) => ({ a: p.a, b: p.b, reasons: p.reasons, days: p.days, similarity: p.similarity }));
  ctx.out.result(value, () => {
    const t = ctx.t;
    if (pairs.length === 0) return ctx.out.line(t("duplicates.none"));
    // At a terminal only the first rows are rendered (a register of millions gives millions of pairs).
    const limit = ctx.out.terminalRows(pairs.length);
    const hidden = ctx.out.table(
      [{ header: t("duplicates.col.a") }, { header: t("duplicates.col.b") }, { header: t("duplicates.col.reasons"), max: 200 }],
      pairs.slice(0, limit).map((p) => [p.a, p.b, p.reasons.map((r) => reasonText(t, r, DUPLICATE_WINDOW_DAYS)).join(", ")]),
    );
    if (pairs.length > limit || hidden) ctx.out.line(ctx.out.style("dim", t("common.moreRows", { n: pairs.length - limit + hidden, command: "avvik duplicates" })));
    ctx.out.line();
    ctx.out.line(ctx.out.style("dim", t("duplicates.hint")));
  });
}
