// Runs the built `avvik` as a separate process against a temporary data directory.

import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "avvik.cjs");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Runs avvik synchronously with the sandbox's environment (NO_COLOR, fixed clock, user "test"). */
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string }): RunResult;
  /** Runs and parses stdout as JSON; fails the test with stderr when the command fails. */
  json<T = any>(args: string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string }): T;
  /** Runs asynchronously (for concurrency tests). */
  spawn(args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  cleanup(): void;
}

export function sandbox(options: { now?: string; env?: NodeJS.ProcessEnv } = {}): Sandbox {
  const home = mkdtempSync(join(tmpdir(), "avvik-test-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TZ: "Europe/Stockholm",
    NO_COLOR: "1",
    AVVIK_HOME: join(home, "data"),
    AVVIK_USER: "test",
    AVVIK_NOW: options.now ?? "2026-03-10T09:00:00",
    ...options.env,
  };
  const run = (args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): RunResult => {
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
  return {
    home,
    env,
    run,
    json(args, o) {
      const r = run([...args, "--json"], o);
      if (r.code !== 0) throw new Error(`avvik ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout);
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
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A sandbox with a register for Linköping and the Östergötland directory loaded. */
export function linkoping(options: { now?: string; env?: NodeJS.ProcessEnv } = {}): Sandbox {
  const s = sandbox(options);
  const init = s.run(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
  if (init.code !== 0) throw new Error(init.stderr);
  const dir = s.run(["org", "import", "ostergotland"]);
  if (dir.code !== 0) throw new Error(dir.stderr);
  return s;
}

/** Flags for a typical outgoing deviation (Linköping → Region Östergötland). */
export function outgoingCase(extra: string[] = []): string[] {
  return [
    "case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-ps-oster",
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
