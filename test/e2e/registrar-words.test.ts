// A registrar's words in error lines: an argument or a flag's value is named as the help names it, in the
// language chosen (issue 16: "Argumentet ref saknas" was English inside Swedish).

import { afterEach, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("argument names in error lines", () => {
  it("are Swedish in Swedish, English with --lang en, and match the help", async () => {
    s = linkoping();
    const cases: Array<[string[], string]> = [
      [["case", "show"], "Argumentet <ärende> saknas. Se 'avvik case show --help'."],
      [["backup"], "Argumentet <fil> saknas. Se 'avvik backup --help'."],
      [["reply", "attach"], "Argumentet <fil> saknas. Se 'avvik reply attach --help'."],
      [["config", "get"], "Argumentet <nyckel> saknas. Se 'avvik config get --help'."],
      [["diary", "void"], "Argumentet <nummer> saknas. Se 'avvik diary void --help'."],
      [["case", "list", "--home"], "Flaggan --home <katalog> behöver ett värde."],
      [["--lang", "en", "case", "show"], "The argument <ref> is missing. See 'avvik case show --help'."],
      [["--lang", "en", "case", "list", "--home"], "The option --home <dir> needs a value."],
    ];
    for (const [args, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code, stderr: r.stderr.trim() }).toEqual({ args: args.join(" "), code: 2, stderr: message });
    }
    // A value missing in a non-terminal run (named by the command itself, in capitals) reads the same way.
    await s.cliJson(["case", "new", "--direction", "ut", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "ovrigt", "--summary", "Test"]);
    expect((await s.cli(["case", "status", "2026-000001"])).stderr.trim()).toBe("Argumentet <status> saknas. Se 'avvik case status --help'.");
    expect((await s.cli(["case", "show", "--help"])).stdout).toMatch(/avvik case show \[flaggor\] <ärende>/);
  });
});
