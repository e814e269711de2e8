import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // At least two workers: vitest's default (one less than the cores) leaves one of a two-core machine's cores
    // idle (216 s instead of 139 s here). The tests that race or kill processes hold under far more load than
    // this: they ran beside four other suites all day.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ["test/helpers/global-setup.ts"],
    // In-process runs (test/helpers/cli.ts) use the process's time zone; the sandboxes' is Stockholm.
    env: { TZ: "Europe/Stockholm" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
