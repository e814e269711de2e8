// `avvik backup FILE [--force]`: the whole register in one file, without the key.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { backupRegister } from "../../app/register/backup.js";
import { UsageError } from "../../core/errors.js";
import { outputFile } from "../outputs.js";

export function registerBackup(program: Command, t: Translate): void {
  const cmd = program
    .command("backup")
    .description(t("help.backup"))
    .argument("<file>", t("flag.backupFile"))
    .option("--force", t("flag.backupForce"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.backup", run: "avvik backup /mnt/backup/avvik-2026-11-23.avvikbak" },
    { say: "ex.backup.force", run: "avvik backup /mnt/backup/avvik-senaste.avvikbak --force" },
  ]);
}

async function run(ctx: Context, o: { force?: boolean }, file: string): Promise<void> {
  if (!file.trim()) throw new UsageError("usage.missingArgument", { name: "FILE", command: "backup" });
  const store = await ctx.store();
  // Never into the data directory, 0600 from the first byte (it holds the whole register), no overwrite without --force.
  const target = outputFile(ctx, file, { flag: "avvik backup", personal: true, refuseExisting: o.force ? undefined : { key: "error.backupExists", params: { file: ctx.path(file) } } });
  const r = await backupRegister(store, target);
  ctx.out.result({ ...r, keyIncluded: false, keyFile: store.keyFile }, () => ctx.out.line(ctx.t("protection.backup.done", { file: r.file, files: r.files })));
  ctx.out.warn(ctx.t("protection.backup.keyNote", { key: store.keyFile }));
}
