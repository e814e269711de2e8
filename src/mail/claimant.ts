// Who holds a delivery claim, and whether that process still runs. A claim records the process id, the host
// and a start token: on Linux the boot id and the process's start time from /proc, so that a pid the system has
// since given to another process is not mistaken for the claimant. Without /proc the token is null and the pid
// alone decides. A claimant on another host cannot be looked at; its claim lasts until its lease runs out.

import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface Claimant {
  pid: number;
  host: string;
  start: string | null;
}

let bootId: string | null | undefined;

function readBootId(): string | null {
  if (bootId !== undefined) return bootId;
  try {
    bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
  } catch {
    bootId = null;
  }
  return bootId;
}

/** A process's state letter and start token (boot id and start time in clock ticks), or null where /proc is missing. */
function procStat(pid: number): { state: string; token: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const started = fields[19]; // field 22, starttime
    if (!started) return null;
    return { state: fields[0] ?? "", token: `${readBootId() ?? "?"}:${started}` };
  } catch {
    return null;
  }
}

export function startToken(pid: number): string | null {
  return procStat(pid)?.token ?? null;
}

let self: Claimant | undefined;

/** This process as a claimant. */
export function currentClaimant(): Claimant {
  self ??= { pid: process.pid, host: hostname(), start: startToken(process.pid) };
  return self;
}

export type ClaimantState = "gone" | "alive" | "unknown";

/**
 * "gone" when the claimant's process is known to have ended: on this host, no process has its pid, or the one
 * that has it is a zombie or started at another time. "alive" when it runs (or it is this process: another
 * delivery run in it). "unknown" when it cannot be told: another host, or a claim that names no process.
 */
export function claimantState(c: { pid: number | null; host: string | null; start: string | null }): ClaimantState {
  const me = currentClaimant();
  if (c.pid === null || c.host === null || c.host !== me.host) return "unknown";
  if (c.pid === me.pid && c.start === me.start) return "alive";
  try {
    process.kill(c.pid, 0);
  } catch (e) {
    // ESRCH: no such process. EPERM: it exists, under another user.
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return "gone";
  }
  const now = procStat(c.pid);
  if (now === null) return "alive";
  // A killed process its parent has not yet reaped (a zombie) runs no more code.
  if (now.state === "Z" || now.state === "X") return "gone";
  return c.start !== null && now.token !== c.start ? "gone" : "alive";
}
