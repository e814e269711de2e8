// `avvik classification list [--json]`

import type { Command } from "commander";
import { listClassification } from "../../../app/classification/list.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";

export function registerClassificationList(group: Command, t: Translate): void {
  const cmd = group.command("list").description(t("help.classification.list")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.classification.list", run: "avvik classification list" },
    { say: "ex.json", run: "avvik classification list --json" },
  ]);
}

async function run(ctx: Context): Promise<void> {
  const view = await listClassification(await ctx.store());
  ctx.out.result(view, () => {
    if (view.defaultCode) ctx.out.line(ctx.t("classification.default", { code: view.defaultCode }));
    if (view.codes.length === 0) return ctx.out.line(ctx.t("classification.none"));
    ctx.out.table([{ header: ctx.t("classification.col.code") }, { header: ctx.t("classification.col.name"), max: 70 }], view.codes.map((c) => [c.code, c.name]));
  });
}
