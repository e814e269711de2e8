// A run registers only the top-level command its line names (src/cli/main.ts, COMMANDS): the table must name
// every command of the whole tree, and a command's help must read the same in the run's program as in the
// whole tree, in both languages.

import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, COMMANDS, firstCommandWord } from "../../src/cli/main.js";
import { loadLanguage, translator } from "../../src/i18n/index.js";

function program(lang: "sv" | "en", args?: string[]): { program: Command; out: PassThrough } {
  const out = new PassThrough();
  const io = { stdin: new PassThrough(), stdout: out, stderr: new PassThrough(), env: {}, cwd: "/" };
  return { program: buildProgram(translator(lang), io as never, args), out };
}

function* paths(cmd: Command, above: string[] = []): Generator<string[]> {
  for (const sub of cmd.commands) {
    const path = [...above, sub.name()];
    yield path;
    yield* paths(sub, path);
  }
}

function find(root: Command, path: string[]): Command {
  let cmd = root;
  for (const name of path) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub) throw new Error(`no command '${path.join(" ")}'`);
    cmd = sub;
  }
  return cmd;
}

/** What `avvik <path> --help` prints: commander's help with the texts added before and after it. */
function helpOf(p: { program: Command; out: PassThrough }, path: string[]): string {
  find(p.program, path).outputHelp();
  return String(p.out.read() ?? "");
}

describe("the command tree a run registers", () => {
  it("lists every top-level command of the whole tree, in its order, with the names each adds", () => {
    const whole = program("sv").program;
    expect(whole.commands.map((c) => c.name())).toEqual(COMMANDS.flatMap(([names]) => names));
    for (const [names] of COMMANDS) {
      for (const name of names) {
        const own = program("sv", [name, "--help"]).program.commands.map((c) => c.name());
        // flows and completion (and its __complete) read the whole tree, and get it.
        expect(own, name).toEqual(["flows", "completion", "__complete"].includes(name) ? whole.commands.map((c) => c.name()) : names);
      }
    }
  });

  it("registers the whole tree for a line that names no command, or puts another flag before it", () => {
    const all = COMMANDS.flatMap(([names]) => names);
    for (const args of [[], ["--json"], ["help", "case"], ["cse", "list"], ["-h", "case"], ["--version"], ["--lang", "en"], ["--", "case"]]) {
      expect(program("sv", args).program.commands.map((c) => c.name()), args.join(" ")).toEqual(all);
    }
    expect(firstCommandWord(["--lang", "en", "--home=/x", "--as", "case", "--json", "case", "show"])).toBe("case");
    expect(firstCommandWord(["--debug", "-V", "case"])).toBeUndefined();
  });

  it("gives every command the same help in the run's program as in the whole tree, in Swedish and English", async () => {
    await loadLanguage("en");
    let checked = 0;
    for (const lang of ["sv", "en"] as const) {
      const whole = program(lang);
      for (const path of paths(whole.program)) {
        if ((find(whole.program, path) as Command & { _hidden?: boolean })._hidden) continue;
        const expected = helpOf(whole, path);
        expect(expected.length).toBeGreaterThan(0);
        expect(helpOf(program(lang, ["--lang", lang, ...path, "--help"]), path), `${lang}: ${path.join(" ")}`).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2 * 60);
  });
});
