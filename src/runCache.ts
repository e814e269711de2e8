// Caches of what was read from files an administrator may edit (letter and document texts, mail templates):
// valid for one run of the CLI only. A process runs one command, but a test runs many in one process
// (test/helpers/cli.ts), and a file edited between two runs must be read again; main() clears them when a run
// starts. Caches of what never changes (pdfkit's font metrics) stay for the process.

const caches: Array<{ clear(): void }> = [];

/** A Map emptied at the start of every run. */
export function runCache<K, V>(): Map<K, V> {
  const cache = new Map<K, V>();
  caches.push(cache);
  return cache;
}

export function clearRunCaches(): void {
  for (const cache of caches) cache.clear();
}
