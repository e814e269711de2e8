// `avvik config get KEY`: one setting's value (stdout) and where it comes from (stderr).

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { displayValue, resolveValue } from "../../config.js";
import { inputs, requireKey, row, sourceText } from "./shared.js";

export function registerConfigGet(group: Command, t: Translate): void {
  const cmd = group.command("get").description(t("help.config.get")).argument("<key>", t("flag.configKey")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.config.get", run: "avvik config get deadline.months" },
    { say: "ex.config.getLang", run: "AVVIK_LANG=en avvik config get language" },
  ]);
}

async function run(ctx: Context, _o: unknown, key: string): Promise<void> {
  const k = requireKey(key);
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const r = resolveValue(k, i);
  ctx.out.result(row(ctx, k, r), () => {
    ctx.out.line(displayValue(k, r.value));
    ctx.out.info(ctx.t("config.from", { source: sourceText(ctx.t, r) }));
  });
}
