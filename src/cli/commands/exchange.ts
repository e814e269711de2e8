// `avvik exchange export|import`: a case and its answer travel between two registers as a file.

import type { Command } from "commander";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { EXCHANGE_VERSION, sealPayload, type ExchangePayload } from "../../core/exchange.js";
import { FailedError, NotFoundError, RefusedError } from "../../core/errors.js";
import type { Case, Org } from "../../core/types.js";
import { tSv, type Translate } from "../../i18n/index.js";
import { sha256 } from "../../store/files.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
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
  const label = c.diaryNumber ?? `#${id}`;
  if (!c.diaryNumber) throw new RefusedError("exchange.error.notDiarised", { case: label });
  if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: label });

  const persons = o.withPersonalData ? store.cases.persons(id, true) : [];
  const body: Omit<ExchangePayload, "checksum"> = {
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
    throw new RefusedError("exchange.error.outAnswered", { case: label, status: c.status });
  }
  const { renderExchangePdf, sha256Hex } = await import("../../exchange/file.js");
  const payload = sealPayload(body, sha256Hex);
  const pdf = await renderExchangePdf(payload, JSON.stringify(payload, null, 2));
  const file = resolve(o.output ?? `${fileStem(c.diaryNumber)}-exchange.pdf`);

  const next = nextStatus(c);
  const doc = store.write(() => {
    if (o.withPersonalData && persons.length) store.audit.record("reveal", id, { persons: persons.length, purpose: "exchange" });
    const stored = store.files.put(pdf, { mediaType: "application/pdf", originalName: null, encrypt: o.withPersonalData === true });
    const d = store.documents.add(id, {
      direction: "out",
      subject: tSv(payload.type === "case" ? "exchange.subject.caseOut" : "exchange.subject.answerOut", { org: counterpart.name }),
      party: counterpart.name,
      fileHash: stored.hash,
    });
    for (const s of next) store.cases.setStatus(id, s);
    store.audit.record("exchange.export", id, { type: payload.type, document: d.number, file: stored.hash, personalData: o.withPersonalData === true });
    return d;
  });
  writeFileSync(file, pdf);
  const after = store.cases.get(id);
  ctx.out.result({ caseId: id, diaryNumber: c.diaryNumber, file, type: payload.type, document: doc, status: after.status }, () =>
    ctx.out.line(ctx.t("exchange.exported", { file, case: label, status: codeName(ctx.t, "status", after.status) })),
  );
}

/** The status steps an export takes: an outgoing case is sent, an incoming one answered. */
function nextStatus(c: Case): Array<Case["status"]> {
  if (c.direction === "out") return c.status === "registered" ? ["sent"] : [];
  if (c.status === "answered" || c.status === "followed_up") return [];
  return ["answered"];
}

export async function importFile(ctx: Context, _o: unknown, fileArg: string): Promise<void> {
  const file = resolve(fileArg);
  if (!existsSync(file)) throw new NotFoundError("exchange.error.noFile", { file });
  const data = readFileSync(file);
  const { readExchangeFile } = await import("../../exchange/file.js");
  const read = await readExchangeFile(data);
  if ("problem" in read) throw new FailedError(`exchange.error.${read.problem}`, { file, field: "field" in read ? read.field : "", version: "version" in read ? String(read.version) : "" });
  const store = await ctx.store();
  const result = importPayload(store, read.payload, data);
  ctx.out.result(result, () =>
    ctx.out.line(
      result.type === "case"
        ? ctx.t("exchange.importedCase", { case: result.diaryNumber, sender: read.payload.sender.name, their: read.payload.case.diaryNumber, due: read.payload.case.dueDate })
        : ctx.t("exchange.importedAnswer", { case: result.diaryNumber, sender: read.payload.sender.name, their: read.payload.case.diaryNumber }),
    ),
  );
}

export interface ImportResult {
  type: "case" | "answer";
  caseId: number;
  diaryNumber: string;
  document: string;
}

function matchOrg(store: Store, p: ExchangePayload["sender"]): Org | undefined {
  return store.orgs.get(p.orgId) ?? store.orgs.findByName(p.name);
}

/** Records an exchange payload in this register: a new incoming case, or the answer to one of ours. */
export function importPayload(store: Store, payload: ExchangePayload, data: Buffer): ImportResult {
  const self = store.orgs.self();
  if (payload.recipient.orgId !== self.id && payload.recipient.name.toLowerCase() !== self.name.toLowerCase()) {
    throw new RefusedError("exchange.error.notForUs", { to: payload.recipient.name, us: self.name });
  }
  const senderOrg = matchOrg(store, payload.sender);
  if (!senderOrg) throw new NotFoundError("exchange.error.unknownSender", { name: payload.sender.name, id: payload.sender.orgId, kind: payload.sender.kind });
  const sender = store.orgs.topOf(senderOrg);
  const seen = store.documents.findByFile(sha256(data));
  if (seen) throw new RefusedError("exchange.error.duplicate", { case: store.cases.label(seen.caseId), document: seen.number });
  const theirRef = { system: sender.id, id: payload.case.diaryNumber };
  const hasPersons = (payload.case.persons?.length ?? 0) > 0;

  if (payload.type === "case") {
    const existing = tryResolve(store, `${theirRef.system}:${theirRef.id}`);
    if (existing !== undefined) throw new RefusedError("exchange.error.duplicate", { case: store.cases.label(existing), document: `${theirRef.system}:${theirRef.id}` });
    const unit = payload.case.unit ? (store.orgs.get(payload.case.unit.id) ?? store.orgs.findByName(payload.case.unit.name)) : undefined;
    const unitOk = unit && [self.id, sender.id].includes(store.orgs.topOf(unit).id) ? unit.id : null;
    const persons = (payload.case.persons ?? []).map((p) => ({ digits: p.pnr.replace(/\D/g, ""), name: p.name }));
    return store.write(() => {
      const stored = store.files.put(data, { mediaType: "application/pdf", encrypt: hasPersons });
      const refs = [theirRef, ...payload.case.refs.filter((r) => r.system !== theirRef.system && tryResolve(store, `${r.system}:${r.id}`) === undefined)];
      const id = store.cases.create(
        {
          direction: "in",
          counterpartId: sender.id,
          unitId: unitOk,
          eventDate: payload.case.eventDate,
          discoveredDate: payload.case.discoveredDate,
          receivedDate: store.today,
          dueDate: payload.case.dueDate,
          kind: payload.case.kind,
          area: payload.case.area,
          severity: payload.case.severity,
          summary: payload.case.summary,
          description: payload.case.description,
          refs,
          persons,
        },
        {
          direction: "in",
          subject: tSv("exchange.subject.caseIn", { area: codeName(tSv, "area", payload.case.area), kind: codeName(tSv, "kind", payload.case.kind).toLowerCase() }),
          party: sender.name,
          fileHash: stored.hash,
        },
      );
      const c = store.cases.get(id, { documents: true });
      store.audit.record("exchange.import", id, { type: "case", from: sender.id, theirNumber: theirRef.id, file: stored.hash });
      return { type: "case" as const, caseId: id, diaryNumber: c.diaryNumber!, document: c.documents!.at(-1)!.number };
    });
  }

  const answer = payload.answer!;
  if (answer.inReplyTo.orgId !== self.id && tryResolve(store, answer.inReplyTo.diaryNumber) === undefined) {
    throw new RefusedError("exchange.error.notForUs", { to: answer.inReplyTo.orgId, us: self.name });
  }
  const id = tryResolve(store, answer.inReplyTo.diaryNumber);
  if (id === undefined) throw new NotFoundError("exchange.error.noCase", { number: answer.inReplyTo.diaryNumber });
  const c = store.cases.get(id);
  if (c.direction !== "out") throw new RefusedError("exchange.error.answerToIncoming", { case: c.diaryNumber ?? `#${id}` });
  return store.write(() => {
    const stored = store.files.put(data, { mediaType: "application/pdf", encrypt: hasPersons });
    const doc = store.documents.add(id, { direction: "in", subject: tSv("exchange.subject.answerIn", { org: sender.name }), party: sender.name, fileHash: stored.hash });
    store.cases.update(id, {
      refs: [theirRef],
      ...(answer.causes ? { causes: answer.causes } : {}),
      ...(answer.actions ? { actions: answer.actions } : {}),
      ...(answer.followUp ? { followUp: answer.followUp } : {}),
    });
    if (c.status === "registered") store.cases.setStatus(id, "sent");
    if (c.status === "registered" || c.status === "sent") store.cases.setStatus(id, "answered");
    store.audit.record("exchange.import", id, { type: "answer", from: sender.id, theirNumber: theirRef.id, file: stored.hash });
    return { type: "answer" as const, caseId: id, diaryNumber: c.diaryNumber!, document: doc.number };
  });
}

function tryResolve(store: Store, ref: string): number | undefined {
  try {
    return store.cases.resolve(ref);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
