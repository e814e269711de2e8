// `avvik restore FILE [--home DIR]`: a backup back into a new or empty data directory.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { restoreRegister } from "../../app/register/backup.js";

export function registerRestore(program: Command, t: Translate): void {
  const cmd = program
    .command("restore")
    .description(t("help.restore"))
    .argument("<file>", t("flag.restoreFile"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.restore", run: "avvik restore /mnt/backup/avvik-2026-11-23.avvikbak --home /srv/avvik-ny" },
    { say: "ex.restore.key", run: "AVVIK_KEY_FILE=/säker/plats/key avvik doctor --home /srv/avvik-ny" },
  ]);
}

async function run(ctx: Context, _o: unknown, file: string): Promise<void> {
  const r = await restoreRegister(ctx.path(file), ctx.home, ctx.databaseUrl);
  ctx.out.result({ ...r, keyIncluded: false }, () => ctx.out.line(ctx.t("protection.restore.done", { home: r.home, files: r.files })));
  ctx.out.warn(ctx.t("protection.restore.keyNote", { key: ctx.keyFile ?? `${r.home}/key` }));
}
