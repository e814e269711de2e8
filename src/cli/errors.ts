// Exit codes in one table; typed errors mapped to codes and one-line messages in one place.

import { FailedError, InterruptedError, MessageError, PrivilegeError, UsageError, isSystemError, systemReason, type MessageParam, type MessageParams } from "../core/errors.js";
import { isMessageKey, type Translate } from "../i18n/index.js";
import { argumentTerm, placeholders } from "./placeholders.js";
import { visible } from "./terminal.js";
import type { UsageHint } from "./suggestions.js";

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;

interface CommanderLike {
  code: string;
  message: string;
  exitCode: number;
}

function isCommanderError(e: unknown): e is CommanderLike {
  return typeof e === "object" && e !== null && typeof (e as CommanderLike).code === "string" && (e as CommanderLike).code.startsWith("commander.");
}

/** The quoted token in a commander message: "error: unknown option '--foo'" → "--foo". */
function quoted(message: string): string {
  return /'([^']+)'/.exec(message)?.[1] ?? "";
}

export interface Reported {
  code: number;
  message: string | null;
}

/**
 * Values echoed in an error line come from the user or a file: control characters (line breaks, terminal
 * escapes, bidi overrides) are shown as '?', so the message stays one harmless line, and long values are cut.
 */
function safeParams(params: MessageParams): Record<string, MessageParam> {
  const out: Record<string, MessageParam> = {};
  for (const [k, v] of Object.entries(params)) out[k] = safeParam(v);
  return out;
}

function safeParam(v: MessageParam): MessageParam {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const clean = v.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "?");
    return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
  }
  if (Array.isArray(v)) return v.map((r) => ({ key: r.key, params: r.params ? safeParams(r.params) : undefined }));
  const r = v as { key: string; params?: MessageParams };
  return { key: r.key, params: r.params ? safeParams(r.params) : undefined };
}

/** The first letter in upper case: a reason ("katalogen … finns inte") as a sentence of its own. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Turns anything thrown into an exit code and the one line to print on stderr (null: print nothing). Whatever
 * the message holds (a Node message, a stack with --debug), no control character in it reaches the terminal.
 */
export function report(err: unknown, t: Translate, command: string, debug: boolean, hint?: (code: string, wrong: string) => UsageHint): Reported {
  const r = reported(err, t, command, debug, hint);
  return r.message === null ? r : { code: r.code, message: visible(r.message) };
}

function reported(err: unknown, t: Translate, command: string, debug: boolean, hint?: (code: string, wrong: string) => UsageHint): Reported {
  if (err instanceof InterruptedError || (err instanceof Error && err.name === "ExitPromptError")) {
    return { code: EXIT.interrupted, message: null };
  }
  if (err instanceof PrivilegeError) {
    // The action refused, named for the command given ("case new": "registrera ärenden"), else the command.
    const words = command.split(" ");
    const key = [words.join("."), words[0]!].map((k) => `privilege.${k}`).find((k) => isMessageKey(k));
    const action = key ? t(key) : t("privilege.command", safeParams({ command }));
    const line = t("error.privilege", safeParams({ role: err.role, action }));
    return { code: EXIT.failed, message: debug && err.detail ? `${line}\n${err.detail}` : line };
  }
  if (err instanceof MessageError) {
    const params = safeParams(err.params);
    // An argument is named as the help shows it, in the user's language (`<ärende>`, not `ref`).
    if (err.key === "usage.missingArgument" && typeof params.name === "string") params.name = argumentTerm(t, params.name);
    if (params.allowed === "" || (Array.isArray(params.allowed) && params.allowed.length === 0)) params.allowed = t("common.none");
    const message = isMessageKey(err.key) ? t(err.key, params) : err.key;
    return { code: err instanceof UsageError ? EXIT.usage : err instanceof FailedError ? EXIT.failed : EXIT.failed, message };
  }
  if (isCommanderError(err)) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return { code: EXIT.ok, message: null };
    // A command group typed without its subcommand shows its help: a usage error unless help was asked for.
    if (err.code === "commander.help") return { code: err.exitCode === 0 ? EXIT.ok : EXIT.usage, message: null };
    const wrong = quoted(err.message);
    const name = String(safeParams({ name: wrong }).name);
    const h = hint?.(err.code, wrong);
    if (h) command = h.command;
    // A subcommand's error points at that subcommand's help.
    const help = command ? `avvik ${command} --help` : "avvik --help";
    const suggestion = h?.suggestion;
    const byCode: Record<string, string> = {
      "commander.unknownCommand": suggestion ? t("usage.unknownCommandSuggest", { name, suggestion, help }) : t("usage.unknownCommand", { name, help }),
      "commander.unknownOption": suggestion ? t("usage.unknownOptionSuggest", { name, suggestion, help }) : t("usage.unknownOption", { name, help }),
      "commander.missingArgument": t("usage.missingArgument", { name: argumentTerm(t, name), command }),
      "commander.optionMissingArgument": t("usage.optionMissingArgument", { name: placeholders(t)(name) }),
      "commander.missingMandatoryOptionValue": t("usage.missingFlag", { flag: name }),
      "commander.excessArguments": t("usage.excessArguments", { command }),
    };
    return { code: EXIT.usage, message: byCode[err.code] ?? t("usage.generic", safeParams({ message: err.message.replace(/^error:\s*/, "") })) };
  }
  const e = err as { code?: string; message?: string };
  if (e?.code === "SQLITE_BUSY" || /database is locked/.test(e?.message ?? "")) {
    return { code: EXIT.failed, message: t("error.dbLocked") };
  }
  if (!debug && (e?.code?.startsWith("SQLITE_CORRUPT") || e?.code === "SQLITE_NOTADB")) {
    return { code: EXIT.failed, message: t("error.dbDamaged", safeParams({ message: e.message ?? "" })) };
  }
  if (!debug && isSystemError(err)) {
    return { code: EXIT.failed, message: sentence(t("error.system", { reason: safeParam(systemReason(err)) as never })) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT.failed, message: debug && err instanceof Error ? (err.stack ?? message) : t("error.unexpected", safeParams({ message })) };
}
