// `avvik action list [--case REF] [--overdue] [--json]`

import type { Command } from "commander";
import { listActions } from "../../../app/action/list.js";
import type { CaseAction } from "../../../core/actions.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";

export function registerActionList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.action.list"))
    .option("--case <ref>", t("flag.actionCase"))
    .option("--overdue", t("flag.actionOverdue"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.action.list", run: "avvik action list --case 2026-000012" },
    { say: "ex.action.listOverdue", run: "avvik action list --overdue --json" },
  ]);
}

async function run(ctx: Context, o: { case?: string; overdue?: boolean }): Promise<void> {
  const actions = await listActions(await ctx.store(), { ref: o.case, overdue: o.overdue === true });
  ctx.out.result(actions, () => printActions(ctx, actions));
}

/** The state of an action as the user reads it: open, overdue (red), or done on a date. */
export function actionState(ctx: Context, a: CaseAction): string {
  if (a.doneAt) return ctx.t("action.state.done", { date: a.doneAt.slice(0, 10) });
  return a.overdue ? ctx.out.style("red", ctx.t("action.state.overdue")) : ctx.t("action.state.open");
}

export function printActions(ctx: Context, actions: CaseAction[]): void {
  const t = ctx.t;
  if (actions.length === 0) return ctx.out.line(t("action.none"));
  ctx.out.table(
    [
      { header: t("action.col.id"), align: "right" },
      { header: t("action.col.case") },
      { header: t("action.col.text"), max: 50 },
      { header: t("action.col.owner"), max: 28 },
      { header: t("action.col.due") },
      { header: t("action.col.state") },
    ],
    actions.map((a) => [String(a.id), caseLabel(a.diaryNumber, a.caseId), a.text, a.owner.name, a.due, actionState(ctx, a)]),
  );
}
