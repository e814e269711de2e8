// The README, followed literally: every ```sh block, in order, against a fresh data directory with the clock
// fixed. A line is a command when it starts with `avvik` or `printf` (a file the next command reads, written as a
// reader would; continuation lines ending in `\` are joined); other
// lines of a block (output shown after a command, crontab lines) are not run. bash reads each command, so quotes
// and trailing comments work as a reader's shell would treat them.
//   - a trailing comment starting with `exit N` (`avvik case close 2026-2   # exit 1: already closed`) marks
//     the exit code the README expects; every other command must exit 0;
//   - a block whose opening fence is preceded by `<!-- readme-test: skip (reason) -->` is not run (say why).

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

interface Command {
  line: number;
  text: string;
  expect: number;
}

/** The commands of the README's ```sh blocks, in order, with the line each starts on. */
export function readmeCommands(markdown: string): { commands: Command[]; skipped: Array<{ line: number; reason: string }> } {
  const lines = markdown.split("\n");
  const commands: Command[] = [];
  const skipped: Array<{ line: number; reason: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```sh") continue;
    const marker = /<!--\s*readme-test:\s*skip\s*(.*?)\s*-->/.exec(lines[i - 1] ?? "");
    let j = i + 1;
    const body: Array<{ line: number; text: string }> = [];
    for (; j < lines.length && lines[j]!.trim() !== "```"; j++) body.push({ line: j + 1, text: lines[j]! });
    if (marker) skipped.push({ line: i + 1, reason: marker[1] || "(no reason given)" });
    else {
      for (let k = 0; k < body.length; k++) {
        const start = body[k]!;
        if (!/^\s*(avvik|printf)(\s|$)/.test(start.text)) continue;
        let text = start.text;
        while (/\\\s*$/.test(text) && k + 1 < body.length) text = `${text.replace(/\\\s*$/, "")} ${body[++k]!.text.trim()}`;
        const m = /#\s*exit\s+(\d+)\b/.exec(text);
        commands.push({ line: start.line, text, expect: m ? Number(m[1]) : 0 });
      }
    }
    i = j;
  }
  return { commands, skipped };
}

describe("the README", () => {
  it("finds commands, joins continued lines and reads the exit marker", () => {
    const md = ["```sh", "avvik a \\", "  --b c   # note", "output line", "avvik d  # exit 1: why", "```", "<!-- readme-test: skip needs a printer -->", "```sh", "avvik e", "```"].join("\n");
    const r = readmeCommands(md);
    expect(r.commands).toEqual([
      { line: 2, text: "avvik a  --b c   # note", expect: 0 },
      { line: 5, text: "avvik d  # exit 1: why", expect: 1 },
    ]);
    expect(r.skipped).toEqual([{ line: 8, reason: "needs a printer" }]);
  });

  it("runs as written, in order, on a fresh data directory", async () => {
    s = sandbox({ now: "2026-03-10T09:00:00" });
    const bin = join(s.home, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "avvik"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "avvik"), 0o755);
    const work = join(s.home, "work");
    mkdirSync(work, { recursive: true });
    const { commands } = readmeCommands(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(commands.length).toBeGreaterThan(10);
    // bash reads every line. A plain command (words, quotes and a trailing comment) runs in this process with the
    // words bash made of it (one bash for all of them); one with a pipe, a redirection or an expansion runs in
    // bash as a whole, with `avvik` the installed bin (so does every `printf`).
    const plain = (c: Command) => /^\s*avvik(\s|$)/.test(c.text) && !/[|<>;&$`\\~*?]/.test(c.text.replace(/(^|\s)#.*$/, "").replace(/'[^']*'/g, "''"));
    const split = spawnSync("bash", ["--norc", "--noprofile", "-c", 'set -f; for c in "$@"; do eval "set -- $c"; printf "%s\\0" "$@"; printf "\\1\\0"; done', "bash", ...commands.filter(plain).map((c) => c.text)], { cwd: work, env: s.env, encoding: "utf8" });
    expect(split.status, split.stderr).toBe(0);
    const words = split.stdout.split("\u0001\u0000").slice(0, -1).map((w) => w.split("\u0000").slice(0, -1));
    expect(words.length).toBe(commands.filter(plain).length);
    const failures: string[] = [];
    for (const c of commands) {
      let r: { status: number | null; stdout: string; stderr: string };
      if (plain(c)) {
        const argv = words.shift()!;
        expect(argv[0], c.text).toBe("avvik");
        const run = await s.cli(argv.slice(1), { cwd: work });
        r = { status: run.code, stdout: run.stdout, stderr: run.stderr };
      } else {
        r = spawnSync("bash", ["--norc", "--noprofile", "-c", c.text], { cwd: work, env: { ...s.env, PATH: `${bin}:${s.env.PATH}` }, encoding: "utf8", timeout: 120_000 });
      }
      if (r.status !== c.expect) failures.push(`README.md:${c.line}: exit ${r.status} (expected ${c.expect}): ${c.text.slice(0, 120)}\n    ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
  }, 600_000); // a hundred commands one after the other, on a machine others share
});
