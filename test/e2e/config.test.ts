import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

type Row = { key: string; value: unknown; source: string };
const byKey = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.key, r]));

describe("avvik config", () => {
  it("lists every setting with its value and where it comes from", async () => {
    s = linkoping();
    const rows = byKey(await s.cliJson(["config", "list"]));
    expect(rows.home).toMatchObject({ value: join(s.home, "data"), source: "environment" });
    expect(rows.user).toMatchObject({ value: "test", source: "environment" });
    expect(rows.language).toMatchObject({ value: "sv", source: "default" });
    expect(rows["diary.format"]).toMatchObject({ value: "{year}-{seq:6}", source: "register" });
    expect(rows["deadline.months"]).toMatchObject({ value: 2, source: "register" });
    expect(rows["org.name"]).toMatchObject({ value: "Linköpings kommun", source: "register" });
    // A flag goes before the environment.
    expect(byKey(await s.cliJson(["config", "list", "--as", "kalle"])).user).toMatchObject({ value: "kalle", source: "flag" });
    const human = await s.cli(["config", "list"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/deadline\.months\s+2\s+registret/);
  });

  it("sets register settings that the register then uses, and records them in the audit trail", async () => {
    s = linkoping();
    expect((await s.cli(["config", "set", "diary.format", "VOK {year}-{seq}"])).code).toBe(0);
    expect((await s.cli(["config", "set", "deadline.months", "3"])).code).toBe(0);
    expect((await s.cli(["config", "set", "org.address", "Linköpings kommun|Registraturen|581 81 Linköping"])).code).toBe(0);
    expect(await s.cliJson(["config", "get", "deadline.months"])).toMatchObject({ value: 3, source: "register" });
    const get = await s.cli(["config", "get", "org.address"]);
    expect(get.stdout.trim()).toBe("Linköpings kommun | Registraturen | 581 81 Linköping");
    expect(get.stderr).toContain("registret");
    // The register uses them: the next number has the new format, the deadline the new months (no agreement with Finspång).
    const c = await s.cliJson(["case", "new", "--direction", "out", "--counterpart", "finspang", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "risk", "--area", "ovrigt", "--summary", "Test"]);
    expect(c.diaryNumber).toBe("VOK 2026-1");
    expect(c.dueDate).toBe("2026-06-02");
    const org = (await s.cliJson(["org", "list"])).find((o: { id: string }) => o.id === "linkoping");
    expect(org.address).toBe("Linköpings kommun\nRegistraturen\n581 81 Linköping");
    const events = (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "config.set");
    expect(events.map((e: { details: { key: string } }) => e.details.key)).toEqual(["diary.format", "deadline.months", "org.address"]);
  });

  it("refuses a malformed value with one line and exit 2, changing nothing", async () => {
    s = linkoping();
    const auditBefore = (await s.cliJson(["audit", "list"])).length;
    for (const [key, value, text] of [
      ["diary.format", "{seq}", "{year} eller {yy} saknas"],
      ["diary.format", "VOK {år}-{seq}", "okänd platshållare"],
      ["deadline.months", "0", "heltal från 1 till 36"],
      ["deadline.months", "tre", "heltal från 1 till 36"],
      ["language", "de", "sv, en"],
      ["org.name", "", "tom"],
    ]) {
      const r = await s.cli(["config", "set", key!, value!]);
      expect(r.code, `${key}=${value}`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(text);
      expect(r.stderr).toContain("Inget har ändrats");
    }
    expect((await s.cli(["config", "set", "nonsense", "1"])).code).toBe(2);
    const readOnly = await s.cli(["config", "set", "home", "/tmp"]);
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toContain("--home eller AVVIK_HOME");
    expect((await s.cliJson(["config", "get", "diary.format"])).value).toBe("{year}-{seq:6}");
    expect((await s.cliJson(["config", "get", "deadline.months"])).value).toBe(2);
    expect((await s.cliJson(["audit", "list"])).length).toBe(auditBefore);
  });

  it("stores the language in <home>/config.json; the environment and the flag go before it", async () => {
    s = linkoping();
    expect((await s.cli(["config", "set", "language", "en"])).code).toBe(0);
    const file = join(s.home, "data", "config.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ language: "en" });
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(await s.cliJson(["config", "get", "language"])).toMatchObject({ value: "en", source: "file" });
    // The stored language is used by every command ...
    expect((await s.cli(["case", "show", "2026-999999"])).stderr).toContain("No case matches");
    // ... unless the environment or a flag says otherwise.
    expect(await s.cliJson(["config", "get", "language"], { env: { AVVIK_LANG: "sv" } })).toMatchObject({ value: "sv", source: "environment" });
    expect((await s.cli(["case", "show", "2026-999999"], { env: { AVVIK_LANG: "sv" } })).stderr).toContain("Inget ärende matchar");
    expect(await s.cliJson(["config", "get", "language", "--lang", "sv"])).toMatchObject({ value: "sv", source: "flag" });
    const overridden = await s.cli(["config", "set", "language", "en"], { env: { AVVIK_LANG: "sv" } });
    expect(overridden.code).toBe(0);
    expect(overridden.stderr).toContain("AVVIK_LANG");
  });

  it("keeps other keys in config.json when setting one, and reports a malformed file", async () => {
    s = linkoping();
    const file = join(s.home, "data", "config.json");
    writeFileSync(file, JSON.stringify({ smtp: { host: "smtp.example", port: 587 } }));
    expect((await s.cli(["config", "set", "language", "en"])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ smtp: { host: "smtp.example", port: 587 }, language: "en" });
    writeFileSync(file, "{ not json");
    const r = await s.cli(["config", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config.json");
    // Commands other than config go on in the default language.
    expect((await s.cli(outgoingCase())).code).toBe(0);
  });
});
