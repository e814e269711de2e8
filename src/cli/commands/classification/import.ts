// `avvik classification import FILE`

import type { Command } from "commander";
import { importClassification } from "../../../app/classification/import.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";

export function registerClassificationImport(group: Command, t: Translate): void {
  const cmd = group
    .command("import")
    .description(t("help.classification.import"))
    .argument("<file>", t("help.ph.file"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.classification.import", run: "avvik classification import klassificering.csv" },
    { say: "ex.classification.importJson", run: "avvik classification import klassa.json --json" },
  ]);
}

async function run(ctx: Context, _o: unknown, file: string): Promise<void> {
  const r = await importClassification(await ctx.store(), { file: ctx.path(file) });
  ctx.out.result(r, () => ctx.out.line(ctx.t("classification.imported", { file, total: r.total, added: r.added, changed: r.changed, removed: r.removed })));
}
