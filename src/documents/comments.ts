// Reads the coordinator's comments file for the board report (`stats --pdf FILE --comments NOTES`) and checks
// it before anything is drawn: a sane size, UTF-8, no valid personnummer (a published report never carries
// one), only characters the report's fonts can draw. Each refusal is one line naming the file (and the line).

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { MAX_COMMENTS_BYTES, parseComments, type CommentBlock } from "../core/comments.js";
import { FailedError, InvalidDataError, NotFoundError, RefusedError, isSystemError, systemReason } from "../core/errors.js";
import { locatePersonalNumbers } from "../core/personnummer.js";
import { describeCharacters, unprintableCharacters } from "../core/printable.js";

/** The comments at `path` as blocks; refuses a file that is missing, too large, not UTF-8 text or holds a personnummer. */
export function loadComments(path: string, today: string): CommentBlock[] {
  let data: Buffer;
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a named pipe given as the file is refused below instead of waiting for a writer
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InvalidDataError("stats.comments.notFile", { file: path });
    if (st.size > MAX_COMMENTS_BYTES) throw new InvalidDataError("stats.comments.tooLarge", { file: path, max: MAX_COMMENTS_BYTES / 1024 });
    data = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, data, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    data = data.subarray(0, read);
  } catch (e) {
    if (e instanceof FailedError) throw e;
    if ((e as { code?: string }).code === "ENOENT") throw new NotFoundError("stats.comments.missing", { file: path });
    if (isSystemError(e)) throw new FailedError("stats.comments.unreadable", { file: path, reason: systemReason(e, { path }) });
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw new InvalidDataError("stats.comments.notText", { file: path });
  }
  if (text.includes("\u0000")) throw new InvalidDataError("stats.comments.notText", { file: path });
  const found = locatePersonalNumbers(text, today);
  if (found.length) {
    const line = text.slice(0, found[0]!.start).split("\n").length;
    throw new RefusedError("stats.comments.personalNumber", { file: path, line });
  }
  const bad = unprintableCharacters(text);
  if (bad.length) throw new RefusedError("stats.comments.unprintable", { file: path, chars: describeCharacters(bad) });
  return parseComments(text);
}
