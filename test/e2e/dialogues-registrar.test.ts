// The dialogues a registrar meets in a terminal: each answer checked when given, external references, text of
// several lines (typed, or in $EDITOR), the allowed steps and the contacts offered, init and the menu before it.

import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, sandbox, type Sandbox } from "../helpers/cli.js";
import { dialogue, KEY } from "../helpers/pty.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const CLEAR = "\u0015"; // Ctrl-U: empties the line (the prompt's default)

describe("case new, guided", () => {
  it("refuses an event date after the discovered date at the second date, takes references and several lines", async () => {
    s = linkoping();
    const r = await dialogue(s, ["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-ps-oster", "--kind", "tillbud", "--area", "lakemedel"], [
      { expect: "Händelsedatum", keys: CLEAR + "2026-03-05" + KEY.enter },
      { expect: "Upptäcktsdatum", keys: CLEAR + "2026-03-01" + KEY.enter },
      { expect: "Händelsedatum 2026-03-05 ligger efter upptäcktsdatum 2026-03-01", keys: KEY.backspace + "6" + KEY.enter },
      { expect: "Kort sammanfattning", keys: "Utskriven utan läkemedelslista" + KEY.enter },
      // A prompt is drawn again at every key: wait for the finished line (✔) before the next prompt.
      { expect: "Beskrivning", keys: "Patienten kom hem en fredag." + KEY.enter },
      { expect: /✔ Beskrivning[\s\S]*?fredag\./, keys: "" },
      { expect: "? …", keys: "Hemtjänsten fick ingen lista." + KEY.enter },
      { expect: /✔ … Hemtjänsten fick ingen lista\./, keys: "" },
      { expect: "? …", keys: KEY.enter },
      { expect: "Extern referens", keys: "synergi 45678" + KEY.enter },
      { expect: "ska ha formen SYSTEM:ID", keys: CLEAR + "synergi:45678" + KEY.enter },
      { expect: /✔ Extern referens[\s\S]*?synergi:45678/, keys: "" },
      { expect: "? Extern referens", keys: "medcontrol:991" + KEY.enter },
      { expect: /✔ Extern referens[\s\S]*?medcontrol:991/, keys: "" },
      { expect: "? Extern referens", keys: KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.enter },
      { expect: "Registrera ärendet?", keys: KEY.enter },
    ]);
    expect(r.code).toBe(0);
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c).toMatchObject({ eventDate: "2026-03-05", discoveredDate: "2026-03-06", description: "Patienten kom hem en fredag.\nHemtjänsten fick ingen lista." });
    expect(c.refs).toEqual(expect.arrayContaining([{ system: "synergi", id: "45678" }, { system: "medcontrol", id: "991" }]));
  });

  it("opens $EDITOR for the description when one is set", async () => {
    s = linkoping();
    const editor = join(s.home, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\nprintf 'Första raden\\nAndra raden\\n' > "$1"\n`);
    chmodSync(editor, 0o755);
    s.env.EDITOR = editor;
    const r = await dialogue(s, [...outgoingCase().filter((a, i, all) => a !== "--summary" && all[i - 1] !== "--summary"), "--ref", "synergi:1"], [
      { expect: "Kort sammanfattning", keys: "Utskriven utan läkemedelslista" + KEY.enter },
      { expect: "lägga till en berörd person?", keys: KEY.enter },
      { expect: "Registrera ärendet?", keys: KEY.enter },
    ]);
    expect(r.code).toBe(0);
    expect((await s.cliJson(["case", "show", "2026-000001"])).description).toBe("Första raden\nAndra raden");
  });
});

describe("steps and contacts offered", () => {
  it("case status REF offers the allowed steps", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const r = await dialogue(s, ["case", "status", "2026-000001"], [{ expect: "Ny status", keys: KEY.enter }]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Tilldelad");
    expect(r.screen).not.toContain("assigned");
    expect((await s.cliJson(["case", "show", "2026-000001"])).status).toBe("assigned");
  });

  it("case assign REF offers the contacts", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const r = await dialogue(s, ["case", "assign", "2026-000001"], [
      { expect: "Ansvarig för 2026-000001", keys: "" },
      { expect: "Berörd chef", keys: KEY.enter },
    ]);
    expect(r.code).toBe(0);
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c.assignee.role).toBe("manager");
    expect(c.status).toBe("assigned");
  });

  it("purge asks (j/N) and takes j", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--person", "19121212-1212:Tolvan Tolvansson"]));
    for (const st of ["sent", "answered", "followed_up", "closed"]) await s.cliJson(["case", "status", "2026-000001", st]);
    const r = await dialogue(s, ["purge", "--closed-before", "2026-03-11"], [
      { expect: "(j/N)", keys: "x" + KEY.enter },
      { expect: 'Svara "Ja" eller "Nej"', keys: KEY.backspace + "j" + KEY.enter },
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toMatch(/Gallrat före 2026-03-11: personuppgifter i 1 ärende \(1 person,/);
  });
});

describe("before the register exists", () => {
  it("init in a terminal without flags is a short dialogue", async () => {
    s = sandbox();
    const r = await dialogue(s, ["init"], [
      { expect: "Den egna organisationens namn", keys: "Linköpings kommun" + KEY.enter },
      { expect: "Kort id", keys: CLEAR + "linkoping" + KEY.enter },
      { expect: "Typ av organisation", keys: KEY.enter },
      { expect: "Mall för diarienummer", keys: CLEAR + "VOK {year}-{seq}" + KEY.enter },
      { expect: "Svarstid i månader", keys: CLEAR + "3" + KEY.enter },
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Registret för Linköpings kommun är skapat");
    expect(r.screen).toContain("nästa nummer VOK 2026-1), svarstid 3 månader.");
  });

  it("the menu offers to create the register", async () => {
    s = sandbox();
    const r = await dialogue(s, [], [
      { expect: "Det finns inget register", keys: KEY.enter },
      { expect: "Den egna organisationens namn", keys: "Linköpings kommun" + KEY.enter },
      { expect: "Kort id", keys: KEY.enter }, // the suggested id
      { expect: "Typ av organisation", keys: KEY.enter },
      { expect: "Mall för diarienummer", keys: KEY.enter },
      { expect: "Svarstid i månader", keys: KEY.enter },
      { expect: "Vad vill du göra?", keys: KEY.up + KEY.enter }, // Avsluta avvik
    ]);
    expect(r.code).toBe(0);
    expect(r.screen).toContain("Avsluta avvik");
    expect((await s.cliJson(["org", "list"]))[0]).toMatchObject({ id: "linkopings-kommun", name: "Linköpings kommun", kind: "municipality" });
  });
});
