// `avvik analysis REF [-o FILE]`: the event-analysis form (händelseanalys), prefilled, without personal data.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { outputFile } from "../outputs.js";
import { writeCaseAnalysis } from "../../app/paper/report.js";
import { fileNameOf } from "../../core/diaryNumber.js";

export function registerAnalysis(program: Command, t: Translate): void {
  const cmd = program
    .command("analysis")
    .description(t("paper.help.analysis"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--json", t("help.json"))
    .action(action<{ output?: string }>(run));
  examples(cmd, [
    { say: "ex.analysis.plain", run: "avvik analysis 2026-000012" },
    { say: "ex.analysis.file", run: "avvik analysis 2026-000012 -o analys-2026-000012.pdf" },
  ]);
}

async function run(ctx: Context, o: { output?: string }, ref: string): Promise<void> {
  const r = await writeCaseAnalysis(await ctx.store(), ref, async (label) => outputFile(ctx, o.output ?? `${fileNameOf(label)}-analys.pdf`, { flag: "-o", personal: false }));
  if (r.redactedPeople) ctx.out.warn(ctx.t("paper.analysisPeopleReplaced", { count: r.redactedPeople }));
  if (r.redactedUnits.length) ctx.out.warn(ctx.t("paper.analysisUnitsReplaced", { units: r.redactedUnits.join(", ") }));
  if (r.file === "-") return;
  ctx.out.result({ caseId: r.caseId, diaryNumber: r.diaryNumber, file: r.file, bytes: r.bytes }, () => ctx.out.line(ctx.t("paper.writtenFile", { file: r.file })));
}
