// Typed errors of the domain. The CLI maps them to exit codes in one place (src/cli/errors.ts).
// A message is already translated when the error is raised: core functions take the message text
// from their caller or carry a message key with parameters (see `MessageError`).

/** A message inside a message (a catalogue key with parameters), translated when the error is printed. */
export interface MessageRef {
  key: string;
  params?: MessageParams;
}
export type MessageParam = string | number | MessageRef | readonly MessageRef[];
export type MessageParams = Record<string, MessageParam>;

export function messageRef(key: string, params?: MessageParams): MessageRef {
  return { key, params };
}

/** Base class: an error that carries a catalogue key and parameters, rendered by the CLI. */
export class MessageError extends Error {
  constructor(
    readonly key: string,
    readonly params: MessageParams = {},
  ) {
    super(key);
  }
}

/** The user typed something malformed: unknown code, bad date, missing flag. Exit 2. */
export class UsageError extends MessageError {}

/** The command could not do its job: not found, refused, invalid data. Exit 1. */
export class FailedError extends MessageError {}

export class NotFoundError extends FailedError {}
export class RefusedError extends FailedError {}
export class InvalidDataError extends FailedError {}

/**
 * The database refused the role that is logged in (PostgreSQL's insufficient_privilege, 42501): the CLI names
 * the role and the command's action ("Rollen reader får inte registrera ärenden").
 */
export class PrivilegeError extends RefusedError {
  constructor(
    readonly role: string,
    /** The database's own words (shown with --debug). */
    readonly detail = "",
  ) {
    super("error.privilege", { role });
  }
}

/** A prompt was interrupted with Ctrl-C. Exit 130. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
  }
}

// --- errors of the operating system ---------------------------------------------------------------------

const SYSTEM_CODES = new Set([
  "ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "EEXIST", "ENOTEMPTY", "ENOSPC", "EROFS", "EMFILE", "ENFILE", "EBUSY", "EXDEV", "ELOOP", "ENAMETOOLONG",
  "ECONNREFUSED", "ETIMEDOUT", "ESOCKET", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EDNS", "ECONNECTION", "EAUTH",
]);

/** Network codes with a message for an unnamed server (`sys.<CODE>.anon`). */
const UNNAMED_SERVER = new Set(["ENOTFOUND", "EAI_AGAIN", "EDNS", "ECONNREFUSED", "ETIMEDOUT", "ESOCKET", "ECONNECTION", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EAUTH"]);

const CERT_CODES = /^(CERT_|UNABLE_TO_VERIFY|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|ERR_TLS_CERT|ERR_SSL)/;

interface SystemErrorLike {
  code?: unknown;
  errno?: unknown;
  path?: unknown;
  dest?: unknown;
  address?: unknown;
  hostname?: unknown;
  host?: unknown;
  port?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** True for an error of the file system or the network that `systemReason` can put into words. */
export function isSystemError(e: unknown): boolean {
  const code = (e as SystemErrorLike | null)?.code;
  return typeof code === "string" && (SYSTEM_CODES.has(code) || CERT_CODES.test(code));
}

/**
 * The one mapping of Node's error codes (ENOENT, ECONNREFUSED, …) to words: a catalogue key `sys.<CODE>` with
 * `path` and `host`. `what` names the thing concerned when the error does not ("Katalogen … finns inte").
 * Anything else becomes `sys.other` with the error's first line.
 */
export function systemReason(e: unknown, what: { path?: string; host?: string; dir?: boolean } = {}): MessageRef {
  const err = (e ?? {}) as SystemErrorLike;
  const code = typeof err.code === "string" ? err.code : "";
  const path = what.path ?? (typeof err.path === "string" ? err.path : "");
  const hostName = what.host ?? (typeof err.hostname === "string" ? err.hostname : typeof err.address === "string" ? err.address : typeof err.host === "string" ? err.host : "");
  const withPort = hostName && typeof err.port === "number" && !what.host ? `${hostName}:${err.port}` : hostName;
  // A name that cannot be looked up is named without its port.
  const host = /^(ENOTFOUND|EAI_AGAIN|EDNS)$/.test(code) ? withPort.replace(/:\d+$/, "") : withPort;
  if (CERT_CODES.test(code)) return messageRef("sys.CERT", { host, code });
  if (SYSTEM_CODES.has(code)) {
    const key = code === "ENOENT" && what.dir ? "sys.ENOENT.dir" : code === "ENFILE" ? "sys.EMFILE" : code === "EAI_AGAIN" ? "sys.ENOTFOUND" : `sys.${code}`;
    // A connection that failed without naming its server ("Connection timeout") is told without a name.
    if (!host && UNNAMED_SERVER.has(code)) return messageRef(`${key}.anon`);
    return messageRef(key, { path, host });
  }
  const message = err instanceof Error || typeof err.message === "string" ? String(err.message).split("\n")[0]!.slice(0, 200) : String(e);
  return messageRef("sys.other", { message });
}

/**
 * Why something failed, as a message for a `reason` parameter: an error of the system (systemReason), a file
 * that is not JSON ("ogiltig JSON på rad 3, kolumn 7"), else the error's first line. Every `reason` a user
 * reads goes through here, so no raw ENOENT or V8 parser message reaches them.
 */
export function reasonOf(e: unknown, what: { path?: string; host?: string; dir?: boolean } = {}): MessageRef {
  if (isSystemError(e)) {
    // A wrapper (nodemailer's ESOCKET, ECONNECTION, EDNS) names the kind of failure; a code in its message the cause.
    const err = e as SystemErrorLike;
    if (WRAPPERS.has(String(err.code)) && typeof err.message === "string") {
      const inner = innerCode(err.message);
      if (inner) return systemReason({ code: inner.code, path: what.path, hostname: what.host ?? inner.after });
    }
    return systemReason(e, what);
  }
  if (e instanceof SyntaxError && /JSON/.test(e.message)) {
    const at = /line (\d+) column (\d+)/.exec(e.message);
    if (at) return messageRef("sys.json.at", { line: Number(at[1]), column: Number(at[2]) });
    const position = /position (\d+)/.exec(e.message);
    return position ? messageRef("sys.json.position", { position: Number(position[1]) }) : messageRef("sys.json");
  }
  return systemReason(e, what);
}

/**
 * A reason stored as text (an e-mail's last error: "ESOCKET: connect ECONNREFUSED 127.0.0.1:25") put into words:
 * the innermost system code it names, with the host or path after it. Text naming no such code (a server's
 * own answer, "554 5.7.1 …") stays as it is.
 */
export function reasonOfText(text: string): MessageRef {
  const m = innerCode(text) ?? outerCode(text);
  if (!m) return messageRef("sys.other", { message: text });
  const network = /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_|EHOST|ENET|ESOCKET|EDNS|EAUTH|EPIPE)/.test(m.code);
  return systemReason({ code: m.code, ...(network ? { hostname: m.after } : { path: m.after }) });
}

const WRAPPERS = new Set(["ESOCKET", "ECONNECTION", "EDNS"]);

/** The system codes a text names, each with the word after it (Node writes "connect ECONNREFUSED 10.0.0.1:25"). */
function codesIn(text: string): Array<{ code: string; after: string }> {
  return [...text.matchAll(/\b([A-Z][A-Z_]{3,})\b(?:\s+([^\s,;()]+))?/g)]
    .filter((m) => isSystemError({ code: m[1] }))
    .map((m) => ({ code: m[1]!, after: m[2] && !/^E[A-Z_]+:?$/.test(m[2]) ? m[2].replace(/:$/, "") : "" }));
}

const innerCode = (text: string) => codesIn(text).find((c) => !WRAPPERS.has(c.code));
const outerCode = (text: string) => codesIn(text)[0];
