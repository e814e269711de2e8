// What every command needs: where the data is, what time it is, who is working, in which language,
// and how to print. Resolved once per run: flags > environment > defaults.

import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import type { Store } from "../store/store.js";
import type { Io, Run } from "./io.js";
import { Output } from "./output.js";
import { getPath, tryReadConfigFile } from "../store/configFile.js";

/** The default language an administrator set with `avvik config set language en` (a malformed file is ignored here; `avvik doctor` reports it). */
export function configuredLang(home: string): string | undefined {
  const v = getPath(tryReadConfigFile(home), "language");
  return typeof v === "string" ? v : undefined;
}

export interface GlobalOptions {
  home?: string;
  as?: string;
  lang?: string;
  json?: boolean;
  debug?: boolean;
}

/** The user's home directory as the given environment has it ($HOME, else the account's, as os.homedir() does). */
export function homeDirectory(env: NodeJS.ProcessEnv): string {
  if (env.HOME !== undefined) return env.HOME;
  try {
    return userInfo().homedir;
  } catch {
    return "/";
  }
}

/** The data directory when neither --home nor AVVIK_HOME says: $XDG_DATA_HOME/avvik or ~/.local/share/avvik. */
export function defaultHome(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME || join(homeDirectory(env), ".local", "share"), "avvik");
}

export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env.AVVIK_HOME) return resolve(cwd, env.AVVIK_HOME);
  return defaultHome(env);
}

/** AVVIK_NOW (ISO date or date-time) replaces the clock everywhere; a bare date is local midnight. */
export function resolveNow(env: NodeJS.ProcessEnv): Date {
  const text = env.AVVIK_NOW?.trim();
  if (!text) return new Date();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00`) : new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError("usage.badDate", { flag: "AVVIK_NOW", value: text });
  return d;
}

export function resolveUser(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag?.trim()) return flag.trim();
  if (env.AVVIK_USER?.trim()) return env.AVVIK_USER.trim();
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? "okänd";
  }
}

/** flag > AVVIK_LANG > `language` in <home>/config.json (`avvik config set language en`) > Swedish. */
export function resolveLang(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: string): Lang {
  const value = (flag ?? env.AVVIK_LANG ?? configured ?? "sv").toLowerCase();
  if (value === "sv" || value.startsWith("sv_") || value.startsWith("sv-")) return "sv";
  if (value === "en" || value.startsWith("en_") || value.startsWith("en-")) return "en";
  if (flag) throw new UsageError("usage.badLang", { value: flag });
  return "sv";
}

export class Context {
  readonly home: string;
  readonly now: Date;
  readonly user: string;
  readonly lang: Lang;
  readonly json: boolean;
  readonly debug: boolean;
  readonly t: Translate;
  readonly out: Output;
  /** The run's streams, environment and working directory (src/cli/io.ts). */
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  private opened: Store | undefined;

  constructor(
    /** The global flags as given (config shows which values came from a flag). */
    readonly flags: GlobalOptions,
    private readonly run: Run,
  ) {
    this.io = run.io;
    const env = (this.env = run.io.env);
    this.home = resolveHome(flags.home, env, run.io.cwd);
    this.lang = resolveLang(flags.lang, env, configuredLang(this.home));
    this.t = translator(this.lang);
    this.json = flags.json === true;
    this.debug = flags.debug === true;
    this.now = resolveNow(env);
    this.user = resolveUser(flags.as, env);
    this.out = new Output(this.json, run.io, env);
  }

  /** A path the user gave (a flag, an argument), resolved against the run's working directory. */
  path(given: string): string {
    return resolve(this.io.cwd, given);
  }

  /** Ends the run with this exit code although the command did not fail (problems found and reported). */
  setExitCode(code: number): void {
    this.run.exitCode = code;
  }

  /**
   * The PostgreSQL register's URL (AVVIK_DATABASE_URL, else `database.url` in <home>/config.json); undefined:
   * the register is SQLite, <home>/avvik.db. TLS options go in the URL (`sslmode=verify-full`, `sslrootcert=…`).
   */
  get databaseUrl(): string | undefined {
    const env = this.env.AVVIK_DATABASE_URL?.trim();
    if (env) return postgresUrl(env, "AVVIK_DATABASE_URL");
    const v = getPath(tryReadConfigFile(this.home), "database.url");
    return typeof v === "string" && v.trim() ? postgresUrl(v.trim(), "database.url") : undefined;
  }

  get keyFile(): string | undefined {
    return this.env.AVVIK_KEY_FILE ? this.path(this.env.AVVIK_KEY_FILE) : undefined;
  }

  /** Opens the register (once per run). The storage module is loaded only by commands that need it. */
  async store(): Promise<Store> {
    if (!this.opened) {
      const { Store } = await import("../store/store.js");
      this.opened = await Store.open({ home: this.home, actor: { user: this.user, now: this.now }, keyFile: this.keyFile, databaseUrl: this.databaseUrl });
      this.noteActor(this.opened.actor.user);
    }
    return this.opened;
  }

  /** On PostgreSQL the role that logged in acts: a different --as or AVVIK_USER is said to be ignored. */
  noteActor(role: string): void {
    const given = this.flags.as?.trim() || this.env.AVVIK_USER?.trim();
    if (given && given !== role) this.out.warn(this.t("context.asIgnored", { given, role }));
  }

  /** Prompting only when stdin and stdout are terminals, and never in --json mode. */
  canPrompt(): boolean {
    return this.io.stdin.isTTY === true && this.io.stdout.isTTY === true && !this.json && this.env.AVVIK_NO_PROMPT === undefined;
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}

/** A register URL as given, when it is one PostgreSQL's client takes (else it would read "base" as a host name). */
function postgresUrl(url: string, source: string): string {
  if (/^postgres(?:ql)?:\/\//i.test(url)) return url;
  throw new UsageError("error.databaseUrl", { source });
}
