// `avvik doctor` checks the envelope window against the directory: the window setting is usable, and every
// organisation post may go to has an address block that fits it; a misfit names the organisation and its lines,
// and a packet to it is refused with the same lines.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, ROOT, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

type Finding = { check: string; status: string; message: string };
const letters = async (sb: Sandbox, lang = "sv") => {
  const r = await sb.cli(["doctor", "--json", "--lang", lang]);
  const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  return { code: r.code, found: findings.filter((f) => f.check === "letters") };
};
const ADDRESS = ["Box 1", "Avdelning 2", "Våning 3", "Korridor 4", "Rum 5", "Hylla 6", "Fack 7", "Låda 8", "Mapp 9", "Flik 10", "123 45 Ort"];

function setWindow(sb: Sandbox, window: Record<string, unknown>): void {
  const common = JSON.parse(readFileSync(join(ROOT, "templates", "letters", "common.json"), "utf8"));
  const dir = join(sb.home, "data", "templates", "letters");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "common.json"), JSON.stringify({ ...common, window: { ...common.window, ...window } }));
}

describe("doctor: the envelope window and the directory's addresses", () => {
  it("passes the bundled window with the Östergötland directory and names the longest address", async () => {
    s = linkoping();
    const { code, found } = await letters(s);
    expect(code).toBe(0);
    expect(found).toHaveLength(1);
    expect(found[0]!.status).toBe("ok");
    expect(found[0]!.message).toContain("V2 22/50/85/35 mm");
    // the east coordinator's block (organisation, name, Box, postcode …) is the longest of the directory
    expect(found[0]!.message).toMatch(/ro-ps-oster.*\d+ rader/);
  });

  it("fails for an address that no size fits, naming the organisation and every line, as the packet's refusal does", async () => {
    s = linkoping();
    await s.cliJson(["org", "add", "--id", "langt", "--name", "Omsorg Långadress AB", "--kind", "private", "--address", ADDRESS.join("|"), "--json"]);
    const { code, found } = await letters(s);
    expect(code).toBe(1);
    expect(found).toHaveLength(1);
    expect(found[0]!.status).toBe("fail");
    expect(found[0]!.message).toContain("Omsorg Långadress AB (langt)");
    for (const line of ADDRESS) expect(found[0]!.message).toContain(line);
    expect(found[0]!.message).toContain("12 rader");
    // the other organisations fit: only the one that does not is named
    expect(found[0]!.message).not.toContain("ro-ps-oster");
    const en = await letters(s, "en");
    expect(en.found[0]!.message).toContain("12 lines");

    await s.cliJson(["case", "new", "--direction", "out", "--counterpart", "langt", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "tillbud", "--area", "lakemedel", "--summary", "Prov", "--json"]);
    const packet = await s.cli(["packet", "2026-000001", "-o", "p.pdf"]);
    expect(packet.code).toBe(1);
    expect(packet.stderr).toContain("Omsorg Långadress AB (langt)");
    expect(packet.stderr).toContain("12 rader");
  });

  it("checks a right-hand (H2) window too, and fails a window setting that fits nowhere", async () => {
    s = linkoping();
    setWindow(s, { side: "right", leftMm: 110, topMm: 50 });
    const h2 = await letters(s);
    expect(h2.code).toBe(0);
    expect(h2.found[0]).toMatchObject({ status: "ok" });
    expect(h2.found[0]!.message).toContain("H2 110/50/85/35 mm");

    // a window so low that it reaches into the letter text
    setWindow(s, { side: "left", leftMm: 22, topMm: 80, heightMm: 35 });
    const bad = await letters(s);
    expect(bad.code).toBe(1);
    expect(bad.found).toHaveLength(1);
    expect(bad.found[0]!.status).toBe("fail");
    expect(bad.found[0]!.message).toContain("Fönsterinställningen 22/80/85/35 mm");
  });

  it("a narrower window makes long lines fail that fit the bundled one", async () => {
    s = linkoping();
    setWindow(s, { widthMm: 30 });
    const { code, found } = await letters(s);
    expect(code).toBe(1);
    expect(found.length).toBeGreaterThan(1);
    expect(found.every((f) => f.status === "fail")).toBe(true);
    expect(found.some((f) => f.message.includes("(ro-ps-oster)"))).toBe(true);
  });
});
