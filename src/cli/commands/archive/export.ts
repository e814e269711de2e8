// `avvik archive export --closed-before D -o DIR [--with-personal-data] [--json]`

import type { Command } from "commander";
import { UsageError } from "../../../core/errors.js";
import type { Translate } from "../../../i18n/index.js";
import { packageVersion } from "../../../paths.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { outputDir } from "../../outputs.js";
import { parseDateFlag, requireFlags } from "../../parse.js";

export function registerArchiveExport(group: Command, t: Translate): void {
  const cmd = group
    .command("export")
    .description(t("help.archive.export"))
    .option("--closed-before <date>", t("flag.archiveClosedBefore"))
    .option("-o, --output <dir>", t("flag.archiveDir"))
    .option("--with-personal-data", t("flag.archiveWithPersonalData"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.archive.export", run: "avvik archive export --closed-before 2026-01-01 -o arkiv-2025" },
    { say: "ex.archive.exportPersonal", run: "avvik archive export --closed-before 2026-01-01 -o arkiv-2025 --with-personal-data --json" },
  ]);
}

interface Options {
  closedBefore?: string;
  output?: string;
  withPersonalData?: boolean;
}

async function run(ctx: Context, o: Options): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["closedBefore", "--closed-before"], ["output", "-o"]]);
  const closedBefore = parseDateFlag("--closed-before", o.closedBefore!);
  if (!o.output!.trim() || o.output === "-") throw new UsageError("usage.missingFlag", { flag: "-o" });
  const withPersonalData = o.withPersonalData === true;
  const store = await ctx.store();
  // Checked before any work: never in the data directory, absent or empty, its parent writable.
  const target = outputDir(ctx, o.output!, { flag: "-o", personal: withPersonalData });
  const { exportArchive } = await import("../../../app/archive/export.js");
  const r = await exportArchive(store, { closedBefore, target, withPersonalData, software: { name: "avvik", version: packageVersion() } });
  ctx.out.result(r, () => {
    ctx.out.line(ctx.t("archive.done", { dir: r.dir, cases: r.cases.length, files: r.files.length }));
    if (r.withheld && !withPersonalData) ctx.out.line(ctx.t("archive.withheld", { n: r.withheld }));
  });
  if (withPersonalData) ctx.out.warn(ctx.t("archive.personalData"));
}
