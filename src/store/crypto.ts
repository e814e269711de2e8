// Personal data at rest: AES-256-GCM field encryption and keyed hashes (HMAC-SHA-256) for matching.
// The key is 32 random bytes in a file (mode 0600) in the data directory, or where AVVIK_KEY_FILE says.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { FailedError } from "../core/errors.js";
import { createFileExclusive, removeStaleTemps } from "./outputFile.js";

/** A field sealed alone (a text or bytes). */
const VERSION = 1;
/** A person sealed as one blob: the number and the name together (migration 018). */
const PERSON_VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

// Initialisation vectors come from the system's CSPRNG in bulk: one call per 4,096 encryptions instead of one
// each (a per-call randomBytes costs more than the encryption of a short field). Every IV is still random.
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 4096);
    ivOffset = 0;
  }
  // A view of the pool (never handed out twice: the offset only grows until a new pool replaces it).
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export class FieldCipher {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new FailedError("error.keyInvalid", {});
    this.encKey = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "avvik field encryption v1", 32));
    this.macKey = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "avvik keyed hash v1", 32));
  }

  encrypt(plain: string | Buffer): Buffer {
    return this.seal(VERSION, typeof plain === "string" ? Buffer.from(plain, "utf8") : plain);
  }

  /**
   * A person as one sealed blob (one AES-GCM instead of one per field): the number's length, the number, then
   * 0 (no name) or 1 and the name, all inside the encryption.
   */
  sealPerson(digits: string, name: string | null): Buffer {
    const n = Buffer.byteLength(digits, "latin1");
    if (n > 255 || !/^[0-9]*$/.test(digits)) throw new Error("sealPerson: a personnummer is digits");
    const body = Buffer.allocUnsafe(2 + n + (name === null ? 0 : Buffer.byteLength(name, "utf8")));
    body[0] = n;
    body.write(digits, 1, "latin1");
    body[1 + n] = name === null ? 0 : 1;
    if (name !== null) body.write(name, 2 + n, "utf8");
    return this.seal(PERSON_VERSION, body);
  }

  /** The number and the name of a blob of sealPerson. */
  openPerson(blob: Buffer): { digits: string; name: string | null } {
    if (blob[0] !== PERSON_VERSION) throw new FailedError("error.keyWrong", {});
    const body = this.decrypt(blob);
    const n = body[0]!;
    if (body.length < 2 + n) throw new FailedError("error.keyWrong", {});
    return { digits: body.toString("latin1", 1, 1 + n), name: body[1 + n] === 1 ? body.toString("utf8", 2 + n) : null };
  }

  private seal(version: number, plain: Buffer): Buffer {
    const iv = nextIv();
    const cipher = createCipheriv("aes-256-gcm", this.encKey, iv);
    const body = cipher.update(plain);
    const last = cipher.final();
    const out = Buffer.allocUnsafe(1 + IV_BYTES + TAG_BYTES + body.length + last.length);
    out[0] = version;
    iv.copy(out, 1);
    cipher.getAuthTag().copy(out, 1 + IV_BYTES);
    body.copy(out, 1 + IV_BYTES + TAG_BYTES);
    last.copy(out, 1 + IV_BYTES + TAG_BYTES + body.length);
    return out;
  }

  /** The plain bytes of a blob of `encrypt` or `sealPerson`; a wrong key (or a damaged blob) is refused. */
  decrypt(blob: Buffer): Buffer {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || (blob[0] !== VERSION && blob[0] !== PERSON_VERSION)) throw new FailedError("error.keyWrong", {});
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.encKey, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new FailedError("error.keyWrong", {});
    }
  }

  decryptText(blob: Buffer): string {
    return this.decrypt(blob).toString("utf8");
  }

  /** A keyed hash: equal inputs give equal hashes, but nobody without the key can test a guess. */
  hash(value: string, purpose = "pnr"): string {
    return createHmac("sha256", this.macKey).update(`${purpose}\0${value}`).digest("hex");
  }

  /** The keyed hash of a personnummer's digits as stored (`persons.pnr_hash`, 32 bytes): the bytes of `hash(digits)`. */
  personHash(digits: string): Buffer {
    return createHmac("sha256", this.macKey).update(`pnr\0${digits}`).digest();
  }
}

/** The setting that holds `keyCheckOf` the register's key: a wrong key is refused before it encrypts anything. */
export const KEY_CHECK = "key_check";

export function keyCheckOf(cipher: FieldCipher): string {
  return cipher.hash(KEY_CHECK, KEY_CHECK);
}

/** Makes the key file unless it exists: whole or not at all, 0600 from its first byte (a killed `init` leaves no half key). */
export function createKeyFile(file: string): void {
  removeStaleTemps(file); // what a killed run left: a whole temporary key, never linked or not yet removed
  if (existsSync(file)) return;
  createFileExclusive(file, randomBytes(32).toString("base64") + "\n", 0o600);
}

export function loadKeyFile(file: string): FieldCipher {
  if (!existsSync(file)) throw new FailedError("error.keyMissing", { file });
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    throw new FailedError("error.keyInvalid", { file });
  }
  const key = Buffer.from(text, "base64");
  if (key.length !== 32) throw new FailedError("error.keyInvalid", { file });
  return new FieldCipher(key);
}
