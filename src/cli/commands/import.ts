// `avvik import FILE --profile NAME|PATH`: the CSV bridge from Synergi, MedControl and Treserva.
// csv-parse, csv-stringify, iconv-lite and cli-progress are loaded only when this command runs.

import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { FailedError, NotFoundError, UsageError } from "../../core/errors.js";
import { DUPLICATE_WINDOW_DAYS } from "../../core/duplicates.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import type { Store } from "../../store/store.js";
import { TEMPLATES_DIR } from "../../paths.js";
import type { ImportResult, Progress } from "../../csv/import.js";
import { action } from "../command.js";
import type { Context } from "../context.js";

export function registerImport(program: Command, t: Translate): void {
  program
    .command("import")
    .description(t("help.import"))
    .argument("<file>", "CSV")
    .option("--profile <name|path>", t("flag.profile"))
    .option("--dry-run", t("flag.dryRun"))
    .option("--skip-invalid", t("flag.skipInvalid"))
    .option("--diarise", t("flag.diarise"))
    .option("--json", t("help.json"))
    .action(action(importCommand));
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
  const file = ctx.path(fileArg);
  if (!existsSync(file)) throw new NotFoundError("csv.file.missing", { file: fileArg });
  if (!statSync(file).isFile()) throw new FailedError("csv.file.notAFile", { file: fileArg });
  const [{ loadProfile }, { encodingExists }, { importFile }] = await Promise.all([
    import("../../csv/profile.js"),
    import("../../csv/read.js"),
    import("../../csv/import.js"),
  ]);
  const profile = loadProfile(o.profile, TEMPLATES_DIR, encodingExists, ctx.io.cwd);
  const store = await ctx.store();
  const before = store.cases.maxId();
  const progress = ctx.io.stderr.isTTY === true && !ctx.json ? await progressBar(ctx) : undefined;
  const result = await importFile(store, {
    file,
    profile,
    dryRun: o.dryRun === true,
    skipInvalid: o.skipInvalid === true,
    diarise: o.diarise === true,
    t: ctx.t,
    progress,
  });
  // Invalid rows fail the import (and a dry run predicting that) unless --skip-invalid.
  const failed = result.rejected > 0 && o.skipInvalid !== true;
  const { rejected } = result;
  const likelyDuplicates = result.dryRun ? [] : duplicatesOfNew(store, before);
  ctx.out.result({ ...result, likelyDuplicates }, () => printResult(ctx, result, fileArg));
  for (const d of likelyDuplicates.slice(0, 10)) {
    ctx.out.warn(ctx.t("csv.import.likelyDuplicate", { case: d.case, of: d.of, reasons: d.reasons.map((r) => ctx.t(`duplicates.reason.${r}` as MessageKey, { n: DUPLICATE_WINDOW_DAYS })).join(", ") }));
  }
  if (likelyDuplicates.length > 10) ctx.out.warn(ctx.t("duplicates.warnMore", { n: likelyDuplicates.length - 10 }));
  if (!ctx.json) {
    for (const w of result.warnings) ctx.out.warn(ctx.t("csv.import.warnLine", { ...w }));
  }
  if (failed) throw new FailedError(result.dryRun ? "csv.import.dryRunFailed" : "csv.import.failed", { rejected });
}

/** Cases this import created (ids above `before`) that look like a case already in the register (issue 6). */
function duplicatesOfNew(store: Store, before: number): Array<{ case: string; of: string; reasons: string[] }> {
  const after = store.cases.maxId();
  // A weekly export creates tens or hundreds of cases; a bulk load of millions is not checked one by one.
  if (after - before > 2000) return [];
  const found: Array<{ case: string; of: string; reasons: string[] }> = [];
  for (let id = before + 1; id <= after; id++) {
    for (const d of store.stats.likelyDuplicatesOf(id)) found.push({ case: store.cases.label(id), of: d.diaryNumber, reasons: d.reasons });
  }
  return found;
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
