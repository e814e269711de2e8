// Where mail goes: AVVIK_SMTP_URL, else the "smtp" section of <home>/config.json, else .eml files under
// <home>/outbox/sent/. Precedence: environment > config file > default. The SMTP password is never stored:
// the config file names the environment variable that holds it ("passwordEnv").

import { configFilePath, readConfigFile } from "../store/configFile.js";
import { FailedError, reasonOf } from "../core/errors.js";

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (smtps, usually port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** Require STARTTLS (fail rather than send in clear). */
  requireTLS?: boolean;
  /** Do not use STARTTLS even if offered. */
  ignoreTLS?: boolean;
  /** Accept a server certificate that cannot be verified (test servers only). */
  rejectUnauthorized?: boolean;
  /** Where the settings came from, for messages: "AVVIK_SMTP_URL" or the config file. */
  source: string;
}

/** Everything about mail except the server (reading these never fails on SMTP settings). */
export interface MailOptions {
  /** The sender address, when configured (else the register's own registrar or mailbox contact). */
  from: string | null;
  /** Automatic notifications (on registering an incoming deviation, on diarising an answer). */
  autoNotify: boolean;
  /** Tries per message in one delivery run, and the first pause between them (doubled each time). */
  retries: number;
  retryDelayMs: number;
  /** Parallel SMTP connections in one run. */
  connections: number;
  /** Seconds to wait for a connection, the greeting and any reply. */
  timeoutSeconds: number;
}

interface ConfigFile {
  smtp?: {
    host?: unknown;
    port?: unknown;
    secure?: unknown;
    user?: unknown;
    passwordEnv?: unknown;
    requireTLS?: unknown;
    ignoreTLS?: unknown;
    rejectUnauthorized?: unknown;
    from?: unknown;
  };
  mail?: {
    from?: unknown;
    autoNotify?: unknown;
    retries?: unknown;
    retryDelayMs?: unknown;
    connections?: unknown;
    timeoutSeconds?: unknown;
  };
}

export function configFile(home: string): string {
  return configFilePath(home);
}

/** <home>/config.json read by the one reader (src/store/configFile.ts); a malformed file is one mail error line. */
function readConfig(home: string): ConfigFile {
  try {
    return readConfigFile(home) as ConfigFile;
  } catch (err) {
    throw new FailedError("mail.error.config", { file: configFile(home), reason: reasonOf(err, { path: configFile(home) }) });
  }
}

const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);

function positiveInt(v: unknown, fallback: number, min = 1, max = 1000): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** A number of seconds, decimals allowed (`0.5`), within [min, max]; anything else is the fallback. */
function seconds(v: unknown, fallback: number, min: number, max: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/** Parses smtp://[user[:pass]@]host[:port][?requireTLS=true&ignoreTLS=true&rejectUnauthorized=false] and smtps://…. */
export function parseSmtpUrl(text: string, source = "AVVIK_SMTP_URL"): SmtpSettings {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new FailedError("mail.error.smtpUrl", { value: redact(text) });
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new FailedError("mail.error.smtpUrl", { value: redact(text) });
  if (!url.hostname) throw new FailedError("mail.error.smtpUrl", { value: redact(text) });
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const q = url.searchParams;
  const s: SmtpSettings = { host: url.hostname.replace(/^\[|\]$/g, ""), port, secure, source };
  if (url.username) {
    s.user = decodeURIComponent(url.username);
    s.pass = decodeURIComponent(url.password);
  }
  const requireTLS = bool(q.get("requireTLS"));
  const ignoreTLS = bool(q.get("ignoreTLS"));
  const rejectUnauthorized = bool(q.get("rejectUnauthorized"));
  if (requireTLS !== undefined) s.requireTLS = requireTLS;
  if (ignoreTLS !== undefined) s.ignoreTLS = ignoreTLS;
  if (rejectUnauthorized !== undefined) s.rejectUnauthorized = rejectUnauthorized;
  return s;
}

/** The URL without its password, for error messages. */
export function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

/** The server to deliver to: AVVIK_SMTP_URL, else config.json "smtp", else null (write .eml files). */
export function resolveSmtp(home: string, env: NodeJS.ProcessEnv): SmtpSettings | null {
  if (env.AVVIK_SMTP_URL?.trim()) return parseSmtpUrl(env.AVVIK_SMTP_URL);
  const cfg = readConfig(home);
  const file = configFile(home);
  if (!cfg.smtp || cfg.smtp.host === undefined) return null;
  const c = cfg.smtp;
  if (typeof c.host !== "string" || !c.host.trim()) throw new FailedError("mail.error.config", { file, reason: "smtp.host" });
  const secure = bool(c.secure) ?? false;
  const smtp: SmtpSettings = { host: c.host.trim(), port: positiveInt(c.port, secure ? 465 : 587, 1, 65535), secure, source: file };
  if (typeof c.user === "string" && c.user) {
    smtp.user = c.user;
    if (typeof c.passwordEnv === "string" && c.passwordEnv) {
      const pass = env[c.passwordEnv];
      if (pass === undefined) throw new FailedError("mail.error.passwordEnv", { name: c.passwordEnv, file });
      smtp.pass = pass;
    }
  }
  for (const k of ["requireTLS", "ignoreTLS", "rejectUnauthorized"] as const) {
    const v = bool(c[k]);
    if (v !== undefined) smtp[k] = v;
  }
  return smtp;
}

export function loadMailOptions(home: string, env: NodeJS.ProcessEnv): MailOptions {
  const cfg = readConfig(home);
  const m = cfg.mail ?? {};
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  const from = env.AVVIK_MAIL_FROM?.trim() || text(m.from) || text(cfg.smtp?.from);
  return {
    from,
    autoNotify: bool(m.autoNotify) ?? true,
    retries: positiveInt(env.AVVIK_MAIL_RETRIES ?? m.retries, 3, 1, 20),
    retryDelayMs: positiveInt(env.AVVIK_MAIL_RETRY_DELAY_MS ?? m.retryDelayMs, 1000, 0, 600_000),
    connections: positiveInt(m.connections, 4, 1, 20),
    timeoutSeconds: seconds(m.timeoutSeconds, 30, 0.1, 600),
  };
}
