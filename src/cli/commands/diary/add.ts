// `avvik diary add REF --direction in|out|internal --subject TEXT [--party NAME] [--date D] [--secret GROUND]`

import type { Command } from "commander";
import { addEntry } from "../../../app/diary/add.js";
import { codesWithWords, DOCUMENT_DIRECTIONS } from "../../../core/codes.js";
import { localDate } from "../../../core/dates.js";
import { parseSecrecyGround } from "../../../core/secrecy.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { MAX_SHORT_TEXT, parseCodeFlag, parseDateFlag, parseText, requireFlags } from "../../parse.js";

export function registerDiaryAdd(group: Command, t: Translate): void {
  const cmd = group
    .command("add")
    .description(t("help.diary.add"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--direction <direction>", codesWithWords(DOCUMENT_DIRECTIONS, ", "))
    .option("--subject <text>", t("flag.subject"))
    .option("--party <name>", t("flag.party"))
    .option("--date <date>", t("flag.docDate"))
    .option("--secret <ground>", t("flag.secret"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.diary.add", run: 'avvik diary add 2026-000012 --direction in --subject "Svar på avvikelse" --party "Region Östergötland"' },
    { say: "ex.diary.addInternal", run: 'avvik diary add 2026-000012 --direction internal --subject "Utredning upprättad" --date 2026-03-20' },
    { say: "ex.diary.addSecret", run: 'avvik diary add 2026-000012 --direction in --subject "Journalkopia" --party "Region Östergötland" --secret "25 kap. 1 § OSL"' },
  ]);
}

interface Options {
  direction?: string;
  subject?: string;
  party?: string;
  date?: string;
  secret?: string;
}

async function run(ctx: Context, o: Options, ref: string): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["direction", "--direction"], ["subject", "--subject"]]);
  const input = {
    ref,
    direction: parseCodeFlag("--direction", DOCUMENT_DIRECTIONS, o.direction!),
    subject: parseText("--subject", o.subject!, MAX_SHORT_TEXT),
    party: o.party ? parseText("--party", o.party, MAX_SHORT_TEXT) : null,
    ...(o.date ? { date: parseDateFlag("--date", o.date) } : {}),
    ...(o.secret !== undefined ? { secrecy: parseSecrecyGround(o.secret, "--secret", localDate(ctx.now)) } : {}),
  };
  const doc = await addEntry(await ctx.store(), input);
  ctx.out.result(doc, () =>
    ctx.out.line(doc.secrecy ? ctx.t("diary.addedSecret", { number: doc.number, ground: doc.secrecy }) : ctx.t("diary.added", { number: doc.number, subject: doc.subject })),
  );
}
