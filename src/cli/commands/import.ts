// `avvik import FILE --profile NAME|PATH`: the CSV bridge from Synergi, MedControl and Treserva.
// csv-parse, csv-stringify, iconv-lite and cli-progress are loaded only when this command runs.

import type { Command } from "commander";
import { importCsv } from "../../app/import/cases.js";
import { FailedError, UsageError } from "../../core/errors.js";
import { DUPLICATE_WINDOW_DAYS } from "../../core/duplicates.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import type { ImportResult, Progress } from "../../csv/import.js";
import { action } from "../command.js";
import { examples } from "../help.js";
import type { Context } from "../context.js";

export function registerImport(program: Command, t: Translate): void {
  const cmd = program
    .command("import")
    .description(t("help.import"))
    .argument("<file>", "CSV")
    .option("--profile <name|path>", t("flag.profile"))
    .option("--dry-run", t("flag.dryRun"))
    .option("--skip-invalid", t("flag.skipInvalid"))
    .option("--diarise", t("flag.diarise"))
    .option("--json", t("help.json"))
    .action(action(importCommand));
  examples(cmd, [
    { say: "ex.import.dry", run: "avvik import synergi-vecka10.csv --profile synergi --dry-run" },
    { say: "ex.import.skip", run: "avvik import treserva-mars.csv --profile treserva --skip-invalid" },
    { say: "ex.import.own", run: "avvik import export.csv --profile ~/profiler/synergi-vrinnevi.json --diarise --json" },
  ]);
}

interface ImportFlags {
  profile?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  diarise?: boolean;
}

const SHOWN_ERRORS = 20;

async function importCommand(ctx: Context, o: ImportFlags, fileArg: string): Promise<void> {
  if (!o.profile) throw new UsageError("usage.missingFlag", { flag: "--profile" });
  const progress = ctx.io.stderr.isTTY === true && !ctx.json ? await progressBar(ctx) : undefined;
  const { failed, ...result } = await importCsv(() => ctx.store(), {
    given: fileArg,
    file: ctx.path(fileArg),
    profile: o.profile,
    cwd: ctx.io.cwd,
    dryRun: o.dryRun === true,
    skipInvalid: o.skipInvalid === true,
    diarise: o.diarise === true,
    t: ctx.t,
    ...(progress ? { progress } : {}),
  });
  const { rejected, likelyDuplicates } = result;
  ctx.out.result(result, () => printResult(ctx, result, fileArg));
  for (const d of likelyDuplicates.slice(0, 10)) {
    ctx.out.warn(ctx.t("csv.import.likelyDuplicate", { case: d.case, of: d.of, reasons: d.reasons.map((r) => ctx.t(`duplicates.reason.${r}` as MessageKey, { n: DUPLICATE_WINDOW_DAYS })).join(", ") }));
  }
  if (likelyDuplicates.length > 10) ctx.out.warn(ctx.t("duplicates.warnMore", { n: likelyDuplicates.length - 10 }));
  if (!ctx.json) {
    for (const w of result.warnings) ctx.out.warn(ctx.t("csv.import.warnLine", { ...w }));
  }
  if (failed) throw new FailedError(result.dryRun ? "csv.import.dryRunFailed" : "csv.import.failed", { rejected });
}

function printResult(ctx: Context, r: ImportResult, file: string): void {
  const t = ctx.t;
  ctx.out.info(t("csv.import.detected", { file, encoding: r.encoding, delimiter: r.delimiter, profile: r.system }));
  for (const e of r.errors.slice(0, SHOWN_ERRORS)) ctx.out.warn(t("csv.import.errorLine", { ...e }));
  if (r.rejected > SHOWN_ERRORS) ctx.out.warn(t("csv.import.moreErrors", { n: r.rejected }));
  const counts = { file, created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected };
  if (r.dryRun) ctx.out.line(t("csv.import.dryRun", counts));
  else if (r.imported) ctx.out.line(t("csv.import.done", counts));
  if (r.diarised) ctx.out.line(t("csv.import.diarised", { n: r.diarised }));
  if (r.rejectedFile) ctx.out.line(t("csv.import.rejectedFile", { file: r.rejectedFile }));
}

/** A progress bar on stderr (only on a terminal and never with --json), in bytes of the file read and written. */
async function progressBar(ctx: Context): Promise<Progress> {
  const { default: cliProgress } = await import("cli-progress");
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  let done = 0;
  return {
    start: (total) => {
      done = 0;
      bar = new cliProgress.SingleBar(
        { format: `${ctx.t("csv.progress.reading")} [{bar}] {percentage}% {eta_formatted}`, stream: ctx.io.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0);
    },
    bytes: (n) => {
      done += n;
      bar?.update(done);
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
