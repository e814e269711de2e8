// Attaching a scanned or written reply to its case: read the PDF, find the references, match exactly one
// case, store the file once (content hash), record an incoming diary document and move the case to
// `answered` — all of the register's changes in one transaction.

import type { Status } from "../core/codes.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { decide, ReferenceMatcher, type RefCandidate } from "../core/matching.js";
import type { CaseDocument } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import { sha256 } from "../store/files.js";
import { resolveCandidates } from "../store/references.js";
import type { Store } from "../store/store.js";
import { readUntrustedPdf } from "./untrusted.js";
import { caseLabel } from "../core/diaryNumber.js";

export interface AttachOptions {
  /** A case given by the user (REF): no matching, the reply goes to this case. */
  caseRef?: string;
  originalName?: string;
  /** A matcher to reuse over many files (reply inbox). */
  matcher?: ReferenceMatcher;
  /** Called inside the transaction once the reply is diarised (the CLI queues the "answer diarised" notice). */
  onAttached?: (store: Store, caseId: number) => void;
}

export interface AttachResult {
  caseId: number;
  diaryNumber: string;
  /** The incoming diary document; for a file attached before, the document it was recorded as. */
  document: CaseDocument;
  /** True when the same file (same content) was already in the register: nothing was changed. */
  alreadyAttached: boolean;
  /** How the case was found: "case" (--case), "qr", "labelled", "bare" or "exchange" (an exchange file), with the text that matched. */
  matchedBy: { strength: "case" | "exchange" | RefCandidate["strength"]; text: string };
  /** The status steps taken (out: sent → answered; registered → sent → answered when sent by other means). */
  statusChanges: Array<{ from: Status; to: Status }>;
  /** Message keys with parameters for things the registrar should know (rendered by the CLI). */
  notes: Array<{ key: MessageKey; params: import("../i18n/index.js").Params }>;
  file: { hash: string; size: number };
}

/** The steps from the current status to `answered`, or none when the case is already there or past it. */
export function stepsToAnswered(direction: "in" | "out", status: Status): Status[] {
  const path: Record<"in" | "out", Partial<Record<Status, Status[]>>> = {
    out: { registered: ["sent", "answered"], sent: ["answered"] },
    in: { registered: ["assigned", "answered"], assigned: ["answered"], investigating: ["answered"] },
  };
  return path[direction][status] ?? [];
}

function candidateList(store: Store, ids: number[]): string {
  return ids.map((id) => `${store.cases.label(id)} (${store.cases.get(id).summary.slice(0, 50)})`).join("; ");
}

/** Finds the one case a reply names, or throws with the candidates. */
export function matchReply(store: Store, text: string, qr: string[], matcher: ReferenceMatcher): { caseId: number; by: RefCandidate } {
  const found = [...qr.flatMap((q) => matcher.find(q, "qr")), ...matcher.find(text)];
  const outcome = decide(found, resolveCandidates(store, found));
  if (outcome.kind === "match") return { caseId: outcome.caseId, by: outcome.by };
  if (outcome.kind === "ambiguous") throw new RefusedError("paper.error.replyAmbiguous", { candidates: candidateList(store, outcome.caseIds) });
  if (found.length) throw new NotFoundError("paper.error.replyUnknownRefs", { refs: [...new Set(found.map((f) => f.text))].slice(0, 6).join("; ") });
  throw new NotFoundError("paper.error.replyNoRefs", {});
}

export async function attachReply(store: Store, data: Buffer, options: AttachOptions = {}): Promise<AttachResult> {
  const hash = sha256(data);
  const given = options.caseRef ? store.cases.resolve(options.caseRef) : undefined;

  // The same file again: recognised by its content, nothing changes.
  const already = (before: { caseId: number; number: string }): AttachResult => {
    if (given !== undefined && given !== before.caseId) {
      throw new RefusedError("paper.error.replyAttachedElsewhere", { document: before.number, case: store.cases.label(given) });
    }
    const doc = store.documents.forCase(before.caseId).find((d) => d.number === before.number)!;
    return {
      caseId: before.caseId,
      diaryNumber: store.cases.label(before.caseId),
      document: doc,
      alreadyAttached: true,
      matchedBy: { strength: "case", text: before.number },
      statusChanges: [],
      notes: [{ key: "reply.note.already", params: { document: before.number } }],
      file: { hash, size: data.length },
    };
  };
  const before = store.documents.findByFile(hash);
  if (before) return already(before);

  const content = await readUntrustedPdf(data, { qr: given !== undefined ? "never" : "auto" });
  let caseId: number;
  let matchedBy: AttachResult["matchedBy"];
  if (given !== undefined) {
    caseId = given;
    matchedBy = { strength: "case", text: options.caseRef! };
  } else {
    const matcher = options.matcher ?? new ReferenceMatcher(store.cases.template());
    if (!content.hasText && content.qr.length === 0) throw new RefusedError("paper.error.replyNeedsOcr", {});
    let m;
    try {
      m = matchReply(store, content.text, content.qr, matcher);
    } catch (e) {
      // A text layer that names nothing (a scan with a stamped header, say): the QR code may still tell.
      if (!(e instanceof NotFoundError) || !content.hasText) throw e;
      const again = await readUntrustedPdf(data, { qr: "always" });
      if (again.qr.length === 0) throw e;
      m = matchReply(store, "", again.qr, matcher);
    }
    caseId = m.caseId;
    matchedBy = { strength: m.by.strength, text: m.by.text };
  }

  const c = store.cases.get(caseId);
  const label = caseLabel(c.diaryNumber, c.id);
  const counterpart = store.orgs.require(c.counterpart.id);
  const self = store.orgs.self();
  const party = c.direction === "out" ? (c.unit && c.unit.id !== self.id && store.orgs.topOf(store.orgs.require(c.unit.id)).id === counterpart.id ? c.unit.name : counterpart.name) : (c.unit?.name ?? self.name);
  const params = { area: tSv(`area.${c.area}` as MessageKey), kind: tSv(`kind.${c.kind}` as MessageKey).toLowerCase() };
  const subject = tSv(c.direction === "out" ? "paper.subject.replyOut" : "paper.subject.replyIn", params);

  return store.write(() => {
    // Asked again under the write lock: another process (a second inbox run, a second attach) may have
    // attached the same file while this one was reading it.
    const meanwhile = store.documents.findByFile(hash);
    if (meanwhile) return already(meanwhile);
    // A reply comes from outside and may carry anything the sender wrote, personal data included: kept encrypted.
    const file = store.files.put(data, { mediaType: "application/pdf", originalName: options.originalName ?? null, encrypt: true });
    const document = store.documents.add(caseId, { direction: "in", subject, party, fileHash: file.hash });
    // The steps are decided from the status under the lock: another run may have answered the case meanwhile.
    const now = store.cases.get(caseId);
    const steps = stepsToAnswered(now.direction, now.status);
    const notes: AttachResult["notes"] = [];
    if (now.direction === "out" && now.status === "registered") notes.push({ key: "reply.note.notSent", params: { case: label } });
    if (steps.length === 0) notes.push({ key: "reply.note.noStatusChange", params: { case: label, status: { key: `statusWord.${now.status}` } } });
    const statusChanges = steps.map((to) => store.cases.setStatus(caseId, to));
    store.audit.record("reply.attach", caseId, { document: document.number, file: file.hash, matchedBy: matchedBy.strength });
    options.onAttached?.(store, caseId);
    return { caseId, diaryNumber: label, document, alreadyAttached: false, matchedBy, statusChanges, notes, file: { hash: file.hash, size: file.size } };
  });
}


