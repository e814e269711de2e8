// `avvik reply attach FILE` and `avvik reply inbox DIR`: scanned or written answers find their case.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Command } from "commander";
import { FailedError, InvalidDataError, MessageError, NotFoundError } from "../../core/errors.js";
import { isMessageKey, type MessageKey, type Translate } from "../../i18n/index.js";
import type { AttachOptions, AttachResult } from "../../documents/reply.js";
import { sha256 } from "../../store/files.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { EXIT } from "../errors.js";
import { codeName } from "../render.js";

export function registerReply(program: Command, t: Translate): void {
  const reply = program.command("reply").description(t("paper.help.reply"));
  reply
    .command("attach")
    .description(t("paper.help.reply.attach"))
    .argument("<file>", t("paper.flag.replyFile"))
    .option("--case <ref>", t("paper.flag.replyCase"))
    .option("--json", t("help.json"))
    .action(action<{ case?: string }>(attach));
  reply
    .command("inbox")
    .description(t("paper.help.reply.inbox"))
    .argument("<dir>", t("paper.flag.replyDir"))
    .option("--json", t("help.json"))
    .action(action(inbox));
}

async function readInput(ctx: Context, path: string): Promise<Buffer> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new NotFoundError("paper.error.fileNotFound", { file: path });
  // A file from outside: its size is looked at before it is read into memory.
  const { checkPdfSize, pdfLimits } = await import("../../documents/untrusted.js");
  checkPdfSize(statSync(path).size, pdfLimits(ctx.env));
  return readFileSync(path);
}

function resultJson(r: AttachResult, file: string) {
  return {
    caseId: r.caseId,
    diaryNumber: r.diaryNumber,
    document: r.document,
    alreadyAttached: r.alreadyAttached,
    matchedBy: r.matchedBy,
    statusChanges: r.statusChanges,
    file,
    hash: r.file.hash,
  };
}

function printResult(ctx: Context, r: AttachResult, file: string): void {
  const t = ctx.t;
  if (r.alreadyAttached) ctx.out.line(t("reply.already", { file: basename(file), document: r.document.number }));
  else ctx.out.line(t("reply.attached", { file: basename(file), document: r.document.number, by: r.matchedBy.text }));
  for (const s of r.statusChanges) ctx.out.line(t("paper.statusChanged", { from: codeName(t, "status", s.from), to: codeName(t, "status", s.to) }));
}

function notes(ctx: Context, r: AttachResult): void {
  for (const n of r.notes) if (n.key !== "reply.note.already") ctx.out.warn(ctx.t(n.key, n.params));
}

/**
 * Attaches one file: an exchange file (a PDF carrying avvik-exchange data) is imported as such, so the registrar
 * need not know which is which; anything else is a scanned or written reply matched by its references.
 */
async function attachAny(ctx: Context, store: Store, data: Buffer, options: AttachOptions): Promise<AttachResult> {
  const { attachReply } = await import("../../documents/reply.js");
  const { answeredNotifier } = await import("../../app/mail/notices.js");
  const onAttached = await answeredNotifier(ctx.home, ctx.env);
  if (!options.caseRef && !store.documents.findByFile(sha256(data))) {
    const { readExchangeFile } = await import("../../exchange/file.js");
    const ex = await readExchangeFile(data);
    if ("payload" in ex) {
      const { importPayload } = await import("../../exchange/import.js");
      const r = importPayload(store, ex.payload, data, onAttached);
      const document = store.documents.forCase(r.caseId).find((d) => d.number === r.document)!;
      return {
        caseId: r.caseId,
        diaryNumber: r.diaryNumber,
        document,
        alreadyAttached: false,
        matchedBy: { strength: "exchange", text: `${ex.payload.sender.name} ${ex.payload.case.diaryNumber}` },
        statusChanges: r.statusChanges,
        notes: [],
        file: { hash: document.file ?? sha256(data), size: data.length },
      };
    }
    // Exchange data that is present but damaged is refused as such; a PDF without it is an ordinary reply.
    if (ex.problem !== "no-attachment" && ex.problem !== "not-pdf") {
      throw new FailedError(`exchange.error.${ex.problem}`, { file: options.originalName ?? "", field: "field" in ex ? ex.field : "", version: "version" in ex ? String(ex.version) : "" });
    }
  }
  return attachReply(store, data, { ...options, onAttached });
}

async function attach(ctx: Context, o: { case?: string }, fileArg: string): Promise<void> {
  const file = ctx.path(fileArg);
  const data = await readInput(ctx, file);
  const { pdfLimits, prepareUntrustedReader } = await import("../../documents/untrusted.js");
  prepareUntrustedReader(pdfLimits(ctx.env));
  const store = await ctx.store();
  const r = await attachAny(ctx, store, data, { caseRef: o.case, originalName: basename(file) });
  notes(ctx, r);
  ctx.out.result(resultJson(r, file), () => printResult(ctx, r, file));
}

interface InboxEntry {
  file: string;
  status: "attached" | "already" | "unmatched" | "ambiguous" | "needsOcr" | "invalid" | "failed" | "skipped";
  caseId?: number;
  diaryNumber?: string;
  document?: string;
  movedTo?: string;
  message?: string;
}

function statusOf(e: unknown): InboxEntry["status"] {
  if (!(e instanceof MessageError)) return "failed";
  if (e instanceof InvalidDataError) return "invalid";
  if (e.key === "paper.error.replyNeedsOcr") return "needsOcr";
  if (e.key === "paper.error.replyAmbiguous") return "ambiguous";
  if (e.key === "paper.error.replyNoRefs" || e.key === "paper.error.replyUnknownRefs") return "unmatched";
  return "failed";
}

export async function inbox(ctx: Context, _o: unknown, dirArg: string): Promise<void> {
  const dir = ctx.path(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NotFoundError("paper.error.dirNotFound", { dir });
  const { Inbox } = await import("../../documents/inbox.js");
  const { limitError, pdfLimits, prepareUntrustedReader } = await import("../../documents/untrusted.js");
  const limits = pdfLimits(ctx.env);
  const folder = new Inbox(dir);
  prepareUntrustedReader(limits);
  const store = await ctx.store();
  const { ReferenceMatcher } = await import("../../core/matching.js");
  const matcher = new ReferenceMatcher(store.cases.template());
  // Files a run that died had claimed go back into the folder first (one it had attached is then "already").
  folder.recover();
  const entries: InboxEntry[] = [];
  const leave = (name: string, status: InboxEntry["status"], message: string) => {
    entries.push({ file: name, status, message });
    if (!ctx.json) ctx.out.warn(ctx.t("reply.left", { file: name, message }));
  };
  try {
    for (const item of folder.list((n) => extname(n).toLowerCase() === ".pdf")) {
      const claimed = item.skipped ? item : folder.claim(item.name, limits.maxFileBytes);
      if (claimed === null) continue; // another run took it first: it is that run's to report
      if ("skipped" in claimed && claimed.skipped) {
        leave(item.name, "skipped", ctx.t(claimed.skipped === "link" ? "reply.skipped.link" : "reply.skipped.notFile"));
        continue;
      }
      if ("tooLarge" in claimed) {
        const e = limitError("size", limits);
        leave(item.name, "invalid", ctx.t(e.key as MessageKey, e.params));
        continue;
      }
      if (!("data" in claimed)) continue;
      try {
        const r = await attachAny(ctx, store, claimed.data, { originalName: item.name, matcher });
        const target = folder.done(item.name);
        entries.push({ file: item.name, status: r.alreadyAttached ? "already" : "attached", caseId: r.caseId, diaryNumber: r.diaryNumber, document: r.document.number, movedTo: target });
        if (!ctx.json) {
          printResult(ctx, r, join(dir, item.name));
          notes(ctx, r);
        }
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
  } finally {
    folder.close();
  }
  const left = entries.filter((e) => e.status !== "attached" && e.status !== "already").length;
  ctx.out.result({ dir, files: entries, attached: entries.length - left, left }, () => {
    ctx.out.line(ctx.t("reply.inboxSummary", { n: entries.length, attached: entries.length - left, left }));
  });
  if (left > 0) ctx.setExitCode(EXIT.failed);
}
