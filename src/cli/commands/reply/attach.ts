// `avvik reply attach FILE [--case REF] [--force]`: a scanned or written answer (or an exchange file) finds its case.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { attachFile } from "../../../app/reply/attach.js";
import { NotFoundError } from "../../../core/errors.js";
import type { AttachResult } from "../../../documents/reply.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { notes, printResult } from "./shared.js";

export function registerReplyAttach(group: Command, t: Translate): void {
  const cmd = group
    .command("attach")
    .description(t("paper.help.reply.attach"))
    .argument("<file>", t("paper.flag.replyFile"))
    .option("--case <ref>", t("paper.flag.replyCase"))
    .option("--force", t("paper.flag.force"))
    .option("--json", t("help.json"))
    .action(action<{ case?: string; force?: boolean }>(attach));
  examples(cmd, [
    { say: "ex.reply.attach", run: "avvik reply attach ~/Skannat/svar-regionen.pdf" },
    { say: "ex.reply.case", run: "avvik reply attach ~/Skannat/bild-utan-text.pdf --case 2026-000012" },
  ]);
}

async function readInput(ctx: Context, path: string): Promise<Buffer> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new NotFoundError("paper.error.fileNotFound", { file: path });
  // A file from outside: its size is looked at before it is read into memory.
  const { checkPdfSize, pdfLimits } = await import("../../../documents/untrusted.js");
  checkPdfSize(statSync(path).size, pdfLimits(ctx.env));
  return readFileSync(path);
}

function resultJson(r: AttachResult, file: string) {
  return {
    caseId: r.caseId,
    diaryNumber: r.diaryNumber,
    document: r.document,
    alreadyAttached: r.alreadyAttached,
    matchedBy: r.matchedBy.by,
    match: { strength: r.matchedBy.strength, text: r.matchedBy.text },
    ocrPages: r.ocrPages,
    statusChanges: r.statusChanges,
    file,
    hash: r.file.hash,
  };
}

async function attach(ctx: Context, o: { case?: string; force?: boolean }, fileArg: string): Promise<void> {
  const file = ctx.path(fileArg);
  const data = await readInput(ctx, file);
  const { pdfLimits, prepareUntrustedReader } = await import("../../../documents/untrusted.js");
  prepareUntrustedReader(pdfLimits(ctx.env));
  const { scanLimits } = await import("../../../documents/images.js");
  const { OcrPool } = await import("../../../documents/ocr.js");
  const limits = scanLimits(ctx.env);
  let pool: InstanceType<typeof OcrPool> | undefined;
  const store = await ctx.store();
  try {
    const r = await attachFile(store, data, { caseRef: o.case, force: o.force === true, originalName: basename(file), scanLimits: limits, ocr: () => (pool ??= new OcrPool(1, limits.maxPageMillis)) }, { home: ctx.home, env: ctx.env });
    notes(ctx, r, file);
    ctx.out.result(resultJson(r, file), () => printResult(ctx, r, file));
  } finally {
    await pool?.close();
  }
}
