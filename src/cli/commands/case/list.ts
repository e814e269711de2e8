// `avvik case list [--status S] [--direction D] [--overdue] [--due-within N] [--counterpart ORG] [--search T] [--limit N]`

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { listCaseJson, listCases } from "../../../app/case/list.js";
import { codesWithWords, DIRECTIONS, STATUSES } from "../../../core/codes.js";
import type { CaseFilter } from "../../../core/types.js";
import type { Translate } from "../../../i18n/index.js";
import { MAX_SHORT_TEXT, parseCodeFlag, parseNonNegativeInt, parseOrgId, parsePositiveInt, parseText } from "../../parse.js";
import { printCaseTable } from "../../render.js";

export function registerCaseList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.case.list"))
    .option("--status <status>", codesWithWords(STATUSES, ", "))
    .option("--direction <direction>", codesWithWords(DIRECTIONS, ", "))
    .option("--overdue", t("flag.overdue"))
    .option("--due-within <days>", t("flag.dueWithin"))
    .option("--counterpart <org>", t("flag.counterpartFilter"))
    .option("--search <text>", t("flag.search"))
    .option("--limit <n>", t("flag.limit"))
    .option("--json", t("help.json"))
    .action(action(list));
  examples(cmd, [
    { say: "ex.case.listOverdue", run: "avvik case list --overdue" },
    { say: "ex.case.listDue", run: "avvik case list --due-within 14 --direction in" },
    { say: "ex.case.listSearch", run: 'avvik case list --search "läkemedelslista"' },
  ]);
}

export interface ListOptions {
  status?: string;
  direction?: string;
  overdue?: boolean;
  dueWithin?: string;
  counterpart?: string;
  search?: string;
  limit?: string;
}

export async function list(ctx: Context, o: ListOptions): Promise<void> {
  const filter: CaseFilter = {};
  if (o.status) filter.status = parseCodeFlag("--status", STATUSES, o.status);
  if (o.direction) filter.direction = parseCodeFlag("--direction", DIRECTIONS, o.direction);
  if (o.overdue) filter.overdue = true;
  if (o.dueWithin !== undefined) filter.dueWithin = parseNonNegativeInt("--due-within", o.dueWithin);
  if (o.search) filter.text = parseText("--search", o.search, MAX_SHORT_TEXT);
  if (o.limit) filter.limit = parsePositiveInt("--limit", o.limit);
  if (o.counterpart) filter.counterpartId = parseOrgId("--counterpart", o.counterpart);
  const store = await ctx.store();
  if (ctx.json) return await ctx.out.jsonTexts(await listCaseJson(store, filter));
  printCaseTable(ctx, await listCases(store, filter));
}
