// The bin itself (bin/avvik.cjs as a process): it hands main() the process's streams, environment and working
// directory, sets the exit code main() returns, and ends quietly when the reader of its output goes away.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("bin/avvik.cjs", () => {
  it("exits with the code of the command: 0, 1 for problems found, 2 for usage", async () => {
    s = linkoping();
    expect(s.run(["case", "list"]).code).toBe(0);
    expect(s.run(["doctor"], { env: { AVVIK_HOME: join(s.home, "missing") } }).code).toBe(1);
    const usage = s.run(["case", "list", "--no-such-flag"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("writes files named relative to the directory it is started in", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const work = join(s.home, "work");
    mkdirSync(work);
    const r = s.json(["packet", "2026-000001", "-o", "paket.pdf"], { cwd: work });
    expect(r.file).toBe(join(work, "paket.pdf"));
    expect(existsSync(join(work, "paket.pdf"))).toBe(true);
  });

  it("ends quietly with 0 when its output is closed before it writes (avvik case list | head)", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const child = spawn(process.execPath, [BIN, "case", "list"], { env: s.env, cwd: s.home, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
