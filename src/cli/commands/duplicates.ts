// `avvik duplicates`: pairs of cases that may report the same event (the same person, references, dates
// close together, similar summaries); `case update --duplicate-of` links them.

import type { Command } from "commander";
import { DUPLICATE_WINDOW_DAYS, type DuplicateReason } from "../../core/duplicates.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { parsePeriodFlags } from "../parse.js";

export function registerDuplicates(program: Command, t: Translate): void {
  const cmd = program
    .command("duplicates")
    .description(t("help.duplicates"))
    .option("--period <period>", t("flag.duplicatesPeriod"))
    .option("--from <date>", t("flag.periodFrom"))
    .option("--to <date>", t("flag.periodTo"))
    .option("--json", t("help.json"))
    .action(action(duplicates));
  examples(cmd, [
    { say: "ex.duplicates.list", run: "avvik duplicates" },
    { say: "ex.duplicates.period", run: "avvik duplicates --period 2026H1 --json" },
    { say: "ex.duplicates.link", run: "avvik case update 2026-000031 --duplicate-of 2026-000012" },
  ]);
}

export function reasonText(t: Translate, reason: DuplicateReason, days?: number): string {
  return t(`duplicates.reason.${reason}` as MessageKey, { n: reason === "closeDates" ? (days ?? DUPLICATE_WINDOW_DAYS) : undefined });
}

async function duplicates(ctx: Context, o: { period?: string; from?: string; to?: string }): Promise<void> {
  // Without a period, the whole register; with one, the pairs with a case registered in it.
  const period = o.period !== undefined || o.from !== undefined || o.to !== undefined ? parsePeriodFlags(o) : undefined;
  const store = await ctx.store();
  const pairs = await store.stats.duplicatePairs(period);
  const value = pairs.map((p) => ({ a: p.a, b: p.b, reasons: p.reasons, days: p.days, similarity: p.similarity }));
  ctx.out.result(value, () => {
    const t = ctx.t;
    if (pairs.length === 0) return ctx.out.line(t("duplicates.none"));
    // At a terminal only the first rows are rendered (a register of millions gives millions of pairs).
    const limit = ctx.out.terminalRows(pairs.length);
    const hidden = ctx.out.table(
      [{ header: t("duplicates.col.a") }, { header: t("duplicates.col.b") }, { header: t("duplicates.col.reasons"), max: 200 }],
      pairs.slice(0, limit).map((p) => [p.a, p.b, p.reasons.map((r) => reasonText(t, r, DUPLICATE_WINDOW_DAYS)).join(", ")]),
    );
    if (pairs.length > limit || hidden) ctx.out.line(ctx.out.style("dim", t("common.moreRows", { n: pairs.length - limit + hidden, command: "avvik duplicates" })));
    ctx.out.line();
    ctx.out.line(ctx.out.style("dim", t("duplicates.hint")));
  });
}
