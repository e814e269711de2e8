// Section 8 of the CLI contract, the register's rules: secrecy grounds (OSL ch. 5) and the public register,
// whole matters marked secret, and voided entries (kept, marked, never reused).

import { afterEach, describe, expect, it } from "vitest";
import { parseSecrecyGround } from "../../src/core/secrecy.js";
import { join } from "node:path";
import { linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const GROUND = "25 kap. 1 § OSL";
const fixture = (name: string) => join(ROOT, "fixtures", "replies", name);
const oneLine = (text: string) => expect(text.trim().split("\n")).toHaveLength(1);

async function audit(sb: Sandbox): Promise<Array<{ action: string; details: Record<string, unknown>; user: string }>> {
  return sb.cliJson(["audit", "list"]);
}

async function entries(sb: Sandbox, extra: string[] = []): Promise<any[]> {
  return sb.cliJson(["diary", "list", ...extra]);
}

describe("secrecy grounds", () => {
  it("accepts citations of a chapter and section of OSL, loosely spelt", () => {
    for (const g of ["25 kap. 1 § OSL", "25 kap 1 §", "26 kap. 1 a § OSL", "21 kap. 7 § första stycket OSL", "25 kap. 1 § och 26 kap. 1 § offentlighets- och sekretesslagen (2009:400)", "  25   kap.  1 §  osl ", "Sekretess enligt 25 kap. 1 § OSL"]) {
      expect(parseSecrecyGround(g, "--secret", "2026-03-10"), g).toMatch(/kap/);
    }
    expect(parseSecrecyGround("  25   kap.  1 §  OSL ", "--secret", "2026-03-10")).toBe("25 kap. 1 § OSL");
    expect(parseSecrecyGround("none", "--secret", "2026-03-10")).toBeNull();
  });

  it("refuses a ground that is empty, holds a personnummer or a name, or cites nothing", () => {
    const refused = (g: string) => {
      try {
        parseSecrecyGround(g, "--secret", "2026-03-10");
      } catch (e) {
        return (e as { key: string }).key;
      }
      return "accepted";
    };
    expect(refused("")).toBe("usage.secrecyEmpty");
    expect(refused("   ")).toBe("usage.secrecyEmpty");
    expect(refused("25 kap. 1 § OSL 19121212-1212")).toBe("error.personalNumberInText");
    expect(refused("25 kap. 1 § OSL Tolvan Tolvansson")).toBe("error.secrecyGround");
    expect(refused("Tolvan Tolvansson")).toBe("error.secrecyGround");
    expect(refused("sekretess")).toBe("error.secrecyGround");
    expect(refused("OSL")).toBe("error.secrecyGround");
  });
});

describe("diary add --secret and the public register", () => {
  it("keeps a secret entry's subject and party out of diary list --public, with its number, date, direction and ground", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const added = await s.cliJson(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Journalkopia från vårdcentralen", "--party", "Vårdcentralen Ryd", "--date", "2026-03-09", "--secret", GROUND]);
    expect(added).toMatchObject({ number: "2026-000001:2", secrecy: GROUND });
    await s.cliJson(["diary", "add", "2026-000001", "--direction", "out", "--subject", "Begäran om komplettering", "--party", "Region Östergötland"]);

    const all = await entries(s);
    expect(all.map((e) => e.number)).toEqual(["2026-000001:1", "2026-000001:2", "2026-000001:3"]);
    expect(all[1]).toMatchObject({ subject: "Journalkopia från vårdcentralen", party: "Vårdcentralen Ryd", secrecy: GROUND });
    expect("secrecy" in all[0]).toBe(false); // carried only when set
    expect("voided" in all[0]).toBe(false);

    const pub = await entries(s, ["--public"]);
    expect(pub[1]).toEqual({ number: "2026-000001:2", date: "2026-03-09", direction: "in", subject: null, party: null, secrecy: GROUND, caseId: 1, diaryNumber: "2026-000001" });
    expect(pub[2]).toMatchObject({ subject: "Begäran om komplettering", party: "Region Östergötland" });
    expect(pub.every((e) => !("file" in e))).toBe(true);

    const table = await s.cli(["diary", "list", "--public"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("2026-000001:2");
    expect(table.stdout).toContain(GROUND);
    expect(table.stdout).not.toContain("Journalkopia");
    expect(table.stdout).not.toContain("Vårdcentralen Ryd");
    expect(table.stdout).toContain("Begäran om komplettering");
    // The registrar's own view shows the subject with its marking.
    const own = await s.cli(["diary", "list"]);
    expect(own.stdout).toContain("Journalkopia");
    expect(own.stdout).toContain(`[Sekretess: ${GROUND}]`);
    const events = (await audit(s)).filter((e) => e.action === "diary.add");
    expect(events.at(-2)!.details).toMatchObject({ document: "2026-000001:2", secrecy: GROUND });
  });

  it("refuses a bad ground with one line and changes nothing", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const before = { diary: await entries(s), audit: (await audit(s)).length };
    for (const [ground, code] of [["", 2], ["Tolvan Tolvansson", 1], ["25 kap. 1 § OSL 19121212-1212", 1], ["enligt lag", 1]] as const) {
      const r = await s.cli(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Svar", "--secret", ground]);
      expect(r.code, ground).toBe(code);
      oneLine(r.stderr);
      expect(r.stderr).toContain("--secret");
      expect(r.stderr).not.toMatch(/at .*\.js|Error:/);
      expect(r.stdout).toBe("");
    }
    expect(await entries(s)).toEqual(before.diary);
    expect((await audit(s)).length).toBe(before.audit);
  });
});

describe("case update --secret: a whole matter", () => {
  it("marks every entry of the case in the public register, and documents the tool diarises inherit the ground; --secret none lifts it, audited", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    await s.cliJson(outgoingCase());
    const marked = await s.cliJson(["case", "update", "2026-000001", "--secret", "26 kap. 1 § OSL"]);
    expect(marked).toMatchObject({ secrecy: "26 kap. 1 § OSL", changed: ["secrecy"] });
    // The first entry (diarised before the marking) is kept out of the public register while the marking lasts.
    let pub = await entries(s, ["--public"]);
    expect(pub.find((e) => e.number === "2026-000001:1")).toMatchObject({ subject: null, party: null, secrecy: "26 kap. 1 § OSL" });
    expect(pub.find((e) => e.number === "2026-000002:1")!.subject).toMatch(/Avvikelse/);

    // Documents avvik diarises itself: the packet (outgoing) and the scanned answer (incoming).
    const packet = await s.cliJson(["packet", "2026-000001"]);
    expect(packet.document).toMatchObject({ number: "2026-000001:2", secrecy: "26 kap. 1 § OSL" });
    const reply = await s.cliJson(["reply", "attach", fixture("hand-ert-dnr.pdf")]);
    expect(reply.document).toMatchObject({ number: "2026-000001:3", secrecy: "26 kap. 1 § OSL" });
    // An entry of its own with --secret none stays public.
    await s.cliJson(["diary", "add", "2026-000001", "--direction", "internal", "--subject", "Minnesanteckning", "--secret", "none"]);

    const lifted = await s.cliJson(["case", "update", "2026-000001", "--secret", "none"]);
    expect(lifted).toMatchObject({ secrecy: null, changed: ["secrecy"] });
    pub = await entries(s, ["--public"]);
    const byNumber = new Map(pub.map((e) => [e.number, e]));
    expect(byNumber.get("2026-000001:1")!.subject).toMatch(/Avvikelse/); // covered only by the case's marking
    expect(byNumber.get("2026-000001:2")).toMatchObject({ subject: null, secrecy: "26 kap. 1 § OSL" }); // inherited: its own now
    expect(byNumber.get("2026-000001:3")).toMatchObject({ subject: null, secrecy: "26 kap. 1 § OSL" });
    expect(byNumber.get("2026-000001:4")!.subject).toBe("Minnesanteckning");

    const events = (await audit(s)).filter((e) => e.action === "case.secrecy");
    expect(events.map((e) => e.details)).toEqual([
      { from: null, to: "26 kap. 1 § OSL" },
      { from: "26 kap. 1 § OSL", to: null },
    ]);
    // The card says so.
    await s.cliJson(["case", "update", "2026-000001", "--secret", GROUND]);
    const card = await s.cli(["case", "show", "2026-000001"]);
    expect(card.stdout).toMatch(new RegExp(`Sekretess\\s+${GROUND.replace(/\./g, "\\.")}`));
  });

  it("may mark a closed case, and refuses a ground with personal data without changing it", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    for (const st of ["sent", "answered", "followed_up", "closed"]) await s.cliJson(["case", "status", "2026-000001", st]);
    expect((await s.cliJson(["case", "update", "2026-000001", "--secret", GROUND])).secrecy).toBe(GROUND);
    const r = await s.cli(["case", "update", "2026-000001", "--secret", "25 kap. 1 § OSL, 19121212-1212"]);
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect((await s.cliJson(["case", "show", "2026-000001"])).secrecy).toBe(GROUND);
    // Other fields of a closed case are still refused.
    expect((await s.cli(["case", "update", "2026-000001", "--secret", GROUND, "--causes", "x"])).code).toBe(1);
  });
});

describe("diary void", () => {
  it("keeps the number and the entry, marks who, when and why, audited, shown everywhere; numbers are never reused", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Svar i fel ärende", "--party", "Region Östergötland"]);
    // The number as people type it ("2026-1:2" for 2026-000001:2), as for a case.
    const voided = await s.cliJson(["diary", "void", "2026-1:2", "--reason", "Diarieförd i fel ärende"], { env: { AVVIK_NOW: "2026-03-11T14:30:00", AVVIK_USER: "registrator" } });
    expect(voided).toMatchObject({ number: "2026-000001:2", subject: "Svar i fel ärende", voided: { by: "registrator", reason: "Diarieförd i fel ärende" } });
    expect(voided.voided.at).toMatch(/^2026-03-11T14:30:00/);

    const list = await entries(s);
    expect(list.map((e) => e.number)).toEqual(["2026-000001:1", "2026-000001:2"]);
    expect(list[1]).toMatchObject({ subject: "Svar i fel ärende", voided: { by: "registrator", reason: "Diarieförd i fel ärende" } });
    expect((await entries(s, ["--public"]))[1].voided.reason).toBe("Diarieförd i fel ärende");
    const shown = await s.cliJson(["case", "show", "2026-000001"]);
    expect(shown.documents[1].voided).toEqual(list[1].voided);
    for (const args of [["diary", "list"], ["case", "show", "2026-000001"]]) {
      const human = await s.cli(args);
      expect(human.stdout, args.join(" ")).toContain("MAKULERAD 2026-03-11: Diarieförd i fel ärende");
    }
    const event = (await audit(s)).find((e) => e.action === "diary.void")!;
    expect(event).toMatchObject({ user: "registrator", details: { document: "2026-000001:2", reason: "Diarieförd i fel ärende" } });

    // The next document gets the next number: the voided one is not reused, nothing is renumbered.
    const next = await s.cliJson(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Rätt svar"]);
    expect(next.number).toBe("2026-000001:3");
    expect((await s.cli(["audit", "verify"])).code).toBe(0);
  });

  it("refuses a number that does not exist, one voided already, a reason with a personnummer and a missing reason; nothing changes", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(["diary", "void", "2026-000001:1", "--reason", "Fel"]);
    const before = { diary: await entries(s), audit: (await audit(s)).length };
    for (const [args, code, says] of [
      [["diary", "void", "2026-000001:1", "--reason", "Igen"], 1, "redan makulerad"],
      [["diary", "void", "2026-000001:7", "--reason", "Fel"], 1, "2026-000001:7"],
      [["diary", "void", "2026-000001", "--reason", "Fel"], 1, "2026-000001"],
      [["diary", "void", "2026-000001:1", "--reason", "Gäller 19121212-1212"], 1, "personnummer"],
      [["diary", "void", "2026-000001:1"], 2, "--reason"],
    ] as const) {
      const r = await s.cli([...args]);
      expect(r.code, args.join(" ")).toBe(code);
      oneLine(r.stderr);
      expect(r.stderr).toContain(says);
      expect(r.stdout).toBe("");
    }
    expect(await entries(s)).toEqual(before.diary);
    expect((await audit(s)).length).toBe(before.audit);
  });

  it("voids once when two processes void the same entry at the same time", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const runs = await Promise.all([1, 2, 3].map((n) => s.spawn(["diary", "void", "2026-000001:1", "--reason", `Försök ${n}`])));
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1, 1]);
    for (const r of runs.filter((x) => x.code === 1)) expect(r.stderr).toContain("redan makulerad");
    const events = (await audit(s)).filter((e) => e.action === "diary.void");
    expect(events).toHaveLength(1);
    const entry = (await entries(s))[0];
    expect(entry.voided.reason).toBe(events[0]!.details.reason);
  });
});
