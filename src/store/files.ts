import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
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

/** Only a SHA-256 in hex names a stored file (so no path can leave files/ on SQLite). */
function assertHash(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new InvalidDataError("error.fileHashInvalid", { hash: hash.slice(0, 80) });
}

/**
 * Where a stored file's bytes (as stored: encrypted when the file is) live. SQLite: the register's data
 * directory, files/<aa>/<hash>. PostgreSQL: the table `file_contents` (migration 020), so that every registrar
 * sharing the register reads them, whatever machine stored them.
 */
interface FileBytes {
  has(hash: string): Promise<boolean>;
  /** The bytes as stored, undefined when there are none. */
  load(hash: string): Promise<Buffer | undefined>;
  /** Called inside the write that records the file's row, after that row (the table refers to it). */
  save(hash: string, bytes: Buffer): Promise<void>;
  /** Removes the bytes (a purge); true when there were any. */
  erase(hash: string): Promise<boolean>;
}

/** files/<aa>/<hash> in the data directory; written atomically, erased by overwriting and unlinking. */
class DiskBytes implements FileBytes {
  constructor(private readonly home: string) {}

  private path(hash: string): string {
    return join(this.home, "files", hash.slice(0, 2), hash);
  }

  async has(hash: string): Promise<boolean> {
    return existsSync(this.path(hash));
  }

  async load(hash: string): Promise<Buffer | undefined> {
    try {
      return readFileSync(this.path(hash));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /**
   * Written (temporary file, then rename) before the write commits: a crash between the two leaves at most an
   * unreferenced file, never a row without its file.
   */
  async save(hash: string, bytes: Buffer): Promise<void> {
    const path = this.path(hash);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, bytes, 0o600);
  }

  async erase(hash: string): Promise<boolean> {
    const path = this.path(hash);
    if (!existsSync(path)) return false;
    // Overwrite before unlinking (best effort: journaling and SSDs may keep old blocks).
    try {
      writeFileSync(path, Buffer.alloc(statSync(path).size));
    } catch {
      // the unlink below still removes it
    }
    unlinkSync(path);
    return true;
  }
}

/** The `file_contents` table: the bytes in the same transaction as their row. */
class DatabaseBytes implements FileBytes {
  constructor(private readonly db: Sql) {}

  async has(hash: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS one FROM file_contents WHERE hash = ?", [hash])) !== undefined;
  }

  async load(hash: string): Promise<Buffer | undefined> {
    return (await this.db.get<{ data: Buffer }>("SELECT data FROM file_contents WHERE hash = ?", [hash]))?.data;
  }

  async save(hash: string, bytes: Buffer): Promise<void> {
    await this.db.run("INSERT INTO file_contents (hash, data) VALUES (?, ?) ON CONFLICT (hash) DO UPDATE SET data = excluded.data", [hash, bytes]);
  }

  async erase(hash: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM file_contents WHERE hash = ?", [hash])).changes > 0;
  }
}

/**
 * Stored files, addressed by the SHA-256 of their plain content, so the same file stored twice is kept once
 * and recognised; files with personal data are encrypted. Their rows are the table `files`; where their bytes
 * live is this repository's concern alone (`FileBytes`: the data directory on SQLite, the database on
 * PostgreSQL): nothing above the store reads a stored file but through `read`.
 */
export class FileRepo {
  private readonly bytes: FileBytes;

  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly keys: Keys,
    home: string,
  ) {
    this.bytes = db.engine === "postgres" ? new DatabaseBytes(db) : new DiskBytes(home);
  }

  async get(hash: string): Promise<Omit<StoredFile, "existed"> | undefined> {
    const r = (await this.db.get("SELECT hash, size, media_type, original_name, encrypted FROM files WHERE hash = ?", [hash])) as
      | { hash: string; size: number; media_type: string; original_name: string | null; encrypted: number }
      | undefined;
    return r && { hash: r.hash, size: r.size, mediaType: r.media_type, originalName: r.original_name, encrypted: r.encrypted === 1 };
  }

  /**
   * Stores the bytes and records the row; call inside `store.write`. On SQLite the file is written (atomically)
   * before the write commits, on PostgreSQL in the same transaction.
   */
  async put(data: Buffer, meta: { mediaType: string; originalName?: string | null; encrypt?: boolean }): Promise<StoredFile> {
    const hash = sha256(data);
    const existing = await this.get(hash);
    if (existing && (await this.bytes.has(hash)) && !(await this.purgedAt(hash))) return { ...existing, existed: true };
    const encrypt = meta.encrypt ?? false;
    const stored = encrypt ? (await this.keys()).encrypt(data) : data;
    // On disk the bytes come first (a row never names a file that is not there); in the database the row
    // first, which its bytes refer to.
    if (this.db.engine !== "postgres") await this.bytes.save(hash, stored);
    await this.db.run(`INSERT INTO files (hash, size, media_type, original_name, encrypted, stored_at, purged_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (hash) DO UPDATE SET size = excluded.size, media_type = excluded.media_type, original_name = excluded.original_name,
         encrypted = excluded.encrypted, stored_at = excluded.stored_at, purged_at = NULL`, [hash, data.length, meta.mediaType, meta.originalName ?? null, encrypt ? 1 : 0, this.clock.now]);
    if (this.db.engine === "postgres") await this.bytes.save(hash, stored);
    return { hash, size: data.length, mediaType: meta.mediaType, originalName: meta.originalName ?? null, encrypted: encrypt, existed: false };
  }

  /** The plain content of a stored file (decrypted when it is encrypted). */
  async read(hash: string): Promise<Buffer> {
    assertHash(hash);
    const meta = await this.get(hash);
    if (meta && (await this.purgedAt(hash))) throw new NotFoundError("error.filePurged", { hash: hash.slice(0, 12) });
    const raw = await this.bytes.load(hash);
    if (raw === undefined) throw new NotFoundError("error.fileMissing", { hash: hash.slice(0, 12) });
    return meta?.encrypted ? (await this.keys()).decrypt(raw) : raw;
  }

  /** The bytes as stored (still encrypted when the file is), undefined when they are not there; for checks and copies. */
  async stored(hash: string): Promise<Buffer | undefined> {
    assertHash(hash);
    return this.bytes.load(hash);
  }

  /** Whether a stored file's bytes are there (for a purged file: whether they still wait to be erased). */
  async hasBytes(hash: string): Promise<boolean> {
    assertHash(hash);
    return this.bytes.has(hash);
  }

  /** Erases a stored file's bytes (the row stays); true when there were any. On PostgreSQL call inside `store.write`. */
  async erase(hash: string): Promise<boolean> {
    assertHash(hash);
    return this.bytes.erase(hash);
  }

  /** When the file's bytes were erased by a purge (the row stays), else null. */
  async purgedAt(hash: string): Promise<string | null> {
    const r = (await this.db.get("SELECT purged_at FROM files WHERE hash = ?", [hash])) as { purged_at: string | null } | undefined;
    return r?.purged_at ?? null;
  }
}
