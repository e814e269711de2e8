// `avvik reply inbox DIR`: every PDF and scanned image in a folder finds its case; what matched moves to done/,
// the rest stays with one line saying why.

import { existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { Command } from "commander";
import { attachFile } from "../../../app/reply/attach.js";
import { FailedError, InvalidDataError, MessageError, NotFoundError } from "../../../core/errors.js";
import { isMessageKey, type MessageKey, type Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { EXIT } from "../../errors.js";
import { examples } from "../../help.js";
import { notes, printResult } from "./shared.js";

export function registerReplyInbox(group: Command, t: Translate): void {
  const cmd = group
    .command("inbox")
    .description(t("paper.help.reply.inbox"))
    .argument("<dir>", t("paper.flag.replyDir"))
    .option("--json", t("help.json"))
    .action(action(inbox));
  examples(cmd, [
    { say: "ex.reply.inbox", run: "avvik reply inbox ~/Skannat" },
    { say: "ex.json", run: "avvik reply inbox ~/Skannat --json" },
  ]);
}

interface InboxEntry {
  file: string;
  status: "attached" | "already" | "unmatched" | "ambiguous" | "needsOcr" | "invalid" | "failed" | "skipped";
  caseId?: number;
  diaryNumber?: string;
  document?: string;
  matchedBy?: string;
  movedTo?: string;
  message?: string;
}

function statusOf(e: unknown): InboxEntry["status"] {
  if (!(e instanceof MessageError)) return "failed";
  if (e instanceof InvalidDataError) return "invalid";
  if (e.key === "paper.error.replyNeedsOcr") return "needsOcr";
  if (e.key === "paper.error.replyAmbiguous" || e.key === "paper.error.replyOcrAmbiguous") return "ambiguous";
  if (["paper.error.replyNoRefs", "paper.error.replyUnknownRefs", "paper.error.replyOcrNoRefs", "paper.error.replyOcrUnknownRefs", "paper.error.replyOcrUnsure"].includes(e.key)) return "unmatched";
  return "failed";
}

/** The files `reply inbox` reads: PDFs and scanned images. */
const INBOX_EXTENSIONS = new Set([".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"]);

export async function inbox(ctx: Context, _o: unknown, dirArg: string): Promise<void> {
  const dir = ctx.path(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NotFoundError("paper.error.dirNotFound", { dir });
  const { Inbox } = await import("../../../documents/inbox.js");
  const { limitError, pdfLimits, prepareUntrustedReader } = await import("../../../documents/untrusted.js");
  const { scanLimits } = await import("../../../documents/images.js");
  const { OcrPool, ocrWorkerCount } = await import("../../../documents/ocr.js");
  const { eachLimited } = await import("../../../documents/scan.js");
  const limits = pdfLimits(ctx.env);
  const scan = scanLimits(ctx.env);
  const folder = new Inbox(dir);
  prepareUntrustedReader(limits);
  const store = await ctx.store();
  const { ReferenceMatcher } = await import("../../../core/matching.js");
  const matcher = new ReferenceMatcher(await store.diary.template());
  // One pool of OCR workers (one per core) for the whole folder, started only when a page needs OCR.
  const workers = ocrWorkerCount(ctx.env);
  let pool: InstanceType<typeof OcrPool> | undefined;
  const ocr = () => (pool ??= new OcrPool(workers, scan.maxPageMillis));
  // Files found before anything is claimed: a file others put there meanwhile waits for the next run.
  folder.recover();
  const items = folder.list((n) => INBOX_EXTENSIONS.has(extname(n).toLowerCase()));
  const progress = ctx.io.stderr.isTTY === true && !ctx.json && items.length > 1 ? await progressBar(ctx, items.length) : undefined;
  const entries: InboxEntry[] = [];
  const say = (fn: () => void) => {
    if (ctx.json) return;
    progress?.clear();
    fn();
    progress?.redraw();
  };
  const leave = (name: string, status: InboxEntry["status"], message: string) => {
    entries.push({ file: name, status, message });
    say(() => ctx.out.warn(ctx.t("reply.left", { file: name, message })));
  };
  try {
    // As many files at a time as the pool has workers: one file's OCR overlaps another's reading; each result is
    // reported as it comes. Matching and recording are synchronous, so two files never interleave in the register.
    await eachLimited(items.length, workers, async (i) => {
      const item = items[i]!;
      try {
        await inboxFile(item);
      } finally {
        progress?.tick();
      }
    });
  } finally {
    progress?.stop();
    folder.close();
    await pool?.close();
  }

  async function inboxFile(item: (typeof items)[number]): Promise<void> {
    const claimed = item.skipped ? item : folder.claim(item.name, limits.maxFileBytes);
    if (claimed === null) return; // another run took it first: it is that run's to report
    if ("skipped" in claimed && claimed.skipped) {
      leave(item.name, "skipped", ctx.t(claimed.skipped === "link" ? "reply.skipped.link" : "reply.skipped.notFile"));
      return;
    }
    if ("tooLarge" in claimed) {
      const e = limitError("size", limits);
      leave(item.name, "invalid", ctx.t(e.key as MessageKey, e.params));
      return;
    }
    if (!("data" in claimed)) return;
    try {
      const r = await attachFile(store, claimed.data, { originalName: item.name, matcher, ocr, scanLimits: scan }, { home: ctx.home, env: ctx.env });
      const target = folder.done(item.name);
      entries.push({ file: item.name, status: r.alreadyAttached ? "already" : "attached", caseId: r.caseId, diaryNumber: r.diaryNumber, document: r.document.number, matchedBy: r.matchedBy.by, movedTo: target });
      say(() => {
        printResult(ctx, r, join(dir, item.name));
        notes(ctx, r, item.name);
      });
    } catch (e) {
      // One bad file never stops the others: it goes back in place with the reason.
      folder.release(item.name);
      const message =
        e instanceof FailedError
          ? isMessageKey(e.key) ? ctx.t(e.key, e.params) : e.key
          : ctx.t("error.unexpected", { message: e instanceof Error ? e.message : String(e) });
      leave(item.name, statusOf(e), message);
    }
  }

  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const left = entries.filter((e) => e.status !== "attached" && e.status !== "already").length;
  ctx.out.result({ dir, files: entries, attached: entries.length - left, left }, () => {
    ctx.out.line(ctx.t("reply.inboxSummary", { n: entries.length, attached: entries.length - left, left }));
  });
  if (left > 0) ctx.setExitCode(EXIT.failed);
}

/**
 * A progress bar of files on stderr (only on a terminal and never with --json); lines printed go above it.
 * Line wrapping stays on (cli-progress turns it off by default, which would cut a long line printed while the
 * bar is shown at the terminal's width), and the bar's own cursor restore at the end (it goes back to where the
 * bar started, rows above once lines were printed) is pointed at the bar's current line.
 */
async function progressBar(ctx: Context, total: number): Promise<{ tick(): void; clear(): void; redraw(): void; stop(): void }> {
  const { default: cliProgress } = await import("cli-progress");
  const bar = new cliProgress.SingleBar(
    { format: `${ctx.t("reply.progress")} [{bar}] {value}/{total} {eta_formatted}`, stream: ctx.io.stderr, hideCursor: true, clearOnComplete: true, linewrap: true, etaBuffer: 10, barsize: Math.max(10, Math.min(40, (ctx.io.stderr.columns || 80) - 30)) },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let done = 0;
  return {
    tick: () => bar.update(++done),
    clear: () => ctx.io.stderr.write("\r\x1b[2K"),
    redraw: () => bar.render(),
    stop: () => {
      ctx.io.stderr.write("\r\x1b[2K\x1b7"); // the cursor saved here: stop() restores it and clears the line
      bar.stop();
    },
  };
}
