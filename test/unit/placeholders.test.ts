// Every value placeholder and argument name a user reads (help, "Argumentet <ärende> saknas") comes from the
// catalogue of the chosen language (help.ph.*): the whole command tree is walked, nothing is listed by hand.

import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { argumentTerm, placeholders } from "../../src/cli/placeholders.js";
import { isMessageKey, loadLanguage, translator } from "../../src/i18n/index.js";

function* commands(cmd: Command): Generator<Command> {
  yield cmd;
  for (const sub of cmd.commands) yield* commands(sub);
}

function program(lang: "sv" | "en"): Command {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: "/" };
  return buildProgram(translator(lang), io as never);
}

/** The placeholders of every option (`--home <dir>` → dir) and the name of every argument, over the whole tree. */
function terms(p: Command): Set<string> {
  const found = new Set<string>();
  for (const c of commands(p)) {
    for (const o of c.options) for (const m of o.flags.matchAll(/<([^<>\s]+)>|\[([^[\]\s]+(?:\[[^\]]*\][^\]\s]*)?)\]/g)) found.add((m[1] ?? m[2])!.replace(/\.\.\.$/, ""));
    for (const a of c.registeredArguments) found.add(a.name());
  }
  return found;
}

describe("placeholders and argument names", () => {
  it("every one in the command tree has its word in the catalogue", () => {
    const found = terms(program("sv"));
    expect(found.size).toBeGreaterThan(30);
    const missing = [...found].filter((name) => !isMessageKey(`help.ph.${name.toLowerCase()}`));
    expect(missing).toEqual([]);
  });

  it("are Swedish in Swedish and English in English", async () => {
    await loadLanguage("en");
    const sv = translator("sv");
    const en = translator("en");
    expect(argumentTerm(sv, "ref")).toBe("<ärende>");
    expect(argumentTerm(sv, "FILE")).toBe("<fil>");
    expect(argumentTerm(en, "ref")).toBe("<ref>");
    expect(placeholders(sv)("--home <dir>")).toBe("--home <katalog>");
    expect(placeholders(en)("--home <dir>")).toBe("--home <dir>");
    expect(placeholders(sv)("retention [years]")).toBe("retention [år]");
  });
});
