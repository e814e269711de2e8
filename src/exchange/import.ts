// Recording an exchange payload in this register: a new incoming case, or the answer to one of ours.
// Used by `exchange import` and by `reply attach|inbox`, which recognise exchange files by themselves.

import type { ExchangePayload } from "../core/exchange.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import type { Status } from "../core/codes.js";
import type { Org } from "../core/types.js";
import { tSv } from "../i18n/index.js";
import { sha256 } from "../store/files.js";
import { claimedKey, fingerprintOf, verifyPayload } from "./keys.js";
import type { Store } from "../store/store.js";
import { caseLabel } from "../core/diaryNumber.js";

export interface ImportResult {
  type: "case" | "answer";
  caseId: number;
  diaryNumber: string;
  document: string;
  statusChanges: Array<{ from: Status; to: Status }>;
}

async function matchOrg(store: Store, p: ExchangePayload["sender"]): Promise<Org | undefined> {
  return (await store.orgs.get(p.orgId)) ?? (await store.orgs.findByName(p.name));
}

/** Records an exchange payload in this register: a new incoming case, or the answer to one of ours. */
export async function importPayload(store: Store, payload: ExchangePayload, data: Buffer, onAnswered?: (store: Store, caseId: number) => Promise<unknown>): Promise<ImportResult> {
  const self = await store.orgs.self();
  if (payload.recipient.orgId !== self.id && payload.recipient.name.toLowerCase() !== self.name.toLowerCase()) {
    throw new RefusedError("exchange.error.notForUs", { to: payload.recipient.name, us: self.name });
  }
  const senderOrg = await matchOrg(store, payload.sender);
  if (!senderOrg) throw new NotFoundError("exchange.error.unknownSender", { name: payload.sender.name, id: payload.sender.orgId, kind: payload.sender.kind });
  const sender = await store.orgs.topOf(senderOrg);
  const signedBy = await verifySender(store, payload, senderOrg, sender);
  // Asked before the work and again under the write lock (another process may import the same file at once).
  const refuseSeen = async () => {
    const seen = await store.documents.findByFile(sha256(data));
    if (seen) throw new RefusedError("exchange.error.duplicate", { case: await store.cases.label(seen.caseId), document: seen.number });
  };
  await refuseSeen();
  const theirRef = { system: sender.id, id: payload.case.diaryNumber };

  if (payload.type === "case") {
    const refuseKnown = async () => {
      const existing = await tryResolve(store, `${theirRef.system}:${theirRef.id}`);
      if (existing !== undefined) throw new RefusedError("exchange.error.duplicate", { case: await store.cases.label(existing), document: `${theirRef.system}:${theirRef.id}` });
    };
    await refuseKnown();
    const unit = payload.case.unit ? ((await store.orgs.get(payload.case.unit.id)) ?? (await store.orgs.findByName(payload.case.unit.name))) : undefined;
    const unitOk = unit && [self.id, sender.id].includes((await store.orgs.topOf(unit)).id) ? unit.id : null;
    const persons = (payload.case.persons ?? []).map((p) => ({ digits: p.pnr.replace(/\D/g, ""), name: p.name }));
    return await store.write(async () => {
      await refuseSeen();
      await refuseKnown();
      const stored = await store.files.put(data, { mediaType: "application/pdf", encrypt: true });
      const refs = [theirRef];
      for (const r of payload.case.refs) if (r.system !== theirRef.system && (await tryResolve(store, `${r.system}:${r.id}`)) === undefined) refs.push(r);
      const id = await store.cases.create(
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
          subject: tSv("exchange.subject.caseIn", { area: tSv(`area.${payload.case.area}`), kind: tSv(`kind.${payload.case.kind}`).toLowerCase() }),
          party: sender.name,
          fileHash: stored.hash,
        },
      );
      const c = await store.cases.get(id, { documents: true });
      await store.audit.record("exchange.import", id, { type: "case", from: sender.id, theirNumber: theirRef.id, file: stored.hash, signedBy });
      return { type: "case" as const, caseId: id, diaryNumber: c.diaryNumber!, document: c.documents!.at(-1)!.number, statusChanges: [] };
    });
  }

  const answer = payload.answer!;
  if (answer.inReplyTo.orgId !== self.id && (await tryResolve(store, answer.inReplyTo.diaryNumber)) === undefined) {
    throw new RefusedError("exchange.error.notForUs", { to: answer.inReplyTo.orgId, us: self.name });
  }
  const id = await tryResolve(store, answer.inReplyTo.diaryNumber);
  if (id === undefined) throw new NotFoundError("exchange.error.noCase", { number: answer.inReplyTo.diaryNumber });
  const c = await store.cases.get(id);
  if (c.direction !== "out") throw new RefusedError("exchange.error.answerToIncoming", { case: caseLabel(c.diaryNumber, id) });
  return await store.write(async () => {
    await refuseSeen();
    const stored = await store.files.put(data, { mediaType: "application/pdf", encrypt: true });
    const doc = await store.documents.add(id, { direction: "in", subject: tSv("exchange.subject.answerIn", { org: sender.name }), party: sender.name, fileHash: stored.hash });
    await store.cases.update(id, {
      refs: [theirRef],
      ...(answer.causes ? { causes: answer.causes } : {}),
      ...(answer.actions ? { actions: answer.actions } : {}),
      ...(answer.followUp ? { followUp: answer.followUp } : {}),
    });
    const statusChanges: ImportResult["statusChanges"] = [];
    // The status as it is under the lock, not as it was read before: another process may have moved it.
    const { status } = await store.cases.get(id);
    if (status === "registered") statusChanges.push(await store.cases.setStatus(id, "sent"));
    if (status === "registered" || status === "sent") statusChanges.push(await store.cases.setStatus(id, "answered"));
    await store.audit.record("exchange.import", id, { type: "answer", from: sender.id, theirNumber: theirRef.id, file: stored.hash, signedBy });
    await onAnswered?.(store, id);
    return { type: "answer" as const, caseId: id, diaryNumber: c.diaryNumber!, document: doc.number, statusChanges };
  });
}

/**
 * The file must be signed with the key recorded for its sender (the organisation it was matched to, else the
 * top organisation it belongs to). No key recorded: refused, showing the fingerprint of the key the file
 * names so that it can be compared with the sender by phone before `org key import`. The key the file names
 * is never used to verify it. Returns the fingerprint of the key that verified it (for the audit trail).
 */
async function verifySender(store: Store, payload: ExchangePayload, matched: Org, sender: Org): Promise<string> {
  const recorded = (await store.orgKeys.get(matched.id)) ?? (await store.orgKeys.get(sender.id));
  const claimed = claimedKey(payload);
  if (!recorded) {
    throw new RefusedError("exchange.error.noSenderKey", { name: sender.name, id: sender.id, fingerprint: fingerprintOf(claimed) });
  }
  if (!verifyPayload(payload, recorded.publicKey)) {
    const otherKey = !claimed.equals(recorded.publicKey);
    throw new RefusedError(otherKey ? "exchange.error.otherKey" : "exchange.error.badSignature", {
      name: sender.name,
      id: sender.id,
      fingerprint: fingerprintOf(claimed),
      recorded: recorded.fingerprint,
    });
  }
  return recorded.fingerprint;
}

async function tryResolve(store: Store, ref: string): Promise<number | undefined> {
  try {
    return await store.cases.resolve(ref);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
