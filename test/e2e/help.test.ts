import { afterEach, describe, expect, it } from "vitest";
import { sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("help that teaches", () => {
  it("every command's help has at least two examples, given beside the command in its module", async () => {
    s = sandbox();
    const commands = (await s.cli(["__complete", "commands"])).stdout.split("\n").filter(Boolean);
    expect(commands).toEqual(expect.arrayContaining(["case new", "case show", "config set", "doctor", "completion", "flows"]));
    const missing: string[] = [];
    for (const path of commands) {
      const r = await s.cli([...path.split(" "), "--help"]);
      expect(r.code, path).toBe(0);
      const examples = r.stdout.split("Exempel:")[1] ?? "";
      if ((examples.match(/^ {2}# /gm) ?? []).length < 2) missing.push(path);
    }
    expect(missing, "give these commands examples(cmd, […]) in their modules").toEqual([]);
  });

  it("is Swedish by default and English with --lang en", async () => {
    s = sandbox();
    const sv = await s.cli(["case", "update", "--help"]);
    expect(sv.stdout).toContain("Exempel:");
    expect(sv.stdout).toContain("# för in allvarlighetsgrad, orsaker och åtgärder");
    expect(sv.stdout).toContain("avvik case update 2026-000012 --severity gul");
    const en = await s.cli(["help", "case", "update", "--lang", "en"]);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain("Examples:");
    expect(en.stdout).toContain("# enter severity, causes and actions");
    expect((await s.cli(["--help"])).stdout).toContain("avvik help flows");
  });

  it("describes the flows of Östergötland and Linköping in commands, marking those not yet present", async () => {
    s = sandbox();
    const r = await s.cli(["help", "flows"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Östergötland: kommunen rapporterar till regionen");
    expect(r.stdout).toContain("Östergötland: regionen rapporterar till kommunen");
    expect(r.stdout).toContain("Linköping: utgående avvikelse");
    expect(r.stdout).toContain("Linköping: inkommande avvikelse");
    expect(r.stdout).toContain("Box 905, 612 25 Finspång");
    // Present commands are shown plainly (a command not in this build would be marked "(kommer …)").
    expect(r.stdout).toMatch(/avvik case new --direction out[^\n]*…\n/);
    expect(r.stdout).toMatch(/avvik exchange export 2026-000012\n/);
    const packetLine = r.stdout.split("\n").find((l) => l.includes("avvik packet"))!;
    expect(packetLine).not.toContain("(kommer");
    expect(packetLine).toContain("avvik packet 2026-000012");
    expect((await s.cli(["flows", "--lang", "en"])).stdout).toContain("Linköping: incoming deviation");
  });
});
