import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["test/helpers/global-setup.ts"],
    // In-process runs (test/helpers/cli.ts) use the process's time zone; the sandboxes' is Stockholm.
    env: { TZ: "Europe/Stockholm" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
