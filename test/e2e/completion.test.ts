import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** Sources the generated script in a real bash and asks _avvik for the completions of `words` (the last one being typed). */
function complete(sb: Sandbox, script: string, words: string[]): string[] {
  const bin = join(sb.home, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "avvik"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, "avvik"), 0o755);
  const scriptFile = join(sb.home, "avvik-completion.bash");
  writeFileSync(scriptFile, script);
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _avvik; printf "%s\\n" "${COMPREPLY[@]}"', scriptFile, ...words], {
    env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}` },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

describe("avvik completion bash", () => {
  it("completes commands, subcommands, flags, codes, organisations and diary numbers of open cases", async () => {
    s = linkoping();
    expect((await s.cli(outgoingCase())).code).toBe(0);
    expect((await s.cli(outgoingCase())).code).toBe(0);
    expect((await s.cli(["case", "close", "2026-000002"])).code).toBe(1); // not allowed yet: stays open
    expect((await s.cli(outgoingCase())).code).toBe(0);
    for (const st of ["sent", "answered", "closed"]) expect((await s.cli(["case", "status", "2026-000003", st])).code).toBe(0);
    const script = await s.cli(["completion", "bash"]);
    expect(script.code).toBe(0);
    const c = (...words: string[]) => complete(s, script.stdout, ["avvik", ...words]);

    expect(c("")).toEqual(expect.arrayContaining(["init", "case", "diary", "exchange", "config", "doctor", "completion", "flows", "help"]));
    expect(c("")).not.toContain("__complete");
    expect(c("ca")).toEqual(["case"]);
    expect(c("case", "")).toEqual(["new", "show", "list", "assign", "update", "status", "close", "reopen"]);
    expect(c("case", "new", "--k")).toEqual(["--kind"]);
    expect(c("case", "new", "--")).toEqual(expect.arrayContaining(["--direction", "--counterpart", "--summary", "--home", "--json", "--help"]));
    expect(c("case", "new", "--kind", "")).toEqual(["risk", "tillbud", "skada"]);
    expect(c("case", "new", "--area", "l")).toEqual(["lakemedel"]);
    expect(c("case", "update", "2026-000001", "--severity", "")).toEqual(["gron", "gul", "rod"]);
    expect(c("case", "list", "--status", "")).toContain("investigating");
    expect(c("org", "add", "--kind", "")).toEqual(["region", "municipality", "private"]);
    expect(c("diary", "add", "2026-000001", "--direction", "")).toEqual(["in", "out", "internal"]);
    expect(c("contact", "add", "--role", "m")).toEqual(["manager", "mas", "mar", "ma", "mailbox"]);
    expect(c("--lang", "")).toEqual(["sv", "en"]);
    expect(c("case", "new", "--counterpart", "region-")).toEqual(["region-ostergotland"]);
    expect(c("case", "status", "2026-000001", "")).toContain("followed_up");
    expect(c("config", "set", "dead")).toEqual(["deadline.months"]);
    expect(c("completion", "")).toEqual(["bash", "zsh"]);
    expect(c("help", "ca")).toEqual(["case"]);
    // Case references: the diary numbers of open cases, newest first; a closed case is not offered.
    expect(c("case", "show", "")).toEqual(["2026-000002", "2026-000001"]);
    expect(c("case", "show", "--json", "2026-00000")).toEqual(["2026-000002", "2026-000001"]);
    expect(c("audit", "list", "--case", "")).toEqual(["2026-000002", "2026-000001"]);
    // Global flags with values before the command are skipped, and --home is honoured.
    expect(c("--home", join(s.home, "data"), "case", "show", "")).toEqual(["2026-000002", "2026-000001"]);
    expect(c("--home", join(s.home, "nowhere"), "case", "show", "")).toEqual([]);
  });

  it("prints a zsh script and refuses other shells", async () => {
    s = linkoping();
    const zsh = await s.cli(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toContain("bashcompinit");
    expect(zsh.stdout).toContain("complete -o default -F _avvik avvik");
    const fish = await s.cli(["completion", "fish"]);
    expect(fish.code).toBe(2);
  });

  it("the hidden __complete command is quiet without a register", async () => {
    s = linkoping();
    const r = await s.cli(["__complete", "refs"], { env: { AVVIK_HOME: join(s.home, "none") } });
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("never names a variable path (tied to $PATH in zsh, which would hide avvik from the completion)", async () => {
    s = linkoping();
    for (const shell of ["bash", "zsh"]) {
      const script = (await s.cli(["completion", shell])).stdout;
      expect(script).toContain("_avvik()");
      expect(script).not.toMatch(/\b(local|typeset|declare)\b[^\n]*\bpath=/);
      expect(script).not.toMatch(/(^|[\s;])path=/m);
    }
  });
});
