// A directory file (fixtures/directory/NAME.json or a file of one's own): organisations with their units,
// contacts and deviation recipients, read and checked whole before anything is written.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ORG_KINDS, ROLES, codeFromWord, foldWord } from "../../core/codes.js";
import { FailedError, NotFoundError, systemReason } from "../../core/errors.js";
import { MAX_SHORT_TEXT } from "../../core/limits.js";
import { FIXTURES_DIR } from "../../paths.js";

/** A directory file: organisations with their units and contacts. */
export interface DirectoryFile {
  name?: string;
  orgs: Array<{
    id: string;
    name: string;
    kind: string;
    parent?: string;
    address?: string | string[];
    deadlineMonths?: number;
    /** The organisation that receives this one's deviations by post (an id in the file or the register). */
    deviationRecipient?: string;
    contacts?: Array<{ role: string; name: string; email: string }>;
  }>;
}

/** A directory file larger than this is refused before it is read (a directory of every provider fits easily). */
const MAX_DIRECTORY_BYTES = 5 * 1024 * 1024;

const ORG_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/** The built-in directories (fixtures/directory/*.json) by name: ostergotland, vastra-gotaland. */
function builtinDirectories(): string[] {
  try {
    return readdirSync(join(FIXTURES_DIR, "directory"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** A built-in directory's name as typed (any case, with or without å/ä/ö, space or hyphen), else a file. */
function directoryFile(nameOrFile: string, cwd: string): string {
  const builtin = builtinDirectories();
  const folded = foldWord(nameOrFile);
  const named = builtin.find((b) => foldWord(b) === folded);
  if (named) return join(FIXTURES_DIR, "directory", `${named}.json`);
  // A bare word that is neither a built-in name nor an existing file: say which names exist.
  if (!/[/.]/.test(nameOrFile) && !existsSync(resolve(cwd, nameOrFile))) {
    throw new NotFoundError("error.directoryUnknown", { name: nameOrFile, builtin: builtin.join(", ") });
  }
  return nameOrFile;
}

/** A named directory (fixtures/directory/NAME.json) or a file, relative to `cwd`; `file` is as given (for messages). */
export function readDirectory(nameOrFile: string, cwd: string): { file: string; data: DirectoryFile } {
  const file = directoryFile(nameOrFile, cwd);
  let data: DirectoryFile;
  try {
    // Only a regular file of sensible size: not a device (/dev/zero), a pipe or a huge file.
    const path = resolve(cwd, file);
    const st = statSync(path);
    if (!st.isFile()) throw new Error("ingen vanlig fil");
    if (st.size > MAX_DIRECTORY_BYTES) throw new Error(`större än ${MAX_DIRECTORY_BYTES / 1024 / 1024} MB`);
    data = JSON.parse(readFileSync(path, "utf8")) as DirectoryFile;
  } catch (e) {
    throw new FailedError("error.directoryFile", { file, reason: systemReason(e, { path: file }) });
  }
  if (!data || !Array.isArray(data.orgs)) throw new FailedError("error.directoryFile", { file, reason: "'orgs' saknas" });
  // Everything is checked before anything is written: a bad entry refuses the whole file.
  const text = (v: unknown, max: number) => typeof v === "string" && v.trim().length > 0 && v.length <= max && !CONTROL.test(v);
  data.orgs.forEach((o, i) => {
    const where = `orgs[${i}]`;
    const bad = (what: string) => new FailedError("error.directoryFile", { file, reason: `${where}: ${what}` });
    if (!o || typeof o !== "object") throw bad("ingen organisation");
    if (typeof o.id !== "string" || typeof o.name !== "string") throw bad("id och name krävs");
    if (!ORG_ID.test(o.id)) throw bad(`id '${o.id.slice(0, 80)}' (tillåtet: a-z 0-9 . _ -)`);
    if (!text(o.name, MAX_SHORT_TEXT)) throw bad("name är tomt, för långt eller har styrtecken");
    const kind = typeof o.kind === "string" ? codeFromWord(ORG_KINDS, o.kind) : undefined;
    if (!kind) throw bad(`kind '${String(o.kind).slice(0, 40)}'`);
    o.kind = kind;
    if (o.parent !== undefined && (typeof o.parent !== "string" || !ORG_ID.test(o.parent))) throw bad("parent");
    const address = Array.isArray(o.address) ? o.address.join("\n") : o.address;
    if (address !== undefined && !text(address, 500)) throw bad("address");
    if (o.deviationRecipient !== undefined && (typeof o.deviationRecipient !== "string" || !ORG_ID.test(o.deviationRecipient))) throw bad("deviationRecipient");
    if (o.deadlineMonths !== undefined && !(Number.isInteger(o.deadlineMonths) && o.deadlineMonths > 0 && o.deadlineMonths <= 120)) throw bad("deadlineMonths");
    if (o.contacts !== undefined && !Array.isArray(o.contacts)) throw bad("contacts");
    for (const c of o.contacts ?? []) {
      const role = c && typeof c.role === "string" ? codeFromWord(ROLES, c.role) : undefined;
      if (!role) throw bad(`role '${String(c?.role).slice(0, 40)}'`);
      c.role = role;
      if (!text(c.name, MAX_SHORT_TEXT)) throw bad("contacts: name");
      if (typeof c.email !== "string" || c.email.length > 254 || !EMAIL.test(c.email)) throw bad(`contacts: email '${String(c.email).slice(0, 80)}'`);
    }
  });
  return { file, data };
}
