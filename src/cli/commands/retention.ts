// `avvik retention [YEARS]`: the register's retention period, shown or set.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { retention } from "../../app/register/purge.js";
import { UsageError } from "../../core/errors.js";
import { parsePositiveInt } from "../parse.js";

export function registerRetention(program: Command, t: Translate): void {
  const cmd = program
    .command("retention")
    .description(t("help.retention"))
    .argument("[years]", t("flag.retentionYears"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.retention.show", run: "avvik retention" },
    { say: "ex.retention.set", run: "avvik retention 2" },
  ]);
}

async function run(ctx: Context, _o: unknown, years?: string): Promise<void> {
  let n: number | undefined;
  if (years !== undefined) {
    n = parsePositiveInt("YEARS", years);
    if (n > 100) throw new UsageError("usage.badInt", { flag: "YEARS", value: years });
  }
  const r = await retention(await ctx.store(), n);
  ctx.out.result(r, () =>
    ctx.out.line(r.years ? ctx.t("protection.retention.is", { years: r.years, date: r.closedBefore! }) : ctx.t("protection.retention.none")),
  )
}
