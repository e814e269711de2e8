// Every file the tool writes, in one place. Two things:
//
// - `writeFileAtomic(path, data, mode)`: the bytes go to a temporary file in the target's directory, opened
//   with its final mode from the first byte, are synced, and the file is renamed over the target (and the
//   directory synced). A reader, or a crash, never sees half a file under the target's name.
// - `OutputFile`: a path the user gave (`-o FILE`, `--pdf FILE`, `backup FILE`, the rejected rows beside an
//   import). It refuses any path that lands in the data directory (the database and its -wal/-shm, the key,
//   stored files, the outbox) however it is spelt: relative, with `..`, through a symlink (the file itself,
//   or any directory on the way, also a link that dangles), through a bind mount or a hard link. It stages
//   the bytes in a temporary file (`stage`), and puts them under the target's name only on `commit`, which
//   a command calls as the last step inside the transaction that records the file: a file that cannot be
//   written leaves the register unchanged, and a register that cannot be changed leaves no file. Every
//   failure is one line naming the path (`output.error.*`), never a Node message or the temporary name.

import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  createWriteStream,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
  type WriteStream,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { FailedError, RefusedError, reasonOf } from "../core/errors.js";
import { runCache } from "../runCache.js";

/** What an output may never touch: the data directory, and the key file wherever it is. */
export interface DataDir {
  home: string;
  keyFile?: string;
}

// --- paths ---

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? "";
}

/**
 * Where a path really leads, as the kernel would follow it: each component in turn, every symlink replaced
 * by its target (also a final link that dangles, and `..` after a link, which goes up from the link's
 * target). Components that do not exist are taken as written.
 */
export function physicalPath(path: string, cwd = process.cwd()): string {
  const todo = (isAbsolute(path) ? path : join(cwd, path)).split(sep).filter((p) => p !== "" && p !== ".");
  todo.reverse();
  let cur: string = sep;
  let hops = 0;
  let missing = false;
  while (todo.length) {
    const part = todo.pop()!;
    if (part === "..") {
      cur = dirname(cur);
      continue;
    }
    const next = join(cur, part);
    if (missing) {
      cur = next;
      continue;
    }
    let st: Stats;
    try {
      st = lstatSync(next);
    } catch {
      missing = true;
      cur = next;
      continue;
    }
    if (st.isSymbolicLink() && hops++ < 40) {
      const link = readlinkSync(next);
      // /proc/self/fd/N of a pipe or socket ("pipe:[1234]"): not a path; the link itself is the file (`-o /dev/stdout`).
      if (/^[a-z_]+:\[\d+\]$/.test(link) || link.startsWith("anon_inode:")) {
        cur = next;
        missing = true;
        continue;
      }
      for (const p of link.split(sep).filter((x) => x !== "" && x !== ".").reverse()) todo.push(p);
      if (isAbsolute(link)) cur = sep;
      continue;
    }
    cur = next;
  }
  return cur;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const sameFile = (a: Stats | null, b: Stats | null): boolean => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;

/**
 * What writing `target` (already physical) would hit: "home" when it lands in the data directory (its path is
 * inside it, or a directory on its way is the data directory under another name, a bind mount), "key" when
 * it is the key file, a file beside the key named after it (`key.pub`), or a hard link to the key; a hard
 * link to the database counts as "home". Null when it is safe.
 */
export function protectedTarget(target: string, data: DataDir): "home" | "key" | null {
  const home = physicalPath(data.home);
  const key = data.keyFile ? physicalPath(data.keyFile) : join(home, "key");
  const st = statOrNull(target);
  const isKey = (dirname(target) === dirname(key) && basename(target).startsWith(basename(key))) || sameFile(st, statOrNull(key));
  if (isInside(target, home) || isInside(target, resolve(data.home))) return isKey ? "key" : "home";
  if (isKey) return "key";
  const homeStat = statOrNull(home);
  if (homeStat) {
    for (let dir = dirname(target); ; dir = dirname(dir)) {
      if (sameFile(statOrNull(dir), homeStat)) return "home";
      if (dirname(dir) === dir) break;
    }
  }
  if (st && ["avvik.db", "avvik.db-wal", "avvik.db-shm"].some((f) => sameFile(st, statOrNull(join(home, f))))) return "home";
  return null;
}

// --- errors ---

/** A file-system error while writing `file`, as one line that says what to do (`flag`: how to give a path). */
export function outputError(e: unknown, file: string, flag: string): Error {
  if (e instanceof FailedError) return e;
  const dir = dirname(file);
  switch (errno(e)) {
    case "ENOENT":
      return new FailedError("output.error.noDir", { dir, flag });
    case "ENOTDIR":
      return new FailedError("output.error.notDir", { dir, flag });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new FailedError("output.error.notWritable", { dir, file, flag });
    case "EISDIR":
      return new FailedError("output.error.isDir", { file, flag });
    case "ENOSPC":
    case "EDQUOT":
    case "EFBIG":
      return new FailedError("output.error.full", { file, flag });
    case "ENAMETOOLONG":
      return new FailedError("output.error.nameTooLong", { flag });
    default:
      return new FailedError("output.error.write", { file, flag, reason: reasonOf(e, { path: file }) });
  }
}

// --- temporary files ---

const TMP = /^\.(.+)\.(\d+)-[0-9a-f]{8}\.tmp(-journal|-wal|-shm)?$/;
const LEGACY_TMP = /^(.+)\.(\d+)\.tmp(-journal|-wal|-shm)?$/;

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === "EPERM";
  }
}

/**
 * Removes temporary files an earlier, killed run left beside `target` (ours, and the `<target>.<pid>.tmp`
 * of older versions), with their SQLite journals; only those of processes that are gone.
 */
/**
 * A directory's names, read once per run: many files written into one directory (packets one after another)
 * look for stale temporary files once, not once each (what a killed run left is there before this run starts).
 */
const listings = runCache<string, string[]>();

export function removeStaleTemps(target: string): number {
  const dir = dirname(target);
  const base = basename(target);
  let names = listings.get(dir);
  if (!names) {
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    listings.set(dir, names);
  }
  let removed = 0;
  for (const name of names) {
    const m = TMP.exec(name) ?? LEGACY_TMP.exec(name);
    if (!m || m[1] !== base || alive(Number(m[2]))) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) {
        rmSync(join(dir, name), { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // not every file system lets a directory be synced; the rename itself is atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Writes `data` to `path` atomically: a temporary file beside it (mode `mode` from the first byte), synced,
 * renamed over `path`. On failure the temporary file is removed and the error is thrown as it came.
 */
export function writeFileAtomic(path: string, data: Buffer | string, mode = 0o600): void {
  const tmp = tempName(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode);
    writeAll(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

/**
 * Writes a new file that did not exist, completely, or not at all (the keys: a key file half written by a killed
 * run would be kept as the register's key): a temporary file beside it with mode `mode` from its first byte,
 * written and synced, then linked to its name, which fails when another process made the file first, and then
 * that file is kept. Returns false when the file already existed. A run killed before the link leaves only its
 * temporary file, which `removeStaleTemps(path)` removes.
 */
export function createFileExclusive(path: string, data: Buffer | string, mode = 0o600): boolean {
  const tmp = tempName(path);
  const fd = openSync(tmp, "wx", mode);
  try {
    try {
      fchmodSync(fd, mode); // exactly `mode`, whatever the umask took away
      writeAll(fd, typeof data === "string" ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (e) {
      if (errno(e) === "EEXIST") return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDir(dirname(path));
  return true;
}

// --- outputs at a path the user gave ---

export interface OutputOptions {
  /** The data directory and key, which no output may touch. */
  data: DataDir;
  /** How the user gives the path, for the messages: "-o", "--pdf", "avvik backup FILE". */
  flag: string;
  /** True for a file holding personal data: written 0600. Otherwise 0666 less the umask, as any new file. */
  personal?: boolean;
  /** Refuse a target that exists (backup without --force). */
  refuseExisting?: { key: string; params: Record<string, string> };
  /** The directory a relative path is taken from (the run's; default the process's). */
  cwd?: string;
  /** Where "-" writes (the run's standard output; default the process's). */
  stdout?: NodeJS.WritableStream;
}

/**
 * The path the user gave, as given (resolved against the run's directory) and as it really is (every link on
 * the way followed); refused when it lands in the data directory or on the key.
 */
function checkedTarget(given: string, o: OutputOptions): { path: string; real: string } {
  const cwd = o.cwd ?? process.cwd();
  const path = resolve(cwd, given);
  let real: string;
  try {
    real = physicalPath(given, physicalPath(cwd));
  } catch (e) {
    throw outputError(e, path, o.flag);
  }
  const hit = protectedTarget(real, o.data);
  if (hit) {
    const file = real === path ? path : `${path} (→ ${real})`;
    if (hit === "key" && o.data.keyFile) throw new RefusedError("output.error.isKey", { file, key: o.data.keyFile, flag: o.flag });
    throw new RefusedError("output.error.inDataDir", { file, home: resolve(o.data.home), flag: o.flag });
  }
  return { path, real };
}

/**
 * A file to be written at a path the user gave, or standard output for "-". Create it before doing the
 * work (the path is checked at once), `stage` the bytes, then `commit` them; `discard` removes what was
 * staged (also after a commit failed). `stage` and `commit` are synchronous, so `commit` can run inside
 * a better-sqlite3 transaction.
 */
export class OutputFile {
  /** The path as shown to the user: absolute, as given (symlinks not resolved). "-" for standard output. */
  readonly path: string;
  /** Where the bytes really go (symlinks resolved): a link to a file is written through, not replaced. */
  private readonly real: string;
  private readonly mode: number;
  /** A character device, FIFO or socket (`/dev/null`, `/dev/stdout`, `>(gzip)`): written directly, on commit. */
  private readonly direct: boolean;
  private tmp: string | undefined;
  /** The temporary file's bytes are synced (by `stage` or `closeStream`): `commit` need not sync them again. */
  private synced = false;
  private staged: Buffer | undefined;
  private committed = false;
  private stream: { out: NodeJS.WritableStream; fd: number; failed: unknown } | undefined;

  private constructor(
    given: string,
    private readonly o: OutputOptions,
  ) {
    this.mode = o.personal ? 0o600 : 0o666;
    if (given === "-") {
      this.path = this.real = "-";
      this.direct = true;
      return;
    }
    const { path, real } = checkedTarget(given, o);
    this.path = path;
    this.real = real;
    const st = statOrNull(real);
    if (st?.isDirectory()) throw new FailedError("output.error.isDir", { file: this.path, flag: o.flag });
    if (st && o.refuseExisting) throw new FailedError(o.refuseExisting.key, o.refuseExisting.params);
    this.direct = st !== null && !st.isFile();
    if (!this.direct) {
      const dir = statOrNull(dirname(real));
      if (!dir) throw new FailedError("output.error.noDir", { dir: dirname(this.path), flag: o.flag });
      if (!dir.isDirectory()) throw new FailedError("output.error.notDir", { dir: dirname(this.path), flag: o.flag });
      try {
        accessSync(dirname(real), constants.W_OK);
      } catch {
        throw new FailedError("output.error.notWritable", { dir: dirname(this.path), flag: o.flag });
      }
      removeStaleTemps(real);
    }
  }

  /** Checks the path now (refusing the data directory, a missing directory, a directory as the target). */
  static prepare(given: string, o: OutputOptions): OutputFile {
    return new OutputFile(given, o);
  }

  get isStdout(): boolean {
    return this.path === "-";
  }

  private fail(e: unknown): Error {
    this.discard();
    return outputError(e, this.path, this.o.flag);
  }

  /** Writes the whole content to the temporary file and syncs it (for stdout and devices: keeps it for `commit`). */
  stage(data: Buffer): void {
    this.discard();
    if (this.direct) {
      this.staged = data;
      return;
    }
    const tmp = tempName(this.real);
    let fd: number | undefined;
    try {
      fd = openSync(tmp, "wx", this.mode);
      this.tmp = tmp;
      writeAll(fd, data);
      fsyncSync(fd);
      this.synced = true;
    } catch (e) {
      throw this.fail(e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * An empty temporary file (mode set from the first byte) for a writer that needs a path of its own, such
   * as SQLite's backup; `commit` then syncs and renames it. Its journal (`-journal`) is removed with it.
   */
  stagePath(): string {
    if (this.direct) throw new FailedError("output.error.notRegular", { file: this.path, flag: this.o.flag });
    this.discard();
    const tmp = tempName(this.real);
    try {
      closeSync(openSync(tmp, "wx", this.mode));
    } catch (e) {
      throw this.fail(e);
    }
    this.tmp = tmp;
    return tmp;
  }

  /** `write` gets a stream into the temporary file, for output made in pieces (a CSV export); then `commit`. */
  async stageStream<T>(write: (out: NodeJS.WritableStream) => Promise<T>): Promise<T> {
    const out = this.openStream();
    let r: T;
    try {
      r = await write(out);
    } catch (e) {
      await this.closeStream().catch(() => undefined);
      this.discard();
      throw e;
    }
    await this.closeStream();
    return r;
  }

  /** A stream into a new temporary file (for standard output and devices: a buffer); `closeStream`, then `commit`. */
  openStream(): NodeJS.WritableStream {
    this.discard();
    if (this.direct) {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(Buffer.from(chunk));
          cb();
        },
      });
      sink.on("finish", () => (this.staged = Buffer.concat(chunks)));
      this.stream = { out: sink, fd: -1, failed: undefined };
      return sink;
    }
    const tmp = tempName(this.real);
    let fd: number;
    try {
      fd = openSync(tmp, "wx", this.mode);
    } catch (e) {
      throw this.fail(e);
    }
    this.tmp = tmp;
    const out: WriteStream = createWriteStream("", { fd, autoClose: false });
    const state: { out: NodeJS.WritableStream; fd: number; failed: unknown } = { out, fd, failed: undefined };
    out.on("error", (e) => (state.failed ??= e));
    this.stream = state;
    return out;
  }

  /** Ends the stream, waits for it, syncs the temporary file; a write error becomes one line (and the file goes). */
  async closeStream(): Promise<void> {
    const st = this.stream;
    if (!st) return;
    this.stream = undefined;
    const out = st.out as Writable;
    try {
      if (!out.writableFinished && !st.failed) {
        const finished = new Promise<void>((ok, ko) => {
          out.once("finish", () => ok());
          out.once("error", ko);
        });
        if (!out.writableEnded) out.end();
        await finished.catch((e) => (st.failed ??= e));
      }
      if (st.failed) throw st.failed;
      if (st.fd >= 0) {
        fsyncSync(st.fd);
        this.synced = true;
      }
    } catch (e) {
      if (st.fd >= 0) closeSync(st.fd);
      throw this.fail(e);
    }
    if (st.fd >= 0) closeSync(st.fd);
  }

  /**
   * Puts the staged bytes under the target's name (rename over it; the directory is synced). Synchronous:
   * call it as the last step inside the transaction that records the file, so that a failure here rolls
   * the register back.
   */
  commit(): void {
    if (this.committed) return;
    try {
      if (this.isStdout) {
        (this.o.stdout ?? process.stdout).write(this.staged ?? Buffer.alloc(0));
      } else if (this.direct) {
        const fd = openSync(this.real, "w");
        try {
          writeAll(fd, this.staged ?? Buffer.alloc(0));
        } finally {
          closeSync(fd);
        }
      } else {
        if (!this.tmp) throw new Error("nothing staged");
        if (!this.synced) {
          // written by another writer at `stagePath()` (SQLite's backup)
          const fd = openSync(this.tmp, "r+");
          try {
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        }
        renameSync(this.tmp, this.real);
        this.tmp = undefined;
        syncDir(dirname(this.real));
      }
    } catch (e) {
      throw this.fail(e);
    }
    this.staged = undefined;
    this.committed = true;
  }

  /** Removes the temporary file (and a journal SQLite left beside it); harmless when nothing is staged. */
  discard(): void {
    this.staged = undefined;
    this.synced = false;
    if (!this.tmp) return;
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${this.tmp}${suffix}`, { force: true });
    this.tmp = undefined;
  }

  /** `stage` and `commit` in one go, for a file that is not recorded anywhere. */
  write(data: Buffer): void {
    this.stage(data);
    this.commit();
  }
}

// --- a directory at a path the user gave ---

const TMP_DIR = /^\.(.+)\.(\d+)-[0-9a-f]{8}\.tmpdir$/;

/**
 * A directory to be written at a path the user gave (`archive export -o DIR`): it must not exist, or be
 * empty, and may never lie in the data directory (the same checks as `OutputFile`). The content is written
 * into a temporary directory beside it (`stage`, then `put` each file: synced, mode 0600 for personal data),
 * which `commit` renames to the target as the last step inside the transaction that records it: a failure
 * leaves nothing under the target's name, and nothing recorded. `discard` removes what was staged.
 */
export class OutputDir {
  /** The path as shown to the user (absolute, as given). */
  readonly path: string;
  private readonly real: string;
  private tmp: string | undefined;
  private readonly dirs = new Set<string>();

  private constructor(
    given: string,
    private readonly o: OutputOptions,
  ) {
    const { path, real } = checkedTarget(given, o);
    this.path = path;
    this.real = real;
    const st = statOrNull(real);
    if (st && !st.isDirectory()) throw new FailedError("output.error.notADirectory", { dir: this.path, flag: o.flag });
    if (st && readdirSync(real).length > 0) throw new RefusedError("output.error.dirNotEmpty", { dir: this.path, flag: o.flag });
    const parent = statOrNull(dirname(real));
    if (!parent) throw new FailedError("output.error.noDir", { dir: dirname(this.path), flag: o.flag });
    if (!parent.isDirectory()) throw new FailedError("output.error.notDir", { dir: dirname(this.path), flag: o.flag });
    try {
      accessSync(dirname(real), constants.W_OK);
    } catch {
      throw new FailedError("output.error.notWritable", { dir: dirname(this.path), flag: o.flag });
    }
    removeStaleTempDirs(real);
  }

  static prepare(given: string, o: OutputOptions): OutputDir {
    return new OutputDir(given, o);
  }

  /** Starts anew: an empty temporary directory beside the target (0700 while it is written). */
  stage(): void {
    this.discard();
    const tmp = join(dirname(this.real), `.${basename(this.real)}.${process.pid}-${randomBytes(4).toString("hex")}.tmpdir`);
    try {
      mkdirSync(tmp, { mode: 0o700 });
    } catch (e) {
      throw outputError(e, this.path, this.o.flag);
    }
    this.tmp = tmp;
    this.dirs.clear();
    this.dirs.add(tmp);
  }

  /** Writes one file of the directory (`rel` with "/"), synced; 0600 for personal data, else 0644 less the umask. */
  put(rel: string, data: Buffer | string): void {
    if (!this.tmp) throw new Error("nothing staged");
    const parts = rel.split("/");
    if (parts.some((p) => p === "" || p === "." || p === "..")) throw new Error(`bad path in output directory: ${rel}`);
    const path = join(this.tmp, ...parts);
    let fd: number | undefined;
    try {
      for (let dir = this.tmp, i = 0; i < parts.length - 1; i++) {
        dir = join(dir, parts[i]!);
        if (!this.dirs.has(dir)) {
          mkdirSync(dir, { mode: this.o.personal ? 0o700 : 0o755 });
          this.dirs.add(dir);
        }
      }
      fd = openSync(path, "wx", this.o.personal ? 0o600 : 0o644);
      writeAll(fd, typeof data === "string" ? Buffer.from(data) : data);
      fsyncSync(fd);
    } catch (e) {
      throw outputError(e, join(this.path, ...parts), this.o.flag);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /**
   * Renames the staged directory to the target (an empty directory there is replaced), after syncing its
   * directories. Synchronous: the last step inside the transaction that records it.
   */
  commit(): void {
    if (!this.tmp) throw new Error("nothing staged");
    try {
      for (const dir of [...this.dirs].reverse()) syncDir(dir);
      if (!this.o.personal) chmodSync(this.tmp, 0o755);
      renameSync(this.tmp, this.real);
    } catch (e) {
      this.discard();
      if (errno(e) === "ENOTEMPTY" || errno(e) === "EEXIST") throw new RefusedError("output.error.dirNotEmpty", { dir: this.path, flag: this.o.flag });
      throw outputError(e, this.path, this.o.flag);
    }
    this.tmp = undefined;
    syncDir(dirname(this.real));
  }

  discard(): void {
    if (!this.tmp) return;
    rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }
}

/** Removes the temporary directories that killed runs left beside `target` (only those of processes that are gone). */
function removeStaleTempDirs(target: string): void {
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    const m = TMP_DIR.exec(name);
    if (!m || m[1] !== basename(target) || alive(Number(m[2]))) continue;
    try {
      if (lstatSync(join(dirname(target), name)).isDirectory()) rmSync(join(dirname(target), name), { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
}
