// `org key export|import|list`: our public key for exchange files, and the counterparts' keys we trust
// (CLI.md section 7; format and trust procedure in docs/exchange/signing.md).

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { FailedError, NotFoundError, RefusedError } from "../../core/errors.js";
import type { Store } from "../../store/store.js";

export interface OurKey {
  orgId: string;
  /** PEM of the public key. */
  publicKey: string;
  fingerprint: string;
  /** The key file as `org key import` reads it. */
  text: string;
}

/** Our public key (the signing key is made on first need, audited). */
export async function ourPublicKey(store: Store): Promise<OurKey> {
  const { ourSigningKey, publicKeyPem, renderKeyFile } = await import("../../exchange/keys.js");
  const key = await ourSigningKey(store);
  const self = await store.orgs.self();
  const text = renderKeyFile({ orgId: self.id, orgName: self.name, publicKey: key.publicKey, fingerprint: key.fingerprint });
  return { orgId: self.id, publicKey: publicKeyPem(key.publicKey), fingerprint: key.fingerprint, text };
}

/** A small regular file, read whole; the reason in one line when it cannot be. */
function readKeyInput(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new FailedError("orgKey.error.notKeyFile", { file });
    size = st.size;
  } catch (e) {
    if (e instanceof FailedError) throw e;
    throw new NotFoundError("orgKey.error.noFile", { file });
  }
  // Read at most a little more than a key file can be: a device or a huge file is not one.
  const max = 64 * 1024 + 1;
  const buf = Buffer.alloc(Math.min(size, max));
  const fd = openSync(file, "r");
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface KeyImport {
  orgId: string;
  name: string;
  fingerprint: string;
  status: "imported" | "replaced" | "unchanged";
  previous: string | null;
}

/** Records the key in `file` for counterpart `orgId`; a different key replaces the recorded one only with `replace`. */
export async function importOrgKey(store: Store, orgId: string, file: string, replace: boolean): Promise<KeyImport> {
  const data = readKeyInput(file);
  const { parseKeyFile } = await import("../../exchange/keys.js");
  const parsed = parseKeyFile(data);
  if ("problem" in parsed) throw new FailedError(`orgKey.error.${parsed.problem}`, { file });
  return await store.write(async () => {
    const org = await store.orgs.get(orgId);
    if (!org) throw new NotFoundError("error.orgNotFound", { id: orgId });
    if (org.self) throw new RefusedError("orgKey.error.self", { id: orgId });
    if (parsed.orgId !== orgId) throw new RefusedError("orgKey.error.otherOrg", { file, theirs: parsed.orgId, id: orgId });
    const base = { orgId, name: org.name, fingerprint: parsed.fingerprint };
    const current = await store.orgKeys.get(orgId);
    if (current && current.publicKey.equals(parsed.publicKey)) return { ...base, status: "unchanged" as const, previous: current.fingerprint };
    if (current && !replace) throw new RefusedError("orgKey.error.differs", { id: orgId, name: org.name, recorded: current.fingerprint, fingerprint: parsed.fingerprint });
    await store.orgKeys.set(orgId, parsed.publicKey, parsed.fingerprint);
    return current ? { ...base, status: "replaced" as const, previous: current.fingerprint } : { ...base, status: "imported" as const, previous: null };
  });
}

export interface RecordedKey {
  orgId: string;
  name: string;
  fingerprint: string;
  recordedAt: string;
  recordedBy: string;
}

export async function listOrgKeys(store: Store): Promise<RecordedKey[]> {
  const out: RecordedKey[] = [];
  for (const k of await store.orgKeys.list()) {
    out.push({ orgId: k.orgId, name: (await store.orgs.get(k.orgId))?.name ?? k.orgId, fingerprint: k.fingerprint, recordedAt: k.recordedAt, recordedBy: k.recordedBy });
  }
  return out;
}
