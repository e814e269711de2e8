// Our organisation's Ed25519 signing key for exchange files, the public key file we give to counterparts,
// signing and verifying payloads. Format and trust procedure: docs/exchange/signing.md.
//
// On SQLite the private key is a PKCS#8 PEM file `<data directory>/signing-key`, mode 0600 from its first byte.
// On PostgreSQL it is one for the register, whichever registrar's machine signs: the same PEM sealed with the
// register's key (the registrars' shared key file) in the settings row `signing_key`, so the server never sees
// it in clear and `org key export` gives the same public key on every machine. Either way it is made by
// `init`, or on first need in a register from before signed exchange files (the first `exchange export` or
// `org key export`): nothing for an administrator to remember, and the creation is recorded in the audit trail
// with the key's fingerprint. A key that exists is never replaced; a damaged one is refused.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatFingerprint, SIGNATURE_ALGORITHM, signedText, type ExchangePayload, type ExchangeSignature, type SealedPayload } from "../core/exchange.js";
import { FailedError } from "../core/errors.js";
import type { FieldCipher } from "../store/crypto.js";
import { SIGNING_KEY_FILE, SIGNING_KEY_SETTING } from "../store/orgKeys.js";
import { createFileExclusive, removeStaleTemps } from "../store/outputFile.js";
import type { Store } from "../store/store.js";

/** A public key file larger than this is not one (a key file is about 400 bytes). */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface SigningKey {
  /** The key file on SQLite; null on PostgreSQL, where the key is in the register (sealed). */
  file: string | null;
  privateKey: KeyObject;
  /** The raw 32-byte public key. */
  publicKey: Buffer;
  fingerprint: string;
}

export function signingKeyFile(home: string): string {
  return join(home, SIGNING_KEY_FILE);
}

/** The raw 32 bytes of an Ed25519 public key. */
function rawOf(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  return Buffer.from(jwk.x!, "base64url");
}

/** An Ed25519 public key from its raw 32 bytes; undefined when they are not one. */
export function publicKeyFromRaw(raw: Buffer): KeyObject | undefined {
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch {
    return undefined;
  }
}

export function fingerprintOf(raw: Buffer): string {
  return formatFingerprint(createHash("sha256").update(raw).digest("hex"));
}

/** The public key as PEM (SubjectPublicKeyInfo), the form of the key file. */
export function publicKeyPem(raw: Buffer): string {
  return publicKeyFromRaw(raw)!.export({ format: "pem", type: "spki" }).toString();
}

/** The key of a PKCS#8 PEM; undefined when it is not an Ed25519 private key. */
function keyOfPem(pem: string | Buffer, file: string | null): SigningKey | undefined {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    return undefined;
  }
  if (privateKey.asymmetricKeyType !== "ed25519") return undefined;
  const publicKey = rawOf(createPublicKey(privateKey));
  return { file, privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** The signing key in a key file; a damaged one (or one that cannot be read) is refused in one line. */
export function loadSigningKey(file: string): SigningKey {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch {
    throw new FailedError("error.signingKeyInvalid", { file });
  }
  const key = keyOfPem(pem, file);
  if (!key) throw new FailedError("error.signingKeyInvalid", { file });
  return key;
}

/** The signing key's PEM sealed with the register's key, as the register on PostgreSQL keeps it (base64). */
export function sealSigningKey(key: SigningKey, cipher: FieldCipher): string {
  return cipher.encrypt(key.privateKey.export({ format: "pem", type: "pkcs8" }).toString()).toString("base64");
}

function unsealSigningKey(sealed: string, cipher: FieldCipher): SigningKey {
  let pem: Buffer | undefined;
  try {
    pem = cipher.decrypt(Buffer.from(sealed, "base64"));
  } catch {
    pem = undefined;
  }
  const key = pem && keyOfPem(pem, null);
  if (!key) throw new FailedError("error.signingKeyInvalidShared", {});
  return key;
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the signing key file when there is none (for `init`); true when it was created now. The caller
 * records the creation in the audit trail (`recordCreated`).
 */
export function createSigningKey(home: string): { key: SigningKey; created: boolean } {
  const file = signingKeyFile(home);
  let created = false;
  removeStaleTemps(file); // a whole temporary key a killed run left, never linked or not yet removed
  if (!exists(file)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    created = createFileExclusive(file, privateKey.export({ format: "pem", type: "pkcs8" }).toString());
  }
  return { key: loadSigningKey(file), created };
}

/** Records the creation of our signing key in the audit trail; call inside `store.write`. */
export async function recordCreated(store: Store, key: SigningKey): Promise<void> {
  await store.audit.record("org.key.create", null, { org: (await store.orgs.self()).id, fingerprint: key.fingerprint });
}

/** Our signing key, made now (and recorded in the audit trail) when this register has none yet. */
export async function ourSigningKey(store: Store): Promise<SigningKey> {
  if (store.sql.engine === "postgres") return sharedSigningKey(store);
  const { key, created } = createSigningKey(store.home);
  if (created) await store.write(async () => recordCreated(store, key));
  return key;
}

/**
 * The register's signing key on PostgreSQL, from the database; made under the register's write lock when it
 * has none, so that two machines making it at once end up with one (the second reads the first's once the
 * lock is its). A machine that signed with a key file of its own before the key moved into the register
 * gives the register that key (the first such machine to sign: counterparts that trust it keep trusting);
 * after that the register's key is the one, and a key file left in a data directory is not used.
 */
async function sharedSigningKey(store: Store): Promise<SigningKey> {
  const cipher = await store.cipher();
  const stored = await store.settings.get(SIGNING_KEY_SETTING);
  if (stored !== undefined) return unsealSigningKey(stored, cipher);
  return await store.write(async () => {
    const made = await store.settings.get(SIGNING_KEY_SETTING);
    if (made !== undefined) return unsealSigningKey(made, cipher);
    const file = signingKeyFile(store.home);
    const adopted = exists(file);
    const key = adopted ? { ...loadSigningKey(file), file: null } : keyOfPem(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }), null)!;
    await store.settings.set(SIGNING_KEY_SETTING, sealSigningKey(key, cipher));
    await store.audit.record("org.key.create", null, { org: (await store.orgs.self()).id, fingerprint: key.fingerprint, ...(adopted ? { from: "file" } : {}) });
    return key;
  });
}

/** Signs a sealed payload with our key. Ed25519 is deterministic: the same payload gives the same file. */
export function signPayload(payload: SealedPayload, key: SigningKey): ExchangePayload {
  const signature: ExchangeSignature = {
    algorithm: SIGNATURE_ALGORITHM,
    publicKey: key.publicKey.toString("base64"),
    value: sign(null, Buffer.from(signedText(payload), "utf8"), key.privateKey).toString("base64"),
  };
  return { ...payload, signature };
}

/** The raw public key a file says it was signed with (not to be trusted: only to show its fingerprint). */
export function claimedKey(payload: ExchangePayload): Buffer {
  return Buffer.from(payload.signature.publicKey, "base64");
}

/** True when the payload's signature verifies against this public key (raw 32 bytes). */
export function verifyPayload(payload: ExchangePayload, publicKey: Buffer): boolean {
  const key = publicKeyFromRaw(publicKey);
  if (!key) return false;
  const value = Buffer.from(payload.signature.value, "base64");
  if (value.length !== 64) return false;
  try {
    return verify(null, Buffer.from(signedText(payload), "utf8"), key, value);
  } catch {
    return false;
  }
}

// --- the public key file ---------------------------------------------------------------------------------

export const KEY_FILE_FORMAT = "avvik-public-key";
export const KEY_FILE_VERSION = 1;

export interface PublicKeyInfo {
  orgId: string;
  orgName: string;
  /** The raw 32-byte public key. */
  publicKey: Buffer;
  fingerprint: string;
}

/** The public key file: a few header lines and the key as PEM, to be sent by e-mail and read by people. */
export function renderKeyFile(info: PublicKeyInfo): string {
  return [
    `# Publik nyckel för utbytesfiler från ${info.orgName} (avvik). Importera med:`,
    `#   avvik org key import ${info.orgId} FIL`,
    `# Jämför fingeravtrycket med avsändaren per telefon innan du importerar.`,
    `format: ${KEY_FILE_FORMAT} ${KEY_FILE_VERSION}`,
    `org-id: ${info.orgId}`,
    `org-name: ${info.orgName}`,
    `algorithm: ${SIGNATURE_ALGORITHM}`,
    `fingerprint: ${info.fingerprint}`,
    publicKeyPem(info.publicKey).trimEnd(),
    "",
  ].join("\n");
}

export type KeyFileProblem = "too-large" | "not-key-file" | "no-org" | "bad-key" | "fingerprint";

/**
 * Reads a public key file: the text form above, or the JSON of `org key export --json`
 * ({orgId, publicKey (PEM), fingerprint}). The fingerprint, when given, must be the key's.
 */
export function parseKeyFile(data: Buffer): { orgId: string; publicKey: Buffer; fingerprint: string } | { problem: KeyFileProblem } {
  if (data.length > MAX_KEY_FILE_BYTES) return { problem: "too-large" };
  const text = data.toString("utf8").replace(/^\uFEFF/, "");
  let orgId: unknown;
  let pem: unknown;
  let fingerprint: unknown;
  if (text.trimStart().startsWith("{")) {
    try {
      const v = JSON.parse(text) as { orgId?: unknown; publicKey?: unknown; fingerprint?: unknown };
      if (typeof v !== "object" || v === null) return { problem: "not-key-file" };
      ({ orgId, publicKey: pem, fingerprint } = v);
    } catch {
      return { problem: "not-key-file" };
    }
  } else {
    const headers = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith("-----BEGIN")) break;
      const m = /^([a-z-]+):\s*(.*?)\s*$/.exec(line);
      if (m) headers.set(m[1]!, m[2]!);
    }
    if (headers.get("format") !== `${KEY_FILE_FORMAT} ${KEY_FILE_VERSION}`) return { problem: "not-key-file" };
    if ((headers.get("algorithm") ?? SIGNATURE_ALGORITHM) !== SIGNATURE_ALGORITHM) return { problem: "bad-key" };
    orgId = headers.get("org-id");
    fingerprint = headers.get("fingerprint");
    const block = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(text);
    pem = block?.[0];
  }
  if (typeof orgId !== "string" || !orgId.trim()) return { problem: "no-org" };
  if (typeof pem !== "string") return { problem: "bad-key" };
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return { problem: "bad-key" };
  }
  if (key.asymmetricKeyType !== "ed25519") return { problem: "bad-key" };
  const publicKey = rawOf(key);
  const actual = fingerprintOf(publicKey);
  if (fingerprint !== undefined && (typeof fingerprint !== "string" || fingerprint.replace(/\s+/g, "").toUpperCase() !== actual.replace(/\s+/g, ""))) {
    return { problem: "fingerprint" };
  }
  return { orgId: orgId.trim().toLowerCase(), publicKey, fingerprint: actual };
}
