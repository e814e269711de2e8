// Habits of good command-line tools: --version, "Menade du …?", help for what was typed, every missing flag at once.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, ROOT, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("habits", () => {
  it("--version and -V print the package's version", async () => {
    s = sandbox();
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const r = await s.cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("suggests the nearest command, flag, setting and organisation, pointing at the subcommand's help", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const cases: Array<[string[], number, string]> = [
      [["case", "shwo", "2026-000001"], 2, "Okänt kommando 'shwo'. Menade du 'show'? Se 'avvik case --help'."],
      [["case", "show", "2026-000001", "--hom", "x"], 2, "Okänd flagga '--hom'. Menade du '--home'? Se 'avvik case show --help'."],
      [["packet", "2026-000001", "--with-personal"], 2, "Okänd flagga '--with-personal'. Menade du '--with-personal-data'? Se 'avvik packet --help'."],
      [["config", "get", "deadline.month"], 2, "Okänd inställning 'deadline.month'. Menade du 'deadline.months'? Se 'avvik config list'."],
      [["case", "list", "--counterpart", "norrkopping"], 1, "Organisationen 'norrkopping' finns inte i katalogen. Menade du 'norrkoping' (Norrköpings kommun)? Se 'avvik org list'."],
      [["stast"], 2, "Okänt kommando 'stast'. Menade du 'stats'? Se 'avvik --help'."],
      [["case", "frobnicate"], 2, "Okänt kommando 'frobnicate'. Se 'avvik case --help'."],
    ];
    for (const [args, code, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code, stderr: r.stderr.trim() }).toEqual({ args: args.join(" "), code, stderr: message });
    }
  });

  it("avvik help nonexist says what was wrong", async () => {
    s = sandbox();
    const r = await s.cli(["help", "nonexist"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("Det finns ingen hjälp om 'nonexist': inget sådant kommando. Se 'avvik --help'.");
    expect((await s.cli(["help", "case", "shwo"])).stderr.trim()).toBe("Det finns ingen hjälp om 'case shwo': inget sådant kommando. Menade du 'avvik help case show'?");
    expect((await s.cli(["help", "case", "show", "--lang", "en"])).code).toBe(0);
  });

  it("names every missing required flag in one line", async () => {
    s = linkoping();
    const r = await s.cli(["case", "new", "--direction", "ut", "--kind", "risk"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("--counterpart, --event-date, --discovered-date, --area och --summary saknas. Ange dem (eller kör i en terminal för att bli tillfrågad).");
    expect((await s.cli(["contact", "add", "--org", "linkoping"])).stderr.trim()).toBe("--role, --name och --email saknas. Ange dem.");
    expect((await s.cli(["org", "add", "--kind", "region"])).stderr.trim()).toBe("--id och --name saknas. Ange dem.");
  });

  it("shows a count of one in the singular", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase()); // due 2026-06-02
    const at = async (now: string) => (await s.cli(["case", "show", "2026-000001"], { env: { AVVIK_NOW: now } })).stdout;
    expect(await at("2026-06-04T09:00:00")).toMatch(/2026-06-02 {2}\(2 dagar försenad\)/);
    expect(await at("2026-06-03T09:00:00")).toMatch(/2026-06-02 {2}\(1 dag försenad\)/);
    expect(await at("2026-06-01T09:00:00")).toMatch(/2026-06-02 {2}\(1 dag kvar\)/);
  });
});
