// The registrar's own diary format: "VOK 2026-1" found however it is typed, completed with the space escaped,
// and shown in error messages.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, outgoingCase, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

async function vok(): Promise<Sandbox> {
  const sb = sandbox();
  expect((await sb.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun", "--diary-format", "VOK {year}-{seq}"])).code).toBe(0);
  expect((await sb.cli(["org", "import", "ostergotland"])).code).toBe(0);
  for (let i = 0; i < 12; i++) expect((await sb.cli(outgoingCase())).code).toBe(0);
  return sb;
}

describe("a diary format of the registrar's own", () => {
  it("finds a case as 'VOK 2026-1', 'vok 2026-1', 'VOK 2026-01', '2026-1' and VOK 2026-1 as two words", async () => {
    s = await vok();
    for (const ref of ["VOK 2026-1", "vok 2026-1", "VOK 2026-01", "Vok 2026 - 1", "2026-1", "2026/1"]) {
      const r = await s.cli(["case", "show", ref, "--json"]);
      expect({ ref, code: r.code, stderr: r.stderr }).toEqual({ ref, code: 0, stderr: "" });
      expect(JSON.parse(r.stdout).diaryNumber).toBe("VOK 2026-1");
    }
    // typed without quotes: the shell gives two words
    const two = await s.cli(["case", "show", "VOK", "2026-12", "--json"]);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout).diaryNumber).toBe("VOK 2026-12");
    const status = await s.cli(["case", "status", "VOK", "2026-2", "skickad", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ diaryNumber: "VOK 2026-2", status: "sent" });
    // a number that is not there: the example is in the register's format
    const missing = await s.cli(["case", "show", "VOK 2026-99"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("Inget ärende matchar 'VOK 2026-99'. Ange diarienummer (VOK 2026-12), internt id eller extern referens (synergi:45678).");
  });

  it("the default format finds 2026-12 as 2026-000012", async () => {
    s = sandbox();
    await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
    await s.cli(["org", "import", "ostergotland"]);
    await s.cli(outgoingCase());
    expect((await s.cliJson(["case", "show", "2026-1"])).diaryNumber).toBe("2026-000001");
  });

  it("bash completion offers the number with its space escaped", async () => {
    s = await vok();
    const bin = join(s.home, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "avvik"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "avvik"), 0o755);
    const script = join(s.home, "completion.bash");
    writeFileSync(script, (await s.cli(["completion", "bash"])).stdout);
    const complete = (...words: string[]) => {
      const r = spawnSync("bash", ["--norc", "--noprofile", "-c", 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _avvik; printf "%s\\n" "${COMPREPLY[@]}"', script, "avvik", ...words], {
        env: { ...s.env, PATH: `${bin}:${s.env.PATH}` },
        encoding: "utf8",
      });
      return r.stdout.split("\n").filter(Boolean);
    };
    expect(complete("case", "show", "VOK\\ 2026-1")).toEqual(["VOK\\ 2026-12", "VOK\\ 2026-11", "VOK\\ 2026-10", "VOK\\ 2026-1"]);
    expect(complete("case", "show", "")).toHaveLength(12);
    expect(complete("case", "new", "--kind", "")).toEqual(["risk", "tillbud", "skada"]);
  });
});
