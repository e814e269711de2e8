// `avvik config list`: every setting with its value and where the value comes from.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { CONFIG_KEYS, displayValue, resolveValue } from "../../config.js";
import { inputs, row, sourceText } from "./shared.js";

export function registerConfigList(group: Command, t: Translate): void {
  const cmd = group.command("list").description(t("help.config.list")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.config.list", run: "avvik config list" },
    { say: "ex.json", run: "avvik config list --json" },
  ]);
}

async function run(ctx: Context, _o: unknown): Promise<void> {
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const rows = CONFIG_KEYS.map((k) => ({ k, r: resolveValue(k, i) }));
  ctx.out.result(
    rows.map(({ k, r }) => row(ctx, k, r)),
    () =>
      ctx.out.table(
        [{ header: ctx.t("config.col.key") }, { header: ctx.t("config.col.value"), max: 48 }, { header: ctx.t("config.col.source") }, { header: ctx.t("config.col.description"), max: 60 }],
        rows.map(({ k, r }) => [k.key, displayValue(k, r.value), sourceText(ctx.t, r), ctx.t(k.describe)]),
      ),
  );
}
