import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InvalidDataError, NotFoundError } from "../core/errors.js";
import { writeFileAtomic } from "./outputFile.js";
import type { Clock, Keys, Sql } from "./sql.js";

export interface StoredFile {
  hash: string;
  size: number;
  mediaType: string;
  originalName: string | null;
  encrypted: boolean;
  /** True when a file with the same content was already stored. */
  existed: boolean;
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Files kept in the data directory under files/<aa>/<hash>, addressed by the SHA-256 of their plain content,
 * so the same file stored twice is kept once and recognised. Files with personal data are encrypted.
 */
export class FileRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly keys: Keys,
    private readonly home: string,
  ) {}

  /** Where a stored file's bytes are; only a SHA-256 in hex is accepted, so no path can leave files/. */
  pathOf(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new InvalidDataError("error.fileHashInvalid", { hash: hash.slice(0, 80) });
    return join(this.home, "files", hash.slice(0, 2), hash);
  }

  async get(hash: string): Promise<Omit<StoredFile, "existed"> | undefined> {
    const r = (await this.db.get("SELECT * FROM files WHERE hash = ?", [hash])) as
      | { hash: string; size: number; media_type: string; original_name: string | null; encrypted: number }
      | undefined;
    return r && { hash: r.hash, size: r.size, mediaType: r.media_type, originalName: r.original_name, encrypted: r.encrypted === 1 };
  }

  /**
   * Writes the bytes (atomically: temporary file, then rename) before the row is recorded; call inside
   * `store.write`. A crash between the two leaves at most an unreferenced file, never a row without a file.
   */
  async put(data: Buffer, meta: { mediaType: string; originalName?: string | null; encrypt?: boolean }): Promise<StoredFile> {
    const hash = sha256(data);
    const existing = await this.get(hash);
    if (existing && existsSync(this.pathOf(hash)) && !(await this.purgedAt(hash))) return { ...existing, existed: true };
    const encrypt = meta.encrypt ?? false;
    const path = this.pathOf(hash);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, encrypt ? (await this.keys()).encrypt(data) : data, 0o600);
    await this.db.run(`INSERT INTO files (hash, size, media_type, original_name, encrypted, stored_at, purged_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (hash) DO UPDATE SET size = excluded.size, media_type = excluded.media_type, original_name = excluded.original_name,
         encrypted = excluded.encrypted, stored_at = excluded.stored_at, purged_at = NULL`, [hash, data.length, meta.mediaType, meta.originalName ?? null, encrypt ? 1 : 0, this.clock.now]);
    return { hash, size: data.length, mediaType: meta.mediaType, originalName: meta.originalName ?? null, encrypted: encrypt, existed: false };
  }

  async read(hash: string): Promise<Buffer> {
    const meta = await this.get(hash);
    if (meta && (await this.purgedAt(hash))) throw new NotFoundError("error.filePurged", { hash: hash.slice(0, 12) });
    const raw = readFileSync(this.pathOf(hash));
    return meta?.encrypted ? (await this.keys()).decrypt(raw) : raw;
  }

  /** When the file's bytes were erased by a purge (the row stays), else null. */
  async purgedAt(hash: string): Promise<string | null> {
    const r = (await this.db.get("SELECT purged_at FROM files WHERE hash = ?", [hash])) as { purged_at: string | null } | undefined;
    return r?.purged_at ?? null;
  }
}
