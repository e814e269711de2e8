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
  const host = hostName && typeof err.port === "number" && !what.host ? `${hostName}:${err.port}` : hostName;
  if (CERT_CODES.test(code)) return messageRef("sys.CERT", { host, code });
  if (SYSTEM_CODES.has(code)) {
    const key = code === "ENOENT" && what.dir ? "sys.ENOENT.dir" : code === "ENFILE" ? "sys.EMFILE" : code === "EAI_AGAIN" ? "sys.ENOTFOUND" : `sys.${code}`;
    return messageRef(key, { path, host });
  }
  const message = err instanceof Error || typeof err.message === "string" ? String(err.message).split("\n")[0]!.slice(0, 200) : String(e);
  return messageRef("sys.other", { message });
}
