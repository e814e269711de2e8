// Ctrl-C during work that must end cleanly (an outbox flush): the first Ctrl-C aborts the signal, the work
// records what it has done and stops (exit 130); a second Ctrl-C ends the process at once, as usual.

export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, onInterrupt?: () => void): Promise<T> {
  const controller = new AbortController();
  const interrupt = () => {
    controller.abort();
    onInterrupt?.();
  };
  process.once("SIGINT", interrupt);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener("SIGINT", interrupt);
  }
}
