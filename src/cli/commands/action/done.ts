// `avvik action done ID`

import type { Command } from "commander";
import { markActionDone } from "../../../app/action/done.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { parsePositiveInt } from "../../parse.js";

export function registerActionDone(group: Command, t: Translate): void {
  const cmd = group
    .command("done")
    .description(t("help.action.done"))
    .argument("<id>", t("action.col.id"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.action.done", run: "avvik action done 3" },
    { say: "ex.action.doneJson", run: "avvik action done 3 --json" },
  ]);
}

async function run(ctx: Context, _o: unknown, id: string): Promise<void> {
  const { action: a, open } = await markActionDone(await ctx.store(), parsePositiveInt("ID", id.replace(/^#/, "")));
  ctx.out.result(a, () => {
    ctx.out.line(ctx.t("action.markedDone", { id: a.id, case: caseLabel(a.diaryNumber, a.caseId) }));
    ctx.out.line(open.length ? ctx.t("action.remaining", { n: open.length }) : ctx.t("action.allDone"));
  });
}
