// `avvik report REF [-o FILE] [--with-personal-data]`: the case report, masked unless asked (a reveal is audited).

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { outputFile } from "../outputs.js";
import { writeCaseReport } from "../../app/paper/report.js";
import { fileNameOf } from "../../core/diaryNumber.js";

interface PaperOptions {
  output?: string;
  withPersonalData?: boolean;
}

export function registerReport(program: Command, t: Translate): void {
  const cmd = program
    .command("report")
    .description(t("paper.help.report"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--with-personal-data", t("paper.flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action<PaperOptions>(run));
  examples(cmd, [
    { say: "ex.report.plain", run: "avvik report 2026-000012" },
    { say: "ex.report.stdout", run: "avvik report 2026-000012 -o - | lp" },
  ]);
}

async function run(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const personal = o.withPersonalData === true;
  const r = await writeCaseReport(await ctx.store(), ref, personal, async (label) => outputFile(ctx, o.output ?? `${fileNameOf(label)}-rapport.pdf`, { flag: "-o", personal }));
  if (r.file === "-") return;
  ctx.out.result({ caseId: r.caseId, diaryNumber: r.diaryNumber, file: r.file, withPersonalData: personal, bytes: r.bytes }, () => ctx.out.line(ctx.t("paper.writtenFile", { file: r.file })));
}
