// Runs the built `avvik` (dist/bundle/main.cjs, the code bin/avvik.cjs runs) against a temporary data directory.
//
// Two ways to run a command, with the same arguments and the same result {code, stdout, stderr}:
//   await s.cli(args) / await s.cliJson(args)   IN THIS PROCESS: calls the bundle's main(args, {stdin, stdout,
//                                               stderr, env, cwd}) with streams of its own; a few ms per command.
//                                               Use it for every test where the process itself is not the point.
//   s.run(args) / s.json(args) / s.spawn(args)  A REAL PROCESS: `node bin/avvik.cjs …` (run/json synchronous,
//                                               spawn asynchronous); ~100 ms or more per command. Use it where
//                                               the process is the point: the bin, exit on a closed pipe,
//                                               SIGKILL, concurrent writers, start-up, terminals (test/helpers/pty.ts).
//   await s.spawnSeries([args, …])              ONE REAL PROCESS running the command lines one after another
//                                               through main(): for several processes writing at once, where
//                                               the start of a process per command is not the point.
// Both run with the sandbox's environment (NO_COLOR, fixed clock AVVIK_NOW, user "test") and, unless told,
// in the sandbox's home directory as working directory. In-process runs share the process's time zone: the
// helper sets process.env.TZ to the run's TZ (Europe/Stockholm unless a test says otherwise).
//
// `linkoping()` copies a register made once per test run (init + org import ostergotland, see
// test/helpers/global-setup.ts) into the new sandbox instead of running the two commands again.

import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import { inject } from "vitest";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "avvik.cjs");
export const BUNDLE = join(ROOT, "dist", "bundle", "main.cjs");
const SERIES = join(ROOT, "test", "helpers", "series.cjs");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
}

export interface Sandbox {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Runs avvik in this process (the bundle's main()) with the sandbox's environment. */
  cli(args: string[], options?: RunOptions): Promise<RunResult>;
  /** In this process, with --json: the parsed stdout; fails the test with stderr when the command fails. */
  cliJson<T = any>(args: string[], options?: Omit<RunOptions, "input">): Promise<T>;
  /** Runs avvik as a separate process, synchronously, with the sandbox's environment. */
  run(args: string[], options?: RunOptions): RunResult;
  /** As a process, with --json: the parsed stdout; fails the test with stderr when the command fails. */
  json<T = any>(args: string[], options?: Omit<RunOptions, "input">): T;
  /** As a process, asynchronously (for concurrency tests). */
  spawn(args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /**
   * One process, asynchronously, that runs the command lines one after another through main()
   * (test/helpers/series.cjs): for several processes at once without the start of a process per command.
   */
  spawnSeries(commands: string[][], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult[]>;
  cleanup(): void;
}

type Main = (args: string[], io: { stdin: Readable; stdout: Writable; stderr: Writable; env: NodeJS.ProcessEnv; cwd: string }) => Promise<number>;

let bundle: { main: Main } | undefined;

/** The built bundle, loaded once per test file (vitest runs each file in a process of its own). */
function loadBundle(): { main: Main } {
  bundle ??= createRequire(import.meta.url)(BUNDLE) as { main: Main };
  return bundle;
}

/** A stream that keeps what is written to it (not a terminal: no isTTY, as for a pipe). */
class Collected extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Runs one command line in this process, as bin/avvik.cjs would in its own. */
export async function runInProcess(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; input?: string }): Promise<RunResult> {
  // The time zone is the process's: the run's TZ is made the process's for it.
  const tz = options.env.TZ;
  if (process.env.TZ !== tz) {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
  const stdout = new Collected();
  const stderr = new Collected();
  const stdin = Readable.from(options.input ? [options.input] : []);
  const code = await loadBundle().main(args, { stdin, stdout, stderr, env: options.env, cwd: options.cwd });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function parsed<T>(args: string[], r: RunResult): T {
  if (r.code !== 0) throw new Error(`avvik ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The sandboxes' clock (AVVIK_NOW) unless a test gives another. */
const DEFAULT_NOW = "2026-03-10T09:00:00";

export function sandbox(options: { now?: string; env?: NodeJS.ProcessEnv } = {}): Sandbox {
  const home = mkdtempSync(join(tmpdir(), "avvik-test-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TZ: "Europe/Stockholm",
    NO_COLOR: "1",
    AVVIK_HOME: join(home, "data"),
    AVVIK_USER: "test",
    AVVIK_NOW: options.now ?? DEFAULT_NOW,
    ...options.env,
  };
  const run = (args: string[], o: RunOptions = {}): RunResult => {
    const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
      env: { ...env, ...o.env },
      input: o.input ?? "",
      encoding: "utf8",
      cwd: o.cwd ?? home,
      timeout: 60_000,
      maxBuffer: 1 << 28,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const cli = (args: string[], o: RunOptions = {}): Promise<RunResult> =>
    runInProcess(args, { env: { ...env, ...o.env }, cwd: o.cwd ?? home, input: o.input });
  return {
    home,
    env,
    cli,
    async cliJson(args, o) {
      return parsed(args, await cli([...args, "--json"], o));
    },
    run,
    json(args, o) {
      return parsed(args, run([...args, "--json"], o));
    },
    spawn(args, o = {}) {
      return new Promise((resolvePromise) => {
        const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...o.env }, cwd: home });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
      });
    },
    async spawnSeries(commands, o = {}) {
      const r = await new Promise<RunResult>((resolvePromise) => {
        const child = spawn(process.execPath, [SERIES, JSON.stringify(commands)], { env: { ...env, ...o.env }, cwd: home });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
      });
      if (r.code !== 0) throw new Error(`test/helpers/series.cjs exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as RunResult[];
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The commands that make the Linköping register. */
export const LINKOPING_SETUP: string[][] = [
  ["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"],
  ["org", "import", "ostergotland"],
];

function templateDir(options: { now?: string; env?: NodeJS.ProcessEnv }, root: string): string {
  const key = createHash("sha256").update(JSON.stringify({ now: options.now ?? DEFAULT_NOW, env: options.env ?? null })).digest("hex").slice(0, 16);
  return join(root, key);
}

/** Puts the register a sandbox made into place as the template `dir` (made aside and renamed: a test file running at the same time never sees half a register). */
function keepAsTemplate(s: Sandbox, dir: string): void {
  const aside = `${dir}.${process.pid}-${randomBytes(4).toString("hex")}`;
  mkdirSync(aside);
  cpSync(join(s.home, "data"), join(aside, "data"), { recursive: true });
  try {
    renameSync(aside, dir);
  } catch {
    rmSync(aside, { recursive: true, force: true }); // another test file made it first
  }
}

/**
 * The data directory of a Linköping register made with these options, made once per test run (and options):
 * in the directory the global set-up made (test/helpers/global-setup.ts), else in one of this process. Made by
 * one process that runs both commands through main() (test/helpers/series.cjs): linkoping() is synchronous.
 */
export function linkopingTemplate(options: { now?: string; env?: NodeJS.ProcessEnv } = {}, root = templateRoot()): string {
  const dir = templateDir(options, root);
  if (existsSync(dir)) return join(dir, "data");
  const s = sandbox(options);
  try {
    const r = spawnSync(process.execPath, [SERIES, JSON.stringify(LINKOPING_SETUP)], { env: s.env, cwd: s.home, encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`test/helpers/series.cjs exited ${r.status}: ${r.stderr}`);
    (JSON.parse(r.stdout) as RunResult[]).forEach((run, i) => {
      if (run.code !== 0) throw new Error(`avvik ${LINKOPING_SETUP[i]!.join(" ")}: ${run.stderr}`);
    });
    keepAsTemplate(s, dir);
  } finally {
    s.cleanup();
  }
  return join(dir, "data");
}

/** Runs the commands that make the Linköping register in this process (the bundle's main()). */
async function setUpInProcess(s: Sandbox, engine: string): Promise<void> {
  for (const args of LINKOPING_SETUP) {
    const r = await s.cli(args);
    if (r.code !== 0) throw new Error(`avvik ${args.join(" ")}${engine}: ${r.stderr}`);
  }
}

/** The usual template (the sandboxes' clock and environment), made in this process: for the global set-up. */
export async function defaultLinkopingTemplate(root: string): Promise<void> {
  const s = sandbox();
  try {
    await setUpInProcess(s, "");
    keepAsTemplate(s, templateDir({}, root));
  } finally {
    s.cleanup();
  }
}

/**
 * Makes the Linköping register on PostgreSQL once per test run (the global set-up): the database
 * LINKOPING_TEMPLATE on the server at `admin`, its data directory (the key) in `<root>/postgres/data`.
 */
export async function postgresLinkopingTemplate(admin: string, root: string): Promise<void> {
  const { asRole, freshDatabase, LINKOPING_TEMPLATE, SCHEMA_TEMPLATE } = await import("./postgres.js");
  const { url } = await freshDatabase(SCHEMA_TEMPLATE, admin, LINKOPING_TEMPLATE);
  const s = sandbox({ env: { AVVIK_DATABASE_URL: asRole(url, "test") } });
  try {
    await setUpInProcess(s, " (PostgreSQL)");
    cpSync(join(s.home, "data"), join(root, "postgres", "data"), { recursive: true });
  } finally {
    s.cleanup();
  }
}

/**
 * A sandbox whose register is the Linköping register on PostgreSQL: a database of its own copied from the
 * test run's template (CREATE DATABASE … TEMPLATE, a few milliseconds) and a copy of the template's data
 * directory (the key); AVVIK_DATABASE_URL names the database.
 */
export async function linkopingOnPostgres(options: { now?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Sandbox & { databaseUrl: string }> {
  const { asRole, freshDatabase, LINKOPING_TEMPLATE } = await import("./postgres.js");
  const db = await freshDatabase(LINKOPING_TEMPLATE);
  // Logged in as the role `test`, the sandboxes' AVVIK_USER: the register records the same user as on SQLite.
  const url = asRole(db.url, "test");
  const s = sandbox({ ...options, env: { AVVIK_DATABASE_URL: url, ...options.env } });
  cpSync(join(templateRoot(), "postgres", "data"), s.env.AVVIK_HOME!, { recursive: true });
  return { ...s, databaseUrl: url };
}

let ownRoot: string | undefined;

function templateRoot(): string {
  const given = inject("avvikTemplates");
  if (given) return given;
  ownRoot ??= mkdtempSync(join(tmpdir(), "avvik-templates-"));
  return ownRoot;
}

/** A sandbox with a register for Linköping and the Östergötland directory loaded (a copy of the template). */
export function linkoping(options: { now?: string; env?: NodeJS.ProcessEnv } = {}): Sandbox {
  const template = linkopingTemplate(options);
  const s = sandbox(options);
  // The database, the key and whatever else init made; modes kept (the key and the directory are private).
  cpSync(template, s.env.AVVIK_HOME!, { recursive: true });
  return s;
}

/**
 * Flags for a typical outgoing deviation (Linköping → Region Östergötland, the hospital unit concerned; the
 * packet goes to the region's deviation recipient, the east coordinator in Finspång).
 */
export function outgoingCase(extra: string[] = []): string[] {
  return [
    "case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-viss",
    "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "tillbud", "--area", "lakemedel",
    "--summary", "Utskriven från sjukhus utan läkemedelslista", ...extra,
  ];
}

/** Flags for a typical incoming deviation (Region Östergötland → Linköping's home care). */
export function incomingCase(extra: string[] = []): string[] {
  return [
    "case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd",
    "--event-date", "2026-02-20", "--discovered-date", "2026-02-21", "--received-date", "2026-03-05",
    "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering vid hemgång", ...extra,
  ];
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The directory where this test run keeps its template registers. */
    avvikTemplates: string;
  }
}
