import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The tests' temporary registers live in memory (/dev/shm, where there is one; AVVIK_TEST_TMPDIR names another
// place): the same files, links, modes and renames, but an fsync costs nothing there. On a disk shared with
// other work one fsync took 10-90 ms, and every register write, init and close makes several. Set here, in the
// main process, so that the global set-up, the test workers and the processes they start all use it.
const memory = process.env.AVVIK_TEST_TMPDIR ?? "/dev/shm";
if (existsSync(memory) && statSync(memory).isDirectory()) process.env.TMPDIR = memory;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // At least two workers: vitest's default (one less than the cores) leaves one of a two-core machine's cores
    // idle (216 s instead of 139 s here). The tests that race or kill processes hold under far more load than
    // this: they ran beside four other suites all day.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs its test files one after the other in one process: the bundle, better-sqlite3, pdfkit's
    // fonts and the PDF reader's thread are loaded once per worker instead of once per file (a test file keeps
    // nothing of its own in module state that another file could see: its sandboxes are its own directories).
    isolate: false,
    globalSetup: ["test/helpers/global-setup.ts"],
    // In-process runs (test/helpers/cli.ts) use the process's time zone; the sandboxes' is Stockholm.
    env: { TZ: "Europe/Stockholm" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
