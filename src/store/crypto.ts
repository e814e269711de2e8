// Personal data at rest: AES-256-GCM field encryption and keyed hashes (HMAC-SHA-256) for matching.
// The key is 32 random bytes in a file (mode 0600) in the data directory, or where AVVIK_KEY_FILE says.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { FailedError } from "../core/errors.js";

const VERSION = 1;
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
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
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
    const iv = nextIv();
    const cipher = createCipheriv("aes-256-gcm", this.encKey, iv);
    const body = Buffer.concat([cipher.update(typeof plain === "string" ? Buffer.from(plain, "utf8") : plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer): Buffer {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) throw new FailedError("error.keyWrong", {});
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
}

export function createKeyFile(file: string): void {
  if (existsSync(file)) return;
  writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
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
