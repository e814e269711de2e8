// `avvik org import NAME|FILE`: a built-in directory (ostergotland, vastra-gotaland) or a file of one's own.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { readDirectory } from "../../../app/org/directory.js";
import { importDirectory } from "../../../app/org/import.js";

export function registerOrgImport(group: Command, t: Translate): void {
  const cmd = group
    .command("import")
    .description(t("help.org.import"))
    .argument("<name|file>", t("flag.directory"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.org.import", run: "avvik org import ostergotland" },
    { say: "ex.org.importFile", run: "avvik org import ./katalog.json" },
  ]);
}

async function run(ctx: Context, _o: unknown, nameOrFile: string): Promise<void> {
  const { data } = readDirectory(nameOrFile, ctx.io.cwd);
  const counts = await importDirectory(await ctx.store(), data);
  const name = data.name ?? nameOrFile;
  ctx.out.result({ name, ...counts }, () => ctx.out.line(ctx.t("org.imported", { name, ...counts })));
}
