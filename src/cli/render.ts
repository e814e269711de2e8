// Human rendering of cases, shared by the commands that show them.

import type { Status } from "../core/codes.js";
import type { CaseAction } from "../core/actions.js";
import type { AuditEvent, Case } from "../core/types.js";
import { allowedNext } from "../core/workflow.js";
import { isMessageKey, type MessageKey, type Translate } from "../i18n/index.js";
import type { Context } from "./context.js";
import type { Style } from "./output.js";
import { caseLabel } from "../core/diaryNumber.js";
import { isDeadlineMet } from "../core/deadline.js";

export function codeName(t: Translate, group: "kind" | "area" | "severity" | "status" | "direction" | "role" | "orgKind", code: string | null): string {
  return code ? t(`${group}.${code}` as MessageKey) : "–";
}

const deadlineMet = (c: Pick<Case, "status"> & { answeredAt?: string | null }): boolean => isDeadlineMet(c.status, c.answeredAt);

export function daysText(t: Translate, c: Pick<Case, "daysLeft" | "status" | "overdue"> & { answeredAt?: string | null }): string {
  if (deadlineMet(c)) return "";
  if (c.daysLeft === 0) return t("common.dueToday");
  return c.daysLeft < 0 ? t("common.daysOverdue", { n: -c.daysLeft }) : t("common.daysLeft", { n: c.daysLeft });
}

function deadlineStyle(c: Case): Style | undefined {
  if (c.overdue) return "red";
  if (!deadlineMet(c) && c.daysLeft <= 14) return "yellow";
  return undefined;
}

export function printCaseTable(ctx: Context, cases: Case[]): void {
  const t = ctx.t;
  if (cases.length === 0) return ctx.out.line(t("common.noCases"));
  const hidden = ctx.out.table(
    [
      { header: t("case.col.number") },
      { header: t("case.col.dir") },
      { header: t("case.col.status") },
      { header: t("case.col.counterpart"), max: 28 },
      { header: t("case.col.area"), max: 22 },
      { header: t("case.col.due") },
      { header: t("case.col.left"), align: "right" },
      { header: t("case.col.summary"), max: 48 },
    ],
    cases.map((c) => [
      caseLabel(c.diaryNumber, c.id),
      t(c.direction === "in" ? "direction.short.in" : "direction.short.out"),
      codeName(t, "status", c.status),
      c.unit && c.unit.id !== c.counterpart.id ? `${c.counterpart.name} / ${c.unit.name}` : c.counterpart.name,
      codeName(t, "area", c.area),
      c.dueDate,
      deadlineMet(c) ? "" : String(c.daysLeft),
      c.summary,
    ]),
    (row, col, text) => {
      const s = col === 5 || col === 6 ? deadlineStyle(cases[row]!) : undefined;
      return s ? ctx.out.style(s, text) : text;
    },
  );
  if (hidden) ctx.out.line(ctx.out.style("dim", t("common.moreRows", { n: hidden, command: "avvik case list" })));
  if (cases.length > 10) ctx.out.line(ctx.out.style("dim", t("case.listCount", { n: cases.length })));
}

export interface CardExtras {
  persons: Array<{ pnr: string; name: string | null }>;
  revealed: boolean;
  history?: AuditEvent[];
  /** The case's actions (åtgärder) with owner and due date. */
  actions?: CaseAction[];
  /** From this risk value on, the card suggests an event analysis. */
  eventAnalysisThreshold?: number;
}

export function printCaseCard(ctx: Context, c: Case, extras: CardExtras): void {
  const t = ctx.t;
  const o = ctx.out;
  const label = (key: MessageKey) => t(key).padEnd(20);
  const row = (key: MessageKey, value: string | null | undefined) => o.line(`  ${o.style("dim", label(key))}${value && value.length ? value : t("case.card.none")}`);
  const next = allowedNext(c.direction, c.status as Status).map((s) => codeName(t, "status", s));
  o.line(o.style("bold", t("case.card.title", { number: c.diaryNumber ?? t("case.notDiarised") })) + `  ${c.summary}`);
  row("case.card.direction", codeName(t, "direction", c.direction));
  row("case.card.status", codeName(t, "status", c.status));
  row("case.card.next", next.length ? next.join(", ") : t("common.none"));
  row("case.card.counterpart", `${c.counterpart.name} (${c.counterpart.id})`);
  row("case.card.unit", c.unit ? `${c.unit.name} (${c.unit.id})` : null);
  row("case.card.assignee", c.assignee ? `${c.assignee.name} <${c.assignee.email}>` : null);
  row("case.card.refs", c.refs.map((r) => `${r.system}:${r.id}`).join(", "));
  row("case.card.eventDate", c.eventDate);
  row("case.card.discovered", c.discoveredDate);
  row("case.card.received", c.receivedDate);
  row("case.card.registered", c.registeredAt.slice(0, 16).replace("T", " "));
  const days = daysText(t, c);
  const dueText = `${c.dueDate}${days ? `  (${days})` : ""}`;
  const style = deadlineStyle(c);
  row("case.card.due", style ? o.style(style, dueText) : dueText);
  row("case.card.kind", codeName(t, "kind", c.kind));
  row("case.card.area", codeName(t, "area", c.area));
  row("case.card.severity", c.severity ? codeName(t, "severity", c.severity) : null);
  const risk = c.risk;
  row(
    "case.card.risk",
    risk.score !== null
      ? t("case.card.riskValue", { score: risk.score, p: risk.probability!, c: risk.consequence! })
      : risk.probability !== null || risk.consequence !== null
        ? t("case.card.riskPartial", { p: risk.probability ?? "–", c: risk.consequence ?? "–" })
        : null,
  );
  if (risk.eventAnalysisSuggested && extras.eventAnalysisThreshold !== undefined) {
    o.line(`  ${" ".repeat(20)}${o.style("red", t("case.card.eventAnalysis", { score: risk.score!, threshold: extras.eventAnalysisThreshold }))}`);
  }
  row("case.card.classification", c.classification ? `${c.classification}${c.classificationName ? ` ${c.classificationName}` : ""}` : null);
  if (c.duplicateOf) row("case.card.duplicateOf", c.duplicateOf);
  if (c.secrecy) row("case.card.secrecy", c.secrecy);
  if (c.archived) o.line(`  ${o.style("dim", t("case.card.archived", { at: c.archived.at.slice(0, 10), package: c.archived.package }))}`);
  row(
    "case.card.persons",
    extras.persons.length
      ? extras.persons.map((p) => (p.name ? `${p.pnr} ${p.name}` : p.pnr)).join(", ") + (extras.revealed ? "" : ` ${o.style("dim", t("case.card.personsMasked"))}`)
      : null,
  );
  for (const [key, text] of [
    ["case.card.description", c.description],
    ["case.card.causes", c.causes],
    ["case.card.actions", c.actions],
    ["case.card.followUp", c.followUp],
  ] as const) {
    if (!text) continue;
    o.line(`  ${o.style("dim", t(key))}`);
    for (const l of text.split("\n")) o.line(`    ${l}`);
  }
  if (extras.actions?.length) {
    o.line(`  ${o.style("dim", t("case.card.actionItems"))}`);
    for (const a of extras.actions) {
      const state = a.doneAt ? t("action.state.done", { date: a.doneAt.slice(0, 10) }) : a.overdue ? o.style("red", t("action.state.overdue")) : t("action.state.open");
      o.line(`    #${String(a.id).padEnd(5)} ${a.due}  ${state}  ${a.owner.name}: ${a.text}`);
    }
  }
  if (c.documents?.length) {
    o.line(`  ${o.style("dim", t("case.card.documents"))}`);
    for (const d of c.documents) {
      const marks = [d.voided ? t("diary.voidedMark", { at: d.voided.at.slice(0, 10), reason: d.voided.reason }) : "", d.secrecy ? t("diary.secretMark", { ground: d.secrecy }) : ""].filter(Boolean);
      o.line(`    ${d.number.padEnd(16)} ${d.date}  ${codeName(t, "direction", d.direction).padEnd(10)} ${d.party ? `${d.party}: ` : ""}${d.subject}${marks.length ? `  ${marks.join(" · ")}` : ""}`);
    }
  }
  if (extras.history?.length) {
    o.line(`  ${o.style("dim", t("case.card.history"))}`);
    for (const e of extras.history) o.line(`    ${e.at.slice(0, 16).replace("T", " ")}  ${e.user.padEnd(12)} ${actionName(t, e.action)} ${detailsText(e.details)}`);
  }
}

/** An audit event's action as the user reads it ("registrerat"); an action without a name shows its code. */
export function actionName(t: Translate, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(" ");
}
