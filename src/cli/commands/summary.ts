// `avvik summary`: what needs doing today (new cases, overdue, due soon, awaiting an answer, overdue actions,
// cases whose risk calls for an event analysis), for the morning cron job; `--email` mails it (always Swedish)
// through the outbox.

import type { Command } from "commander";
import { flushMessages } from "../../app/mail/outbox.js";
import { queueSummaryMail, summarise, summaryRecipientsOf } from "../../app/summary/summary.js";
import { ROLES } from "../../core/codes.js";
import { daysBetween } from "../../core/dates.js";
import { isAwaitingAnswer } from "../../core/deadline.js";
import { caseLabel } from "../../core/diaryNumber.js";
import { InterruptedError, UsageError } from "../../core/errors.js";
import { tSv, type MessageKey, type Translate } from "../../i18n/index.js";
import type { Summary, SummaryCase } from "../../store/stats.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { formatOutput } from "../outputs.js";
import { parseCodeFlag, parseDateFlag, parseEmail, parseNonNegativeInt } from "../parse.js";
import { codeName } from "../render.js";
import { errorText } from "./outbox/view.js";

export function registerSummary(program: Command, t: Translate): void {
  const cmd = program
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
  examples(cmd, [
    { say: "ex.summary.text", run: "avvik summary" },
    { say: "ex.summary.cron", run: "avvik summary --mark --email mas" },
    { say: "ex.summary.json", run: "avvik summary --format json --peek" },
  ]);
}

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
  formatOutput(ctx, format).result({ ...s, marked: mark }, () => printSummary(ctx, s));
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
    const final = r.messages[0] ?? await store.outbox.get(queued.id);
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
