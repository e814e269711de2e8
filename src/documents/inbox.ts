// The folder `reply inbox` reads: each file is claimed for one run before it is read, so that two runs on one
// folder (two coordinators, or cron and a person) never take the same file; a link, a folder or anything else
// that is not a regular file is skipped and never followed.
//
// A claim is an atomic rename of DIR/NAME into the run's own claim folder DIR/.avvik-claim-<pid>/: of two runs,
// exactly one rename succeeds. From there the file goes to DIR/done/ (attached) or back to DIR (left with a
// report). A claim folder whose process is gone (killed, crashed) is emptied back into DIR by the next run.

import { closeSync, constants, existsSync, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync } from "node:fs";
import { extname, join } from "node:path";
import { RefusedError } from "../core/errors.js";

const CLAIM_PREFIX = ".avvik-claim-";

export type SkipReason = "link" | "notFile";

export interface InboxEntry {
  name: string;
  /** Why the entry is not read: a symbolic link, or something else that is not a regular file. */
  skipped?: SkipReason;
}

export type Claimed = { name: string; data: Buffer } | { name: string; skipped: SkipReason } | { name: string; tooLarge: number };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Moves `from` to `to` unless `to` exists (a hard link, then the old name removed: never replaces a file that
 * another run or a person put there meanwhile). On file systems without hard links: a rename after a check.
 * False when `to` exists.
 */
function moveNoClobber(from: string, to: string): boolean {
  try {
    linkSync(from, to);
  } catch (e) {
    if (code(e) === "EEXIST") return false;
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(code(e) ?? "")) throw e;
    if (existsSync(to)) return false;
    renameSync(from, to);
    return true;
  }
  unlinkSync(from);
  return true;
}

/** Moves `from` into `dir` under `name`, or `stem-1.ext`, `stem-2.ext` … when that name is taken; gives the path. */
function moveUnder(from: string, dir: string, name: string): string {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const target = join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    if (moveNoClobber(from, target)) return target;
  }
}

export class Inbox {
  readonly doneDir: string;
  readonly claimDir: string;
  private claimMade = false;

  constructor(readonly dir: string, private readonly pid = process.pid) {
    this.doneDir = join(dir, "done");
    this.claimDir = join(dir, `${CLAIM_PREFIX}${pid}`);
    // done/ must be a folder of this inbox: a link there would move the replies somewhere else.
    let st;
    try {
      st = lstatSync(this.doneDir);
    } catch (e) {
      if (code(e) !== "ENOENT") throw e;
    }
    if (st && !st.isDirectory()) throw new RefusedError("paper.error.inboxDoneNotDir", { dir: this.doneDir });
  }

  /**
   * Puts back into the folder the files claimed by runs that are gone (their claim folder names a process that
   * no longer exists, or this very process id, reused). Gives the names put back.
   */
  recover(): string[] {
    const back: string[] = [];
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith(CLAIM_PREFIX)) continue;
      const pid = Number(entry.name.slice(CLAIM_PREFIX.length));
      if (!Number.isInteger(pid) || pid <= 0 || (pid !== this.pid && isAlive(pid))) continue;
      const folder = join(this.dir, entry.name);
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch (e) {
        if (code(e) === "ENOENT") continue; // another run recovered it first
        throw e;
      }
      for (const name of names) {
        try {
          moveUnder(join(folder, name), this.dir, name);
          back.push(name);
        } catch (e) {
          if (code(e) !== "ENOENT") throw e; // taken back by another run meanwhile
        }
      }
      try {
        rmdirSync(folder);
      } catch (e) {
        if (!["ENOENT", "ENOTEMPTY", "EEXIST"].includes(code(e) ?? "")) throw e;
      }
    }
    return back;
  }

  /** The folder's entries whose names `accept` takes (hidden names left out), by name; without following links. */
  list(accept: (name: string) => boolean): InboxEntry[] {
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => !d.name.startsWith(".") && accept(d.name))
      .map((d): InboxEntry => (d.isSymbolicLink() ? { name: d.name, skipped: "link" } : d.isFile() ? { name: d.name } : { name: d.name, skipped: "notFile" }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Takes one file for this run and reads it: moved into the claim folder (atomic), then opened without
   * following a link. Null when another run took it first. Something that turns out not to be a regular file
   * is put back and reported as skipped; a file over `maxBytes` is put back unread.
   */
  claim(name: string, maxBytes = Infinity): Claimed | null {
    if (!this.claimMade) {
      mkdirSync(this.claimDir, { recursive: true, mode: 0o700 });
      this.claimMade = true;
    }
    const claimed = join(this.claimDir, name);
    try {
      renameSync(join(this.dir, name), claimed);
    } catch (e) {
      if (code(e) === "ENOENT") return null;
      throw e;
    }
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO put there in the meantime must not hang the run.
      fd = openSync(claimed, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      if (code(e) !== "ELOOP") throw e;
      this.release(name);
      return { name, skipped: "link" };
    }
    let size: number | undefined;
    let data: Buffer | undefined;
    try {
      const st = fstatSync(fd);
      if (st.isFile()) {
        size = st.size;
        if (size <= maxBytes) data = readFileSync(fd);
      }
    } finally {
      closeSync(fd);
    }
    if (data) return { name, data };
    // Not read: it goes back where it was, untouched.
    this.release(name);
    return size === undefined ? { name, skipped: "notFile" } : { name, tooLarge: size };
  }

  /** Moves a claimed file to done/ (NAME, else NAME-1 …); gives where it went. */
  done(name: string): string {
    mkdirSync(this.doneDir, { recursive: true });
    return moveUnder(join(this.claimDir, name), this.doneDir, name);
  }

  /** Puts a claimed file back into the folder (under its own name unless that was taken meanwhile); gives where. */
  release(name: string): string {
    return moveUnder(join(this.claimDir, name), this.dir, name);
  }

  /** Removes this run's claim folder; anything still in it goes back into the folder first. */
  close(): void {
    if (!this.claimMade) return;
    for (const name of readdirSync(this.claimDir)) this.release(name);
    rmdirSync(this.claimDir);
    this.claimMade = false;
  }
}
