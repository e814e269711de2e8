// `avvik case show REF [--reveal] [--history]`

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { showCase } from "../../../app/case/show.js";
import type { Translate } from "../../../i18n/index.js";
import { printCaseCard } from "../../render.js";

export function registerCaseShow(group: Command, t: Translate): void {
  const cmd = group
    .command("show")
    .description(t("help.case.show"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--reveal", t("flag.reveal"))
    .option("--history", t("flag.history"))
    .option("--json", t("help.json"))
    .action(action(show));
  examples(cmd, [
    { say: "ex.case.show", run: "avvik case show 2026-000012" },
    { say: "ex.case.showRef", run: "avvik case show synergi:45678 --history" },
    { say: "ex.case.showReveal", run: "avvik case show 2026-000012 --reveal" },
  ]);
}

export async function show(ctx: Context, o: { reveal?: boolean; history?: boolean }, ref: string): Promise<void> {
  const r = await showCase(await ctx.store(), ref, { reveal: o.reveal === true, history: o.history === true });
  const { case: c, persons, actionItems, recognised } = r;
  const shown = { ...c, actionItems, ...(recognised.length ? { recognisedTexts: recognised } : {}) };
  const value = o.reveal ? { ...shown, persons: persons.map((p) => p.pnr), personDetails: persons } : shown;
  ctx.out.result(value, () => {
    printCaseCard(ctx, c, {
      persons,
      revealed: o.reveal === true,
      history: r.history,
      actions: actionItems,
      eventAnalysisThreshold: r.eventAnalysisThreshold,
    });
    // Texts OCR read from scanned replies: personal identity numbers in them masked unless --reveal.
    for (const x of recognised) {
      ctx.out.line("");
      ctx.out.line(ctx.t("case.recognisedText", { document: x.document }));
      for (const line of x.text.split(/\r?\n/).filter((l) => l.trim())) ctx.out.line(`  ${line.trim()}`);
    }
  });
}
