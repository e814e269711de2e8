// `avvik reply attach FILE` and `avvik reply inbox DIR`: scanned or written answers find their case.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Command } from "commander";
import { FailedError, InvalidDataError, MessageError, NotFoundError } from "../../core/errors.js";
import { isMessageKey, type Translate } from "../../i18n/index.js";
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

function readInput(path: string): Buffer {
  if (!existsSync(path) || !statSync(path).isFile()) throw new NotFoundError("paper.error.fileNotFound", { file: path });
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
  const { answeredNotifier } = await import("./exchange.js");
  const onAttached = await answeredNotifier(ctx);
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
  const data = readInput(file);
  const store = await ctx.store();
  const r = await attachAny(ctx, store, data, { caseRef: o.case, originalName: basename(file) });
  notes(ctx, r);
  ctx.out.result(resultJson(r, file), () => printResult(ctx, r, file));
}

interface InboxEntry {
  file: string;
  status: "attached" | "already" | "unmatched" | "ambiguous" | "needsOcr" | "invalid" | "failed";
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

/** DIR/done/NAME, or NAME-1, NAME-2 … when a file of that name is already done. */
function donePath(dir: string, name: string): string {
  const done = join(dir, "done");
  mkdirSync(done, { recursive: true });
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let target = join(done, name);
  for (let i = 1; existsSync(target); i++) target = join(done, `${stem}-${i}${ext}`);
  return target;
}

export async function inbox(ctx: Context, _o: unknown, dirArg: string): Promise<void> {
  const dir = ctx.path(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NotFoundError("paper.error.dirNotFound", { dir });
  const store = await ctx.store();
  const { ReferenceMatcher } = await import("../../core/matching.js");
  const matcher = new ReferenceMatcher(store.cases.template());
  const names = readdirSync(dir)
    .filter((n) => !n.startsWith(".") && extname(n).toLowerCase() === ".pdf" && statSync(join(dir, n)).isFile())
    .sort();
  const entries: InboxEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const r = await attachAny(ctx, store, readFileSync(path), { originalName: name, matcher });
      const target = donePath(dir, name);
      renameSync(path, target);
      entries.push({ file: name, status: r.alreadyAttached ? "already" : "attached", caseId: r.caseId, diaryNumber: r.diaryNumber, document: r.document.number, movedTo: target });
      if (!ctx.json) {
        printResult(ctx, r, path);
        notes(ctx, r);
      }
    } catch (e) {
      // One bad file never stops the others: it stays in place with the reason.
      const message =
        e instanceof FailedError
          ? isMessageKey(e.key) ? ctx.t(e.key, e.params) : e.key
          : ctx.t("error.unexpected", { message: e instanceof Error ? e.message : String(e) });
      entries.push({ file: name, status: statusOf(e), message });
      if (!ctx.json) ctx.out.warn(ctx.t("reply.left", { file: name, message }));
    }
  }
  const left = entries.filter((e) => e.status !== "attached" && e.status !== "already").length;
  ctx.out.result({ dir, files: entries, attached: entries.length - left, left }, () => {
    ctx.out.line(ctx.t("reply.inboxSummary", { n: entries.length, attached: entries.length - left, left }));
  });
  if (left > 0) ctx.setExitCode(EXIT.failed);
}
