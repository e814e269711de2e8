// The CPU time one thread of this process has used (Linux: /proc/self/task/<tid>/stat), so that the time
// limits of reading a foreign file (a PDF in its reader thread, a page in an OCR thread) count the work the
// thread did, not the wall clock, which a busy machine stretches: a scan does not fail merely because other
// programs share the cores, while a hostile file, which makes its thread work, is still stopped.
//
// A thread says which thread of the operating system it is (`announceThread`, first thing it does) on a
// broadcast channel; the main thread knows a Worker's `threadId` and looks the OS thread up. Where that
// cannot be read (another system, /proc not mounted), the limit is one of wall time, as before.

import { readFileSync } from "node:fs";
import { BroadcastChannel, threadId } from "node:worker_threads";

const CHANNEL = "avvik-thread-ids";
/** Clock ticks a second of /proc's times (USER_HZ, 100 on every Linux platform Node runs on). */
const TICKS = 100;
/** How often a limit looks at the thread's time. */
const POLL_MS = 250;
/** However little CPU a thread gets, it is stopped after this many times its limit in wall time. */
const WALL_FACTOR = 20;

function procStat(path: string): string[] | null {
  try {
    const text = readFileSync(path, "latin1");
    // pid (comm) state …: the name may hold spaces and parentheses; the fields come after the last ")".
    return [text.slice(0, text.indexOf(" ")), ...text.slice(text.lastIndexOf(")") + 2).split(" ")];
  } catch {
    return null;
  }
}

/** In a worker thread: tells the main thread which OS thread this is (nothing where that is not known). */
export function announceThread(): void {
  const stat = procStat("/proc/thread-self/stat");
  const tid = stat ? Number(stat[0]) : NaN;
  if (!Number.isInteger(tid)) return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ threadId, tid });
  channel.close();
}

const tids = new Map<number, number>();
let listening: BroadcastChannel | undefined;

/** Starts listening for threads' announcements: before the threads are started. */
export function listenForThreads(): void {
  if (listening) return;
  listening = new BroadcastChannel(CHANNEL);
  listening.onmessage = (e) => {
    const m = (e as unknown as { data?: { threadId?: unknown; tid?: unknown } }).data;
    if (typeof m?.threadId === "number" && typeof m.tid === "number") tids.set(m.threadId, m.tid);
  };
  listening.unref();
}

/** Seconds of CPU the thread (by its Worker's threadId) has used, or null when that cannot be known. */
export function threadCpuSeconds(workerThreadId: number): number | null {
  const tid = tids.get(workerThreadId);
  if (tid === undefined) return null;
  const f = procStat(`/proc/self/task/${tid}/stat`);
  // After "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
  const user = f ? Number(f[12]) : NaN;
  const system = f ? Number(f[13]) : NaN;
  return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / TICKS : null;
}

/**
 * Calls `exceeded` once the thread has used more than `maxMillis` of CPU since now, or, when its time cannot
 * be read, once `maxMillis` of wall time have passed; in any case after WALL_FACTOR times that. Gives the
 * function that stops watching, and `over()`: whether the limit has been passed (for an answer that comes in
 * between two looks).
 */
export function cpuLimit(thread: () => number | undefined, maxMillis: number, exceeded: () => void): { stop: () => void; over: () => boolean } {
  const started = performance.now();
  let base: number | null = null;
  let last: number | null = null;
  const used = (): number => {
    const id = thread();
    // A thread that has ended has no time to read any more: its last reading stands.
    const now = (id === undefined ? null : threadCpuSeconds(id)) ?? last;
    last = now;
    base ??= now;
    const wall = performance.now() - started;
    if (now === null || base === null) return wall;
    if (wall > maxMillis * WALL_FACTOR) return Infinity;
    // /proc counts in ticks (10 ms): a thread's time is known to within two of them, and is never more than
    // the wall time (one thread), so a limit shorter than a tick is still one.
    return Math.min(wall, (now - base) * 1000 + (2 * 1000) / TICKS);
  };
  used();
  let done = false;
  const timer = setInterval(() => {
    if (!done && used() > maxMillis) {
      done = true;
      clearInterval(timer);
      exceeded();
    }
  }, POLL_MS);
  return {
    stop: () => {
      done = true;
      clearInterval(timer);
    },
    over: () => used() > maxMillis,
  };
}
