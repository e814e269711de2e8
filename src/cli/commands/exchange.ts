// `avvik exchange export|import`: a case and its answer travel between two registers as a file.

import type { Command } from "commander";
import { readFileSync, statSync, existsSync } from "node:fs";
import { EXCHANGE_VERSION, sealPayload, type ExchangePayload } from "../../core/exchange.js";
import { FailedError, NotFoundError, RefusedError, messageRef } from "../../core/errors.js";
import { caseLabel } from "../../core/diaryNumber.js";
import type { Case, CaseDocument, Org } from "../../core/types.js";
import { tSv, type Translate } from "../../i18n/index.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { outputFile } from "../outputs.js";
import { codeName } from "../render.js";

export function registerExchange(program: Command, t: Translate): void {
  const ex = program.command("exchange").description(t("help.exchange"));
  ex.command("export")
    .description(t("help.exchange.export"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("flag.exchangeOutput"))
    .option("--with-personal-data", t("flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action(exportCase));
  ex.command("import")
    .description(t("help.exchange.import"))
    .argument("<file>", t("flag.exchangeFile"))
    .option("--json", t("help.json"))
    .action(action(importFile));
}

/** A diary number as a file name: "KS/2026/0012" → "KS-2026-0012". */
export function fileStem(diaryNumber: string): string {
  return diaryNumber.replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "");
}

function party(org: Org): ExchangePayload["sender"] {
  return { orgId: org.id, name: org.name, kind: org.kind };
}

export interface ExportOptions {
  output?: string;
  withPersonalData?: boolean;
}

export async function exportCase(ctx: Context, o: ExportOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const c = store.cases.get(id);
  const self = store.orgs.self();
  const counterpart = store.orgs.require(c.counterpart.id);
  const label = caseLabel(c.diaryNumber, id);
  if (!c.diaryNumber) throw new RefusedError("exchange.error.notDiarised", { case: label });
  if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: label });

  const persons = o.withPersonalData ? store.cases.persons(id, true) : [];
  const body: Omit<ExchangePayload, "checksum" | "signature"> = {
    format: "avvik-exchange",
    version: EXCHANGE_VERSION,
    type: c.direction === "out" ? "case" : "answer",
    createdAt: store.now,
    sender: party(self),
    recipient: party(counterpart),
    case: {
      diaryNumber: c.diaryNumber,
      eventDate: c.eventDate,
      discoveredDate: c.discoveredDate,
      dueDate: c.dueDate,
      kind: c.kind,
      area: c.area,
      severity: c.severity,
      summary: c.summary,
      description: c.description,
      unit: c.unit,
      refs: c.refs,
      ...(o.withPersonalData ? { persons } : {}),
    },
  };
  if (c.direction === "in") {
    const theirs = c.refs.find((r) => r.system === counterpart.id);
    if (!theirs) throw new RefusedError("exchange.error.noTheirNumber", { case: label, org: counterpart.id });
    if (!c.causes && !c.actions) throw new RefusedError("exchange.error.noAnswer", { case: label });
    body.answer = { inReplyTo: { orgId: counterpart.id, diaryNumber: theirs.id }, causes: c.causes, actions: c.actions, followUp: c.followUp, answeredOn: store.today };
  } else if (!["registered", "sent"].includes(c.status)) {
    throw new RefusedError("exchange.error.outAnswered", { case: label, status: messageRef(`statusWord.${c.status}`) });
  }
  const { renderExchangePdf, sha256Hex } = await import("../../exchange/file.js");
  const out = outputFile(ctx, o.output ?? `${fileStem(c.diaryNumber)}-exchange.pdf`, { flag: "-o", personal: o.withPersonalData === true });
  // What the file says, without when it was made: an export run again with nothing changed is the same
  // document, written again from the stored copy and not diarised again.
  const { createdAt: _createdAt, ...content } = body;
  if (content.answer) content.answer = { ...content.answer, answeredOn: "" };
  // Keyed: the content may hold personnummer, which a plain hash in the register would let anyone test.
  const contentHash = store.cipher.hash(JSON.stringify(content), "exchange-content");
  const earlier = store.documents.findExchangeExport(id, contentHash);
  const next = nextStatus(c);
  let pdf: Buffer;
  let type = body.type;
  if (earlier && next.length === 0) {
    pdf = store.files.read(earlier.fileHash);
  } else {
    const { ourSigningKey, signPayload } = await import("../../exchange/keys.js");
    const payload = signPayload(sealPayload(body, sha256Hex), ourSigningKey(store));
    type = payload.type;
    pdf = await renderExchangePdf(payload, JSON.stringify(payload, null, 2), ctx.home);
  }
  const file = out.path;

  // The file is complete (staged and synced) before the transaction, and takes its name as the
  // transaction's last step: a file that cannot be written leaves the register as it was.
  out.stage(pdf);
  let doc: CaseDocument | null;
  try {
    doc = store.write(() => {
      if (o.withPersonalData && persons.length) store.audit.record("reveal", id, { persons: persons.length, purpose: "exchange" });
      if (earlier && next.length === 0) {
        out.commit();
        return null;
      }
      const stored = store.files.put(pdf, { mediaType: "application/pdf", originalName: null, encrypt: o.withPersonalData === true });
      const d = store.documents.add(id, {
        direction: "out",
        subject: tSv(type === "case" ? "exchange.subject.caseOut" : "exchange.subject.answerOut", { org: counterpart.name }),
        party: counterpart.name,
        fileHash: stored.hash,
      });
      // The steps again from the status under the lock: another process may have moved the case meanwhile.
      for (const s of nextStatus(store.cases.get(id))) store.cases.setStatus(id, s);
      store.documents.recordExchangeExport(id, contentHash, d.number, stored.hash);
      store.audit.record("exchange.export", id, { type, document: d.number, file: stored.hash, personalData: o.withPersonalData === true });
      out.commit();
      return d;
    });
  } finally {
    out.discard();
  }
  const after = store.cases.get(id);
  if (out.isStdout) return; // the file itself was the output
  ctx.out.result({ caseId: id, diaryNumber: c.diaryNumber, file, type, document: doc ?? null, existingDocument: doc ? null : earlier!.document, status: after.status }, () => {
    ctx.out.line(ctx.t("exchange.exported", { file, case: label, status: codeName(ctx.t, "status", after.status) }));
    if (!doc) ctx.out.line(ctx.t("exchange.exportedSame", { document: earlier!.document }));
  });
}

/** The status steps an export takes: an outgoing case is sent, an incoming one answered. */
function nextStatus(c: Case): Array<Case["status"]> {
  if (c.direction === "out") return c.status === "registered" ? ["sent"] : [];
  if (c.status === "answered" || c.status === "followed_up") return [];
  return ["answered"];
}

export async function importFile(ctx: Context, _o: unknown, fileArg: string): Promise<void> {
  const file = ctx.path(fileArg);
  if (!existsSync(file)) throw new NotFoundError("exchange.error.noFile", { file });
  const { checkPdfSize, pdfLimits, prepareUntrustedReader } = await import("../../documents/untrusted.js");
  const limits = pdfLimits(ctx.env);
  checkPdfSize(statSync(file).size, limits);
  prepareUntrustedReader(limits);
  const data = readFileSync(file);
  const { readExchangeFile } = await import("../../exchange/file.js");
  const read = await readExchangeFile(data);
  if ("problem" in read) throw new FailedError(`exchange.error.${read.problem}`, { file, field: "field" in read ? read.field : "", version: "version" in read ? String(read.version) : "" });
  const store = await ctx.store();
  const { importPayload } = await import("../../exchange/import.js");
  const result = importPayload(store, read.payload, data, await answeredNotifier(ctx));
  ctx.out.result(result, () =>
    ctx.out.line(
      result.type === "case"
        ? ctx.t("exchange.importedCase", { case: result.diaryNumber, sender: read.payload.sender.name, their: read.payload.case.diaryNumber, due: read.payload.case.dueDate })
        : ctx.t("exchange.importedAnswer", { case: result.diaryNumber, sender: read.payload.sender.name, their: read.payload.case.diaryNumber }),
    ),
  );
}


/** The hook that queues the "answer diarised" notice, when notices are on (config `notify` / mail settings). */
export async function answeredNotifier(ctx: Context): Promise<((store: Store, caseId: number) => void) | undefined> {
  const { loadMailOptions } = await import("../../mail/config.js");
  const mail = loadMailOptions(ctx.home, ctx.env);
  if (!mail.autoNotify) return undefined;
  const { queueNotice } = await import("../../mail/compose.js");
  return (store, caseId) => {
    queueNotice(store, caseId, "answered", mail.from);
  };
}
