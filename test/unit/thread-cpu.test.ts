// The time limits of reading foreign files count the CPU time of the reading thread (threadCpu.ts), not the
// wall clock: a thread that works past its limit is stopped; one that waits (as on a machine whose cores are
// busy with other work) is not.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { cpuLimit, listenForThreads, threadCpuSeconds } from "../../src/documents/threadCpu.js";

const module = pathToFileURL(join(PACKAGE_ROOT, "dist", "documents", "threadCpu.js")).href;

/** A thread that announces itself, says so, then works (spins) or waits for `ms`, then says it is done. */
function thread(kind: "spin" | "wait", ms: number): Worker {
  const code = `
    const { parentPort } = require("node:worker_threads");
    import(${JSON.stringify(module)}).then((m) => {
      m.announceThread();
      parentPort.postMessage("ready");
      const end = Date.now() + ${ms};
      if (${JSON.stringify(kind)} === "spin") { let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); }
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
      parentPort.postMessage("done");
      setInterval(() => {}, 1000); // alive until ended, as a reader's thread is
    });`;
  return new Worker(code, { eval: true });
}

const message = (w: Worker, what: string) => new Promise<void>((resolve) => w.on("message", (m) => m === what && resolve()));
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe("a reading thread's time limit", () => {
  listenForThreads();

  it("stops a thread that works past its limit of CPU time", async () => {
    const w = thread("spin", 60_000);
    workers.push(w);
    await message(w, "ready");
    const stopped = await new Promise<boolean>((resolve) => {
      const limit = cpuLimit(() => w.threadId, 300, () => resolve(true));
      w.on("exit", () => {
        limit.stop();
        resolve(false);
      });
    });
    expect(stopped).toBe(true);
    expect(threadCpuSeconds(w.threadId)).toBeGreaterThan(0.25);
  });

  it("does not stop a thread that waits longer than its limit without working", async () => {
    const w = thread("wait", 1500);
    workers.push(w);
    await message(w, "ready");
    let stopped = false;
    const limit = cpuLimit(() => w.threadId, 500, () => (stopped = true));
    await message(w, "done");
    expect(limit.over()).toBe(false);
    limit.stop();
    expect(stopped).toBe(false);
  });
});
