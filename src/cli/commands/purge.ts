// `avvik purge [--closed-before D] [--dry-run] [--yes]`: erase the personal data of cases closed long ago.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { purgePlan, purgeRegister } from "../../app/register/purge.js";
import { InterruptedError, UsageError } from "../../core/errors.js";
import { parseDateFlag } from "../parse.js";
import { confirmTyped } from "../prompt.js";

export function registerPurge(program: Command, t: Translate): void {
  const cmd = program
    .command("purge")
    .description(t("help.purge"))
    .option("--closed-before <date>", t("flag.closedBefore"))
    .option("--yes", t("flag.yes"))
    .option("--dry-run", t("flag.purgeDryRun"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.purge.dry", run: "avvik purge --closed-before 2024-01-01 --dry-run" },
    { say: "ex.purge.yes", run: "avvik purge --yes" },
  ]);
}

async function run(ctx: Context, o: { closedBefore?: string; yes?: boolean; dryRun?: boolean }): Promise<void> {
  const given = o.closedBefore !== undefined ? parseDateFlag("--closed-before", o.closedBefore) : undefined;
  if (!o.yes && !o.dryRun && !ctx.canPrompt()) throw new UsageError("usage.purgeNeedsYes", {});
  const store = await ctx.store();
  const counts = await purgePlan(store, given);
  if (o.dryRun) {
    ctx.out.result({ ...counts, dryRun: true }, () => ctx.out.line(ctx.t("protection.purge.would", { ...counts })));
    return;
  }
  if (!o.yes) {
    ctx.out.info(ctx.t("protection.purge.would", { ...counts }));
    const ok = await confirmTyped(ctx, ctx.t("protection.purge.confirm"), false);
    if (!ok) {
      ctx.out.info(ctx.t("protection.purge.cancelled"));
      throw new InterruptedError();
    }
  }
  const r = await purgeRegister(store, counts.closedBefore);
  ctx.out.result(r, () => ctx.out.line(ctx.t("protection.purge.done", { closedBefore: r.closedBefore, cases: r.cases, persons: r.persons, files: r.files })));
  if (!r.walTruncated) ctx.out.warn(ctx.t(store.sql.engine === "postgres" ? "protection.purge.notRewritten" : "protection.purge.walBusy"));
}
