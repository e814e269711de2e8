// `avvik exchange export REF [-o FILE] [--with-personal-data]`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { exportExchangeFile } from "../../../app/exchange/export.js";
import { outputFile } from "../../outputs.js";
import { codeName } from "../../render.js";

export interface ExportOptions {
  output?: string;
  withPersonalData?: boolean;
}

export function registerExchangeExport(group: Command, t: Translate): void {
  const cmd = group
    .command("export")
    .description(t("help.exchange.export"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("flag.exchangeOutput"))
    .option("--with-personal-data", t("flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action(exportCase));
  examples(cmd, [
    { say: "ex.exchange.export", run: "avvik exchange export 2026-000012" },
    { say: "ex.exchange.exportPersons", run: "avvik exchange export 2026-000012 --with-personal-data -o till-regionen.pdf" },
  ]);
}

export async function exportCase(ctx: Context, o: ExportOptions, ref: string): Promise<void> {
  const personal = o.withPersonalData === true;
  const r = await exportExchangeFile(await ctx.store(), ref, { withPersonalData: personal, home: ctx.home }, (stem) =>
    outputFile(ctx, o.output ?? `${stem}-exchange.pdf`, { flag: "-o", personal }),
  );
  if (r.isStdout) return; // the file itself was the output
  const { file, label, status } = r;
  ctx.out.result({ caseId: r.caseId, diaryNumber: r.diaryNumber, file, type: r.type, document: r.document, existingDocument: r.existingDocument, status }, () => {
    ctx.out.line(ctx.t("exchange.exported", { file, case: label, status: codeName(ctx.t, "status", status) }));
    if (!r.document) ctx.out.line(ctx.t("exchange.exportedSame", { document: r.existingDocument! }));
  });
}
