// Attaching a scanned or written reply to its case: read the PDF, find the references, match exactly one
// case, store the file once (content hash), record an incoming diary document and move the case to
// `answered` — all of the register's changes in one transaction.

import type { Status } from "../core/codes.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { decide, decideOcr, readUnsurely, ReferenceMatcher, type ReadWord, type RefCandidate } from "../core/matching.js";
import type { CaseDocument } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import { sha256 } from "../store/files.js";
import { resolveCandidates } from "../store/references.js";
import type { Store } from "../store/store.js";
import { IMAGE_MEDIA_TYPE, imageKind, scanLimits, type ScanLimits } from "./images.js";
import { OcrPool } from "./ocr.js";
import { readScan } from "./scan.js";
import { readUntrustedPdf } from "./untrusted.js";
import { caseLabel } from "../core/diaryNumber.js";

export interface AttachOptions {
  /** A case given by the user (REF): no matching, the reply goes to this case. */
  caseRef?: string;
  /** With `caseRef`: attach even when the file names another case. */
  force?: boolean;
  originalName?: string;
  /** A matcher to reuse over many files (reply inbox). */
  matcher?: ReferenceMatcher;
  /** Called inside the transaction once the reply is diarised (the CLI queues the "answer diarised" notice). */
  onAttached?: (store: Store, caseId: number) => Promise<unknown>;
  /** The OCR pool to use (reply inbox shares one over its files); made on first need otherwise. */
  ocr?: () => OcrPool;
  /** Limits of reading scans (from the run's environment). */
  scanLimits?: ScanLimits;
}

/** How a reply found its case: its text layer, a QR code, OCR, the user's --case, or an exchange file. */
export type MatchedBy = "text" | "qr" | "ocr" | "case" | "exchange";

export interface AttachResult {
  caseId: number;
  diaryNumber: string;
  /** The incoming diary document; for a file attached before, the document it was recorded as. */
  document: CaseDocument;
  /** True when the same file (same content) was already in the register: nothing was changed. */
  alreadyAttached: boolean;
  /** How the case was found, the strength of the reference ("qr", "labelled", "bare", or "case"/"exchange") and the text that matched. */
  matchedBy: { by: MatchedBy; strength: "case" | "exchange" | RefCandidate["strength"]; text: string };
  /** The status steps taken (out: sent → answered; registered → sent → answered when sent by other means). */
  statusChanges: Array<{ from: Status; to: Status }>;
  /** Message keys with parameters for things the registrar should know (rendered by the CLI). */
  notes: Array<{ key: MessageKey; params: import("../i18n/index.js").Params }>;
  file: { hash: string; size: number };
  /** Pages read by OCR (0 when none was needed). */
  ocrPages: number;
}

/** What a reply says, read before the register is touched (reading may take seconds; no transaction waits). */
export interface ReplyReading {
  mediaType: string;
  /** The text layer of a PDF ("" for a scan). */
  text: string;
  qr: string[];
  /** The text OCR read, or null when OCR was not needed. */
  ocrText: string | null;
  /** The words OCR read with their confidences (empty when OCR was not needed). */
  ocrWords?: ReadWord[];
  /** The OCR'd pages read row by row across their columns (a table's label beside its value), for matching. */
  ocrRows?: string;
  ocrPages: number;
}

/** The steps from the current status to `answered`, or none when the case is already there or past it. */
export function stepsToAnswered(direction: "in" | "out", status: Status): Status[] {
  const path: Record<"in" | "out", Partial<Record<Status, Status[]>>> = {
    out: { registered: ["sent", "answered"], sent: ["answered"] },
    in: { registered: ["assigned", "answered"], assigned: ["answered"], investigating: ["answered"] },
  };
  return path[direction][status] ?? [];
}

async function candidateList(store: Store, ids: number[]): Promise<string> {
  const out: string[] = [];
  for (const id of ids) out.push(`${await store.cases.label(id)} (${(await store.cases.get(id)).summary.slice(0, 50)})`);
  return out.join("; ");
}

/** Finds the one case a reply names, or throws with the candidates. */
export async function matchReply(store: Store, text: string, qr: string[], matcher: ReferenceMatcher): Promise<{ caseId: number; by: RefCandidate }> {
  const found = [...qr.flatMap((q) => matcher.find(q, "qr")), ...matcher.find(text)];
  const outcome = decide(found, await resolveCandidates(store.sql, found));
  if (outcome.kind === "match") return { caseId: outcome.caseId, by: outcome.by };
  if (outcome.kind === "ambiguous") throw new RefusedError("paper.error.replyAmbiguous", { candidates: await candidateList(store, outcome.caseIds) });
  if (found.length) throw new NotFoundError("paper.error.replyUnknownRefs", { refs: [...new Set(found.map((f) => f.text))].slice(0, 6).join("; ") });
  throw new NotFoundError("paper.error.replyNoRefs", {});
}

/**
 * Finds the one case a text read by OCR names. Stricter than for a text layer: every reference read that names
 * a case must name the same one, whatever its strength; otherwise the reply is refused, listing what was read.
 * `rows` (the pages read across their columns, scan.ts) are looked through with the text.
 */
export async function matchOcr(store: Store, ocrText: string, matcher: ReferenceMatcher, words: ReadWord[] = [], rows = ""): Promise<{ caseId: number; by: RefCandidate }> {
  const text = rows ? `${ocrText}\n${rows}` : ocrText;
  const found = matcher.findOcr(text);
  const resolved = await resolveCandidates(store.sql, found);
  const read = [...new Set(found.map((f) => f.text))].slice(0, 6).join("; ");
  const outcome = decideOcr(resolved, (c) => readUnsurely(c, words), (c) => matcher.readExactly(c, text));
  if (outcome.kind === "match") return { caseId: outcome.caseId, by: outcome.by };
  if (outcome.kind === "ambiguous") throw new RefusedError("paper.error.replyOcrAmbiguous", { read, candidates: await candidateList(store, outcome.caseIds) });
  if (outcome.kind === "unsure") throw new RefusedError("paper.error.replyOcrUnsure", { read: [...new Set(outcome.by.map((c) => c.text))].join("; "), candidates: await candidateList(store, [outcome.caseId]) });
  if (found.length) throw new NotFoundError("paper.error.replyOcrUnknownRefs", { read });
  throw new NotFoundError("paper.error.replyOcrNoRefs", { n: ocrText.replace(/\s+/g, "").length });
}

/** Every case the reading names (text layer, QR codes, OCR), for the check of a --case given by the user. */
async function namedCases(store: Store, reading: ReplyReading, matcher: ReferenceMatcher): Promise<number[]> {
  const found = [...reading.qr.flatMap((q) => matcher.find(q, "qr")), ...matcher.find(reading.text), ...(reading.ocrText ? matcher.findOcr(`${reading.ocrText}\n${reading.ocrRows ?? ""}`) : [])];
  return [...new Set((await resolveCandidates(store.sql, found)).map((r) => r.caseId))];
}

/**
 * Reads a reply: a PDF's text layer, else its QR codes, else (a scan without either) its pages by OCR; an image
 * file (PNG, JPEG, TIFF) by QR code, else OCR. Nothing of the register is touched.
 */
export async function readReply(data: Buffer, options: { ocr: () => OcrPool; limits: ScanLimits; hasReference: (text: string) => boolean; namesCase: (text: string) => Promise<boolean>; qrFallback?: boolean }): Promise<ReplyReading> {
  const kind = imageKind(data);
  if (kind) {
    const scan = await readScan(data, kind, { limits: options.limits, pool: options.ocr, namesCase: options.namesCase });
    return { mediaType: IMAGE_MEDIA_TYPE[kind], text: "", qr: scan.qr, ocrText: scan.ocr ? scan.text : null, ocrWords: scan.words, ocrRows: scan.rows, ocrPages: scan.ocr ? scan.pages.length : 0 };
  }
  // QR codes are not looked for here: a PDF without text goes to readScan, which looks for them once, on the
  // page it renders for OCR anyway (finder squares first; pdf.js's own rendering and jsQR over a page of text
  // cost more than a second a page).
  const content = await readUntrustedPdf(data, { qr: "never" });
  if (content.hasText) {
    // A text layer that names nothing (a scan with a stamped header, say): the QR code may still tell.
    if (options.qrFallback !== false && !options.hasReference(content.text)) {
      const again = await readUntrustedPdf(data, { qr: "always" });
      return { mediaType: "application/pdf", text: content.text, qr: again.qr, ocrText: null, ocrPages: 0 };
    }
    return { mediaType: "application/pdf", text: content.text, qr: [], ocrText: null, ocrPages: 0 };
  }
  const scan = await readScan(data, "pdf", { limits: options.limits, pool: options.ocr, namesCase: options.namesCase });
  return { mediaType: "application/pdf", text: "", qr: scan.qr, ocrText: scan.ocr ? scan.text : null, ocrWords: scan.words, ocrRows: scan.rows, ocrPages: scan.ocr ? scan.pages.length : 0 };
}

export async function attachReply(store: Store, data: Buffer, options: AttachOptions = {}): Promise<AttachResult> {
  const hash = sha256(data);
  const given = options.caseRef ? await store.cases.resolve(options.caseRef) : undefined;
  const before = await store.documents.findByFile(hash);
  if (before) return alreadyAttached(store, before, given, hash, data.length);
  const matcher = options.matcher ?? new ReferenceMatcher(await store.diary.template());
  const limits = options.scanLimits ?? scanLimits();
  // Without a pool given, one worker of our own, made only if a page needs OCR, ended when the reading is done.
  let own: OcrPool | undefined;
  let reading: ReplyReading;
  try {
    reading = await readReply(data, {
      ocr: options.ocr ?? (() => (own ??= new OcrPool(1, limits.maxPageMillis))),
      limits,
      hasReference: (text) => matcher.findOcr(text).length > 0,
      // A scan is read until a reading names one of our cases (a reference no case has may be a digit misread).
      namesCase: async (text) => (await resolveCandidates(store.sql, matcher.findOcr(text))).length > 0,
    });
  } finally {
    await own?.close();
  }
  return commitReply(store, data, reading, { ...options, matcher });
}

async function alreadyAttached(store: Store, before: { caseId: number; number: string }, given: number | undefined, hash: string, size: number): Promise<AttachResult> {
  if (given !== undefined && given !== before.caseId) {
    throw new RefusedError("paper.error.replyAttachedElsewhere", { document: before.number, case: await store.cases.label(given) });
  }
  const doc = (await store.documents.forCase(before.caseId)).find((d) => d.number === before.number)!;
  return {
    caseId: before.caseId,
    diaryNumber: await store.cases.label(before.caseId),
    document: doc,
    alreadyAttached: true,
    matchedBy: { by: "case", strength: "case", text: before.number },
    statusChanges: [],
    notes: [{ key: "reply.note.already", params: { document: before.number } }],
    file: { hash, size },
    ocrPages: 0,
  };
}

/**
 * Matches what was read to one case and records the reply: the file stored (encrypted), the text OCR read kept
 * beside it (encrypted too: it may hold personal data), an incoming diary document, the case answered. All in
 * one transaction; the register is asked again under the lock.
 */
export async function commitReply(store: Store, data: Buffer, reading: ReplyReading, options: AttachOptions & { matcher: ReferenceMatcher }): Promise<AttachResult> {
  const hash = sha256(data);
  const matcher = options.matcher;
  const given = options.caseRef ? await store.cases.resolve(options.caseRef) : undefined;
  const notes: AttachResult["notes"] = [];
  let caseId: number;
  let matchedBy: AttachResult["matchedBy"];
  if (given !== undefined) {
    caseId = given;
    matchedBy = { by: "case", strength: "case", text: options.caseRef! };
    const others = (await namedCases(store, reading, matcher)).filter((id) => id !== given);
    if (others.length) {
      const params = { case: await store.cases.label(given), others: (await Promise.all(others.map((id) => store.cases.label(id)))).join(", ") };
      if (!options.force) throw new RefusedError("paper.error.replyNamesOther", params);
      notes.push({ key: "reply.note.forced", params });
    }
  } else if (reading.qr.length || reading.ocrText === null) {
    if (!reading.qr.length && !/[\p{L}\p{N}]/u.test(reading.text)) throw new RefusedError("paper.error.replyNeedsOcr", {});
    const m = await matchReply(store, reading.text, reading.qr, matcher);
    caseId = m.caseId;
    matchedBy = { by: reading.qr.length && m.by.strength === "qr" ? "qr" : "text", strength: m.by.strength, text: m.by.text };
  } else {
    const m = await matchOcr(store, reading.ocrText, matcher, reading.ocrWords ?? [], reading.ocrRows);
    caseId = m.caseId;
    matchedBy = { by: "ocr", strength: m.by.strength, text: m.by.text };
  }

  const c = await store.cases.get(caseId);
  const label = caseLabel(c.diaryNumber, c.id);
  const counterpart = await store.orgs.require(c.counterpart.id);
  const self = await store.orgs.self();
  const party = c.direction === "out" ? (c.unit && c.unit.id !== self.id && (await store.orgs.topOf(await store.orgs.require(c.unit.id))).id === counterpart.id ? c.unit.name : counterpart.name) : (c.unit?.name ?? self.name);
  const params = { area: tSv(`area.${c.area}` as MessageKey), kind: tSv(`kind.${c.kind}` as MessageKey).toLowerCase() };
  const subject = tSv(c.direction === "out" ? "paper.subject.replyOut" : "paper.subject.replyIn", params);

  return await store.write(async () => {
    // Asked again under the write lock: another process (a second inbox run, a second attach) may have
    // attached the same file while this one was reading it.
    const meanwhile = await store.documents.findByFile(hash);
    if (meanwhile) return alreadyAttached(store, meanwhile, given, hash, data.length);
    // A reply comes from outside and may carry anything the sender wrote, personal data included: kept encrypted.
    const file = await store.files.put(data, { mediaType: reading.mediaType, originalName: options.originalName ?? null, encrypt: true });
    const document = await store.documents.add(caseId, { direction: "in", subject, party, fileHash: file.hash });
    if (reading.ocrText !== null) {
      const text = await store.files.put(Buffer.from(reading.ocrText, "utf8"), { mediaType: "text/plain; charset=utf-8", originalName: null, encrypt: true });
      await store.documents.setRecognised(caseId, document.number, text.hash);
    }
    // The steps are decided from the status under the lock: another run may have answered the case meanwhile.
    const now = await store.cases.get(caseId);
    const steps = stepsToAnswered(now.direction, now.status);
    if (now.direction === "out" && now.status === "registered") notes.push({ key: "reply.note.notSent", params: { case: label } });
    if (steps.length === 0) notes.push({ key: "reply.note.noStatusChange", params: { case: label, status: { key: `statusWord.${now.status}` } } });
    const statusChanges: Array<{ from: Status; to: Status }> = [];
    for (const to of steps) statusChanges.push(await store.cases.setStatus(caseId, to));
    await store.audit.record("reply.attach", caseId, { document: document.number, file: file.hash, matchedBy: matchedBy.by, strength: matchedBy.strength });
    await options.onAttached?.(store, caseId);
    return { caseId, diaryNumber: label, document, alreadyAttached: false, matchedBy, statusChanges, notes, file: { hash: file.hash, size: file.size }, ocrPages: reading.ocrPages };
  });
}
