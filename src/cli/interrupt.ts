// Ctrl-C during work that must end cleanly (an outbox flush): the first Ctrl-C aborts the signal, the work
// records what it has done and stops (exit 130); a second Ctrl-C ends the process at once, as usual.

export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}
