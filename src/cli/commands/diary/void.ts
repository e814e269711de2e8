// `avvik diary void NUMBER --reason TEXT`

import type { Command } from "commander";
import { voidEntry } from "../../../app/diary/void.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { MAX_SHORT_TEXT, parseText, requireFlags } from "../../parse.js";

export function registerDiaryVoid(group: Command, t: Translate): void {
  const cmd = group
    .command("void")
    .description(t("help.diary.void"))
    .argument("<number>", t("flag.documentNumber"))
    .option("--reason <text>", t("flag.voidReason"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.diary.void", run: 'avvik diary void 2026-000012:3 --reason "Diarieförd i fel ärende"' },
    { say: "ex.diary.voidJson", run: 'avvik diary void 2026-000012:3 --reason "Dubbelregistrerad" --json' },
  ]);
}

async function run(ctx: Context, o: { reason?: string }, number: string): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["reason", "--reason"]]);
  const reason = parseText("--reason", o.reason!, MAX_SHORT_TEXT);
  const doc = await voidEntry(await ctx.store(), { number, reason });
  ctx.out.result(doc, () => ctx.out.line(ctx.t("diary.voided", { number: doc.number, reason })));
}
