// `exchange export REF`: a case (out) or our answer (in) as an exchange file for the counterpart's register:
// a PDF/A-3 with the signed payload embedded, diarised as an outgoing document, the case moved on (out: sent,
// in: answered). Run again with nothing changed, it writes the same file and diarises nothing new.

import { EXCHANGE_VERSION, sealPayload, type ExchangePayload } from "../../core/exchange.js";
import { RefusedError, messageRef } from "../../core/errors.js";
import { caseLabel } from "../../core/diaryNumber.js";
import type { Case, CaseDocument, Org } from "../../core/types.js";
import { tSv } from "../../i18n/index.js";
import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

/** A diary number as a file name: "KS/2026/0012" → "KS-2026-0012". */
export function fileStem(diaryNumber: string): string {
  return diaryNumber.replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "");
}

function party(org: Org): ExchangePayload["sender"] {
  return { orgId: org.id, name: org.name, kind: org.kind };
}

/** The status steps an export takes: an outgoing case is sent, an incoming one answered. */
function nextStatus(c: Case): Array<Case["status"]> {
  if (c.direction === "out") return c.status === "registered" ? ["sent"] : [];
  if (c.status === "answered" || c.status === "followed_up") return [];
  return ["answered"];
}

export interface ExchangeExport {
  caseId: number;
  diaryNumber: string;
  label: string;
  file: string;
  /** True when the file went to standard output. */
  isStdout: boolean;
  type: ExchangePayload["type"];
  /** The new outgoing document; null when the same file was diarised before (`existingDocument`). */
  document: CaseDocument | null;
  existingDocument: string | null;
  status: Case["status"];
}

/**
 * Writes the exchange file into the output named from the diary number. The file is complete (staged and
 * synced) before the transaction and takes its name as its last step: a file that cannot be written leaves
 * the register as it was.
 */
export async function exportExchangeFile(store: Store, ref: string, o: { withPersonalData: boolean; home: string }, output: (stem: string) => OutputFile): Promise<ExchangeExport> {
  const { home } = o;
  const id = await store.cases.resolve(ref);
  const c = await store.cases.get(id);
  const self = await store.orgs.self();
  const counterpart = await store.orgs.require(c.counterpart.id);
  const label = caseLabel(c.diaryNumber, id);
  if (!c.diaryNumber) throw new RefusedError("exchange.error.notDiarised", { case: label });
  if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: label });

  const persons = o.withPersonalData ? await store.cases.persons(id, true) : [];
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
  const out = output(fileStem(c.diaryNumber));
  // What the file says, without when it was made: an export run again with nothing changed is the same
  // document, written again from the stored copy and not diarised again.
  const { createdAt: _createdAt, ...content } = body;
  if (content.answer) content.answer = { ...content.answer, answeredOn: "" };
  // Keyed: the content may hold personnummer, which a plain hash in the register would let anyone test.
  const contentHash = (await store.cipher()).hash(JSON.stringify(content), "exchange-content");
  const earlier = await store.documents.findExchangeExport(id, contentHash);
  const next = nextStatus(c);
  let pdf: Buffer;
  let type = body.type;
  if (earlier && next.length === 0) {
    pdf = await store.files.read(earlier.fileHash);
  } else {
    const { ourSigningKey, signPayload } = await import("../../exchange/keys.js");
    const payload = signPayload(sealPayload(body, sha256Hex), await ourSigningKey(store));
    type = payload.type;
    pdf = await renderExchangePdf(payload, JSON.stringify(payload, null, 2), home);
  }
  const file = out.path;

  // The file is complete (staged and synced) before the transaction, and takes its name as the
  // transaction's last step: a file that cannot be written leaves the register as it was.
  out.stage(pdf);
  let doc: CaseDocument | null;
  try {
    doc = await store.write(async () => {
      if (o.withPersonalData && persons.length) await store.audit.record("reveal", id, { persons: persons.length, purpose: "exchange" });
      if (earlier && next.length === 0) {
        out.commit();
        return null;
      }
      const stored = await store.files.put(pdf, { mediaType: "application/pdf", originalName: null, encrypt: o.withPersonalData === true });
      const d = await store.documents.add(id, {
        direction: "out",
        subject: tSv(type === "case" ? "exchange.subject.caseOut" : "exchange.subject.answerOut", { org: counterpart.name }),
        party: counterpart.name,
        fileHash: stored.hash,
      });
      // The steps again from the status under the lock: another process may have moved the case meanwhile.
      for (const s of nextStatus(await store.cases.get(id))) await store.cases.setStatus(id, s);
      await store.documents.recordExchangeExport(id, contentHash, d.number, stored.hash);
      await store.audit.record("exchange.export", id, { type, document: d.number, file: stored.hash, personalData: o.withPersonalData === true });
      out.commit();
      return d;
    });
  } finally {
    out.discard();
  }
  return {
    caseId: id,
    diaryNumber: c.diaryNumber,
    label,
    file,
    isStdout: out.isStdout,
    type,
    document: doc ?? null,
    existingDocument: doc ? null : earlier!.document,
    status: (await store.cases.get(id)).status,
  };
}
