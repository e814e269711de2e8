import { afterEach, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";
import { dialogue, KEY } from "../helpers/pty.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("case new as a guided dialogue in a terminal", () => {
  it("asks for what is missing, validates as you type, and registers the case", async () => {
    s = linkoping();
    const r = await dialogue(s, ["case", "new"], [
      { expect: "Riktning", keys: KEY.down + KEY.enter }, // Utgående
      { expect: "Motpart", keys: "Region" }, // type to search the list
      { expect: "Region Östergötland", keys: KEY.enter },
      { expect: "Berörd enhet", keys: KEY.down + KEY.enter }, // first unit of the region: the coordinator
      { expect: "Händelsedatum", keys: "\u0015" + "2026-02-30" + KEY.enter }, // not a date
      { expect: "Ange ett datum som ÅÅÅÅ-MM-DD", keys: KEY.backspace.repeat(2) + "28" + KEY.enter },
      { expect: "Upptäcktsdatum", keys: "\u0015" + "2026-03-01" + KEY.enter },
      { expect: "Händelsetyp", keys: KEY.down + KEY.enter }, // Tillbud
      { expect: "Rapporteringsområde", keys: KEY.down + KEY.down + KEY.enter }, // Läkemedelsbehandling
      { expect: "Kort sammanfattning", keys: "Gäller 19121212-1212" + KEY.enter },
      { expect: "innehåller ett personnummer", keys: "\u0015" + "Utskriven utan läkemedelslista" + KEY.enter },
      { expect: "Beskrivning", keys: KEY.enter },
      { expect: "Extern referens", keys: KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.down + KEY.enter }, // Ja
      { expect: "Personnummer", keys: "19121212-1213" + KEY.enter },
      { expect: "fel kontrollsiffra", keys: KEY.backspace + "2" + KEY.enter },
      { expect: "Namn (valfritt)", keys: "Tolvan Tolvansson" + KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.enter }, // Nej
      { expect: "Registrera ärendet?", keys: KEY.enter }, // Ja
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Registrerat: 2026-000001 (utgående, Region Östergötland). Svar senast 2026-06-01.");
    expect(r.screen).toContain("19121212-****");
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c).toMatchObject({
      direction: "out",
      counterpart: { id: "region-ostergotland" },
      unit: { id: "ro-ps-oster" },
      eventDate: "2026-02-28",
      discoveredDate: "2026-03-01",
      kind: "tillbud",
      area: "lakemedel",
      summary: "Utskriven utan läkemedelslista",
      persons: ["19121212-****"],
    });
  });

  it("asks only for what the flags left out", async () => {
    s = linkoping();
    const r = await dialogue(
      s,
      ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd", "--event-date", "2026-03-01",
        "--discovered-date", "2026-03-02", "--received-date", "2026-03-05", "--kind", "risk", "--area", "information", "--description", "Beskrivning"],
      [
        { expect: "Kort sammanfattning", keys: "Bristande överrapportering" + KEY.enter },
        { expect: "Extern referens", keys: KEY.enter },
        { expect: "lägga till en berörd person?", keys: KEY.enter },
        { expect: "Registrera ärendet?", keys: KEY.enter },
      ],
    );
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain("Riktning");
    expect((await s.cliJson(["case", "show", "1"])).summary).toBe("Bristande överrapportering");
  });

  it("backs out cleanly with Ctrl-C: exit 130 and nothing registered", async () => {
    s = linkoping();
    const r = await dialogue(s, ["case", "new"], [
      { expect: "Riktning", keys: KEY.enter },
      { expect: "Motpart", keys: KEY.ctrlC },
    ]);
    expect(r.code).toBe(130);
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(await s.cliJson(["diary", "list"])).toEqual([]);
  });
});
