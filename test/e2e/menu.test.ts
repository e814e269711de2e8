import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, linkopingOnPostgres, type Sandbox } from "../helpers/cli.js";
import { dialogue, KEY } from "../helpers/pty.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const MENU = "Vad vill du göra?";

describe("the menu of the day's work (avvik without arguments in a terminal)", () => {
  // The menu's case flows on both engines: on PostgreSQL the register is a database of the test run's server.
  it.each(["sqlite", "postgres"])("registers an outgoing deviation, offers the next step, looks it up, writes the answer and changes status (%s)", async (engine) => {
    s = engine === "postgres" ? await linkopingOnPostgres() : linkoping();
    const r = await dialogue(s, [], [
      { expect: MENU, keys: KEY.down + KEY.enter }, // Registrera en utgående avvikelse
      { expect: "Motpart", keys: "Region" },
      { expect: "Region Östergötland", keys: KEY.enter },
      { expect: "Berörd enhet", keys: KEY.down + KEY.enter }, // the region's coordinator (east)
      { expect: "Händelsedatum", keys: "\u0015" + "2026-03-01" + KEY.enter },
      { expect: "Upptäcktsdatum", keys: "\u0015" + "2026-03-02" + KEY.enter },
      { expect: "Händelsetyp", keys: KEY.down + KEY.enter }, // Tillbud
      { expect: "Rapporteringsområde", keys: KEY.down + KEY.down + KEY.enter }, // Läkemedelsbehandling
      { expect: "Kort sammanfattning", keys: "Utskriven utan läkemedelslista" + KEY.enter },
      { expect: "Beskrivning", keys: KEY.enter },
      { expect: "Extern referens", keys: KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.enter }, // Nej
      { expect: "Registrera ärendet?", keys: KEY.enter }, // Ja
      { expect: "Nästa steg för 2026-000001?", keys: KEY.enter }, // Skriv ut postpaket
      { expect: "Filnamn för paketet", keys: KEY.enter }, // the proposed name
      { expect: "Diariefört som 2026-000001:2", keys: "" },
      { expect: MENU, keys: KEY.down.repeat(5) + KEY.enter }, // Slå upp ett ärende
      { expect: "Diarienummer, referens", keys: "läkemedelslista" + KEY.enter }, // search by summary text
      { expect: "Ärende 2026-000001", keys: "" }, // the case card
      { expect: "Vad vill du göra med 2026-000001?", keys: KEY.down + KEY.down + KEY.enter }, // Skriv svaret
      { expect: "Allvarlighetsgrad", keys: KEY.down + KEY.down + KEY.enter }, // Gul
      { expect: "Orsaker", keys: "Rutinen för läkemedelslista följdes inte" + KEY.enter },
      { expect: "? …", keys: KEY.enter }, // several lines may follow; an empty one ends
      { expect: "Åtgärder", keys: "Checklista vid utskrivning" + KEY.enter },
      { expect: "? …", keys: KEY.enter },
      { expect: "Uppföljning", keys: KEY.enter },
      { expect: "är uppdaterat", keys: "" },
      { expect: "Vad vill du göra med 2026-000001?", keys: KEY.down.repeat(3) + KEY.enter }, // Ändra status
      { expect: "har status Skickad. Ny status", keys: KEY.enter }, // the only allowed step: Besvarad
      { expect: "Skickad → Besvarad", keys: "" },
      { expect: "Vad vill du göra med 2026-000001?", keys: KEY.up + KEY.enter }, // Tillbaka till menyn
      { expect: MENU, keys: KEY.up + KEY.enter }, // Avsluta
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Registrerat: 2026-000001 (utgående, Region Östergötland)");
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c).toMatchObject({
      direction: "out",
      status: "answered",
      counterpart: { id: "region-ostergotland" },
      unit: { id: "ro-ps-oster" },
      kind: "tillbud",
      area: "lakemedel",
      severity: "gul",
      summary: "Utskriven utan läkemedelslista",
      causes: "Rutinen för läkemedelslista följdes inte",
      actions: "Checklista vid utskrivning",
      followUp: null,
    });
    // The packet printed from the menu is the command's: a diary document, the case sent, the file in the working directory.
    expect(c.documents.map((d: { number: string }) => d.number)).toEqual(["2026-000001:1", "2026-000001:2"]);
    expect(existsSync(join(s.home, "2026-000001-packet.pdf"))).toBe(true);
    const audit = (await s.cliJson(["audit", "list", "--case", "2026-000001"])).map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["case.new", "diary.add", "case.update", "case.status"]));
  });

  it("writing the answer saves nothing when another registrar changed the same field meanwhile, and says so", async () => {
    s = linkoping();
    expect((await s.cli(["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--received-date", "2026-03-05", "--kind", "risk", "--area", "information", "--summary", "Första"])).code).toBe(0);
    const r = await dialogue(s, [], [
      { expect: MENU, keys: KEY.down.repeat(5) + KEY.enter }, // Slå upp ett ärende
      { expect: "Diarienummer, referens", keys: "2026-000001" + KEY.enter },
      { expect: "Vad vill du göra med 2026-000001?", keys: KEY.down + KEY.enter }, // Skriv svaret (after Tilldela)
      { expect: "Allvarlighetsgrad", keys: KEY.enter }, // kept
      { expect: "Orsaker", keys: "Min orsak" + KEY.enter },
      { expect: "? …", keys: KEY.enter },
      { expect: "Åtgärder", keys: KEY.enter },
      // While this registrar writes, another one writes the causes of the same case.
      { expect: "Uppföljning", keys: KEY.enter, before: () => s.cli(["case", "update", "2026-000001", "--causes", "Kollegans orsak"]) },
      { expect: "ändrades av någon annan medan du skrev", keys: "" },
      { expect: "Vad vill du göra med 2026-000001?", keys: KEY.up + KEY.enter }, // Tillbaka till menyn
      { expect: MENU, keys: KEY.up + KEY.enter }, // Avsluta
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain("är uppdaterat");
    expect((await s.cliJson(["case", "show", "2026-000001"])).causes).toBe("Kollegans orsak");
  });

  it("offers only the statuses the workflow allows, and closes", async () => {
    s = linkoping();
    for (const args of [
      ["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "information", "--summary", "Första"],
    ]) expect((await s.cli(args)).code).toBe(0);
    await s.cli(["case", "status", "2026-000001", "sent"]);
    await s.cli(["case", "status", "2026-000001", "answered"]);
    const r = await dialogue(s, [], [
      { expect: MENU, keys: KEY.down.repeat(7) + KEY.enter }, // Ändra status eller avsluta
      { expect: "Diarienummer, referens", keys: "2026-000001" + KEY.enter },
      { expect: "har status Besvarad. Ny status", keys: KEY.down + KEY.enter }, // Uppföljd, Avslutad → Avslutad
      { expect: "är avslutat", keys: "" },
      { expect: MENU, keys: KEY.up + KEY.enter },
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Uppföljd");
    expect(r.screen).toContain("Avslutad");
    expect(r.screen).not.toContain("followed_up");
    expect(r.screen).not.toContain("Skickad");
    expect((await s.cliJson(["case", "show", "2026-000001"])).status).toBe("closed");
  });

  it("Ctrl-C in a dialogue returns to the menu; Ctrl-C in the menu ends avvik with 130", async () => {
    s = linkoping();
    const r = await dialogue(s, [], [
      { expect: MENU, keys: KEY.enter }, // Registrera en inkommande avvikelse
      { expect: "Motpart", keys: KEY.ctrlC },
      { expect: "tillbaka till menyn", keys: "" },
      { expect: MENU, keys: KEY.ctrlC },
    ]);
    expect(r.code).toBe(130);
    expect(r.screen).not.toMatch(/Error|at .*\.js/);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
  });

  it("speaks English with --lang en", async () => {
    s = linkoping();
    const r = await dialogue(s, ["--lang", "en"], [{ expect: "What do you want to do?", keys: KEY.up + KEY.enter }]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Register an outgoing deviation");
  });

  it("without a terminal, avvik prints the help and exits 0", async () => {
    s = linkoping();
    const r = await s.cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Användning:");
    expect(r.stdout).toContain("avvik help flows");
  });
});

describe("the menu: incoming deviations and deadlines", () => {
  it("registers an incoming deviation and assigns the unit's manager as the next step", async () => {
    s = linkoping();
    const r = await dialogue(s, [], [
      { expect: MENU, keys: KEY.enter }, // Registrera en inkommande avvikelse
      { expect: "Motpart", keys: "Region" },
      { expect: "Region Östergötland", keys: KEY.enter },
      { expect: "Berörd enhet", keys: "Hemtjänst" },
      { expect: "Ryd", keys: KEY.enter },
      { expect: "Händelsedatum", keys: "\u0015" + "2026-02-20" + KEY.enter },
      { expect: "Upptäcktsdatum", keys: "\u0015" + "2026-02-21" + KEY.enter },
      { expect: "Inkommen", keys: KEY.enter },
      { expect: "Händelsetyp", keys: KEY.enter }, // Risk
      { expect: "Rapporteringsområde", keys: KEY.enter }, // information
      { expect: "Kort sammanfattning", keys: "Ofullständig överrapportering" + KEY.enter },
      { expect: "Beskrivning", keys: KEY.enter },
      { expect: "Extern referens", keys: KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.enter },
      { expect: "Registrera ärendet?", keys: KEY.enter },
      { expect: "Nästa steg för 2026-000001?", keys: KEY.enter }, // Tilldela ansvarig chef nu
      { expect: "Ansvarig för 2026-000001", keys: KEY.enter }, // the unit's manager comes first
      { expect: "är tilldelat", keys: "" },
      { expect: MENU, keys: KEY.up + KEY.enter },
    ]);
    expect(r.code).toBe(0);
    expect(await s.cliJson(["case", "show", "2026-000001"])).toMatchObject({
      direction: "in",
      status: "assigned",
      unit: { id: "linkoping-hemtjanst-ryd" },
      assignee: { email: "sara.nilsson@linkoping.example", role: "manager" },
    });
  });

  it("shows overdue cases and cases due soon, and opens one of them", async () => {
    s = linkoping();
    const base = ["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--kind", "risk", "--area", "ovrigt"];
    expect((await s.cli([...base, "--event-date", "2025-11-20", "--discovered-date", "2025-11-20", "--summary", "Gammal och försenad"])).code).toBe(0);
    expect((await s.cli([...base, "--event-date", "2025-12-15", "--discovered-date", "2025-12-15", "--summary", "Snart sista dag"])).code).toBe(0);
    expect((await s.cli([...base, "--event-date", "2026-03-09", "--discovered-date", "2026-03-09", "--summary", "Nyss registrerad"])).code).toBe(0);
    const r = await dialogue(s, [], [
      { expect: "1 försenat, 1 med sista svarsdag inom 14 dagar", keys: "" },
      { expect: MENU, keys: KEY.down.repeat(4) + KEY.enter }, // Se försenade …
      { expect: "Öppna ett ärende?", keys: KEY.down + KEY.enter }, // the one due soon
      { expect: "Ärende 2026-000002", keys: "" },
      { expect: "Vad vill du göra med 2026-000002?", keys: KEY.up + KEY.enter }, // back
      { expect: MENU, keys: KEY.up + KEY.enter },
    ]);
    expect(r.code).toBe(0);
    const overdueAt = r.screen.indexOf("Försenade");
    const soonAt = r.screen.indexOf("Sista svarsdag inom 14 dagar");
    expect(overdueAt).toBeGreaterThan(0);
    expect(r.screen.slice(overdueAt, soonAt)).toContain("Gammal och försenad");
    expect(r.screen.slice(soonAt)).toContain("Snart sista dag");
    expect(r.screen.slice(overdueAt, r.screen.indexOf("Öppna ett ärende?"))).not.toContain("Nyss registrerad");
  });
});
