import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("init and the directory", () => {
  it("initialises once and refuses a second init", async () => {
    s = sandbox();
    const r = await s.cliJson(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun", "--diary-format", "VOK {year}-{seq}"]);
    expect(r.diaryFormat).toBe("VOK {year}-{seq}");
    const again = await s.cli(["init", "--org-id", "x", "--org-name", "X"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/redan initierat/);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("tells the user to run init first", async () => {
    s = sandbox();
    const r = await s.cli(["case", "list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/avvik init/);
  });

  it("loads the Östergötland directory with the coordinator's postal address", async () => {
    s = linkoping();
    const orgs = await s.cliJson(["org", "list"]);
    const coordinator = orgs.find((o: any) => o.id === "ro-ps-oster");
    expect(coordinator.parentId).toBe("region-ostergotland");
    expect(coordinator.address).toContain("Box 905");
    expect(coordinator.address).toContain("612 25 Finspång");
    const contacts = await s.cliJson(["contact", "list", "--org", "linkoping"]);
    expect(contacts.map((c: any) => c.role).sort()).toEqual(["ma", "mas", "registrar", "sas"]);
    // loading again changes nothing
    const again = await s.cliJson(["org", "import", "ostergotland"]);
    expect(again).toMatchObject({ created: 0, updated: 0, contacts: 0 });
  });
});

describe("cases and the register", () => {
  it("registers an outgoing case with the counterpart's deadline and its first diary document", async () => {
    s = linkoping();
    const c = await s.cliJson(outgoingCase(["--ref", "treserva:991", "--person", "19121212-1212:Tolvan Tolvansson"]));
    expect(c.diaryNumber).toBe("2026-000001");
    expect(c.status).toBe("registered");
    expect(c.dueDate).toBe("2026-06-02"); // discovered 2026-03-02 + 3 months (Region Östergötland)
    expect(c.counterpart).toEqual({ id: "region-ostergotland", name: "Region Östergötland" });
    expect(c.unit.id).toBe("ro-viss");
    expect(c.refs).toEqual([{ system: "treserva", id: "991" }]);
    expect(c.persons).toEqual(["19121212-****"]);
    expect(c.documents).toHaveLength(1);
    expect(c.documents[0]).toMatchObject({ number: "2026-000001:1", direction: "out", party: "Region Östergötland" });
    expect(JSON.stringify(c)).not.toContain("Tolvan");

    const text = await s.cli(["case", "show", "2026-000001"]);
    expect(text.stdout).toContain("19121212-****");
    expect(text.stdout).toContain("T. T.");
    expect(text.stdout).not.toContain("1212-1212");
    expect(text.stdout).not.toContain("Tolvansson");
  });

  it("prints the diary number and accepts every kind of reference", async () => {
    s = linkoping();
    const r = await s.cli(outgoingCase(["--ref", "synergi:45678"]));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2026-000001");
    for (const ref of ["2026-000001", "1", "synergi:45678", "SYNERGI:45678", "2026-000001:1"]) {
      expect((await s.cliJson(["case", "show", ref])).id).toBe(1);
    }
    const missing = await s.cli(["case", "show", "2026-000099"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Inget ärende matchar '2026-000099'/);
  });

  it("numbers without gaps and restarts the sequence each year", async () => {
    s = linkoping();
    for (let i = 0; i < 3; i++) await s.cliJson(outgoingCase());
    const next = await s.cliJson(outgoingCase(), { env: { AVVIK_NOW: "2027-01-02T08:00:00" } });
    expect(next.diaryNumber).toBe("2027-000001");
    const numbers = (await s.cliJson(["case", "list"])).map((c: any) => c.diaryNumber);
    expect(numbers).toEqual(["2026-000001", "2026-000002", "2026-000003", "2027-000001"]);
    expect((await s.cliJson(["diary", "list", "--year", "2026"])).map((d: any) => d.number)).toEqual(["2026-000001:1", "2026-000002:1", "2026-000003:1"]);
  });

  it("uses the configured diary format", async () => {
    s = sandbox();
    await s.cliJson(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun", "--diary-format", "KS/{year}/{seq:4}"]);
    await s.cliJson(["org", "import", "ostergotland"]);
    expect((await s.cliJson(outgoingCase())).diaryNumber).toBe("KS/2026/0001");
    expect((await s.cliJson(["diary", "add", "KS/2026/0001", "--direction", "internal", "--subject", "Tjänsteanteckning"])).number).toBe("KS/2026/0001:2");
  });

  it("refuses bad input with one line, the right exit code and no change", async () => {
    s = linkoping();
    const cases: Array<[string[], number, RegExp]> = [
      [outgoingCase(["--kind", "olycka"]), 2, /--kind: 'olycka' är okänt/],
      [outgoingCase(["--event-date", "2026-02-30"]), 2, /--event-date: '2026-02-30' är inget giltigt datum/],
      [outgoingCase(["--person", "19121212-1213"]), 2, /fel kontrollsiffra/],
      [outgoingCase(["--ref", "45678"]), 2, /SYSTEM:ID/],
      [outgoingCase(["--counterpart", "okand"]), 1, /Organisationen 'okand' finns inte/],
      [outgoingCase(["--counterpart", "linkoping"]), 1, /egna organisationen/],
      [outgoingCase(["--unit", "norrkoping"]), 1, /hör inte till motparten/],
      [outgoingCase(["--event-date", "2026-03-05"]), 1, /efter upptäcktsdatum/],
      [outgoingCase(["--summary", "Gäller 19121212-1212"]), 1, /personnummer/],
      [["case", "new", "--direction", "out"], 2, /^--counterpart, --event-date, --discovered-date, --kind, --area och --summary saknas/],
      [["case", "frobnicate"], 2, /Okänt kommando 'frobnicate'/],
      [["case", "list", "--bogus"], 2, /Okänd flagga '--bogus'/],
    ];
    for (const [args, code, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(await s.cliJson(["diary", "list"])).toEqual([]);
  });

  it("speaks English with --lang en", async () => {
    s = linkoping();
    const r = await s.cli([...outgoingCase(), "--lang", "en"]);
    expect(r.stdout).toMatch(/Registered: 2026-000001 \(outgoing, Region Östergötland\)\. Answer due 2026-06-02/);
    const bad = await s.cli(["case", "show", "nope"], { env: { AVVIK_LANG: "en" } });
    expect(bad.stderr).toMatch(/No case matches 'nope'/);
  });
});

describe("workflow", () => {
  it("moves an outgoing case through its steps and refuses nonsense with the allowed steps", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const early = await s.cli(["case", "status", "2026-000001", "answered"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/Tillåtna nästa steg: skickat/);
    for (const status of ["sent", "answered", "followed_up"]) expect((await s.cliJson(["case", "status", "2026-000001", status])).status).toBe(status);
    expect((await s.cliJson(["case", "close", "2026-000001"])).status).toBe("closed");
    const twice = await s.cli(["case", "close", "2026-000001"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/är redan avslutat\. Tillåtna nästa steg: inga/);
    const badStatus = await s.cli(["case", "status", "2026-000001", "done"]);
    expect(badStatus.code).toBe(2);
  });

  it("assigns an incoming case to a manager, records answers, and keeps the audit trail", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const assigned = await s.cliJson(["case", "assign", "2026-000001", "--to", "sara.nilsson@linkoping.example"]);
    expect(assigned.status).toBe("assigned");
    expect(assigned.assignee).toMatchObject({ name: "Sara Nilsson", role: "manager" });
    const ambiguous = await s.cli(["case", "assign", "2026-000001", "--to", "a"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/flera kontakter/);
    await s.cliJson(["case", "status", "2026-000001", "investigating"]);
    const updated = await s.cliJson(["case", "update", "2026-000001", "--severity", "gul", "--causes", "Rutinen följdes inte", "--actions", "Checklista införd", "--ref", "synergi:45678"]);
    expect(updated).toMatchObject({ severity: "gul", causes: "Rutinen följdes inte", actions: "Checklista införd" });
    expect(updated.changed).toEqual(["severity", "causes", "actions", "ref:synergi"]);
    await s.cliJson(["case", "status", "2026-000001", "answered"]);
    await s.cliJson(["diary", "add", "2026-000001", "--direction", "out", "--subject", "Svar till Region Östergötland", "--party", "Region Östergötland"]);
    const audit = await s.cliJson(["audit", "list", "--case", "2026-000001"]);
    expect(audit.map((e: any) => e.action)).toEqual([
      "case.new", "case.diarise", "diary.add", "mail.queue", "case.assign", "case.status", "case.status", "case.update", "case.status", "diary.add",
    ]);
    expect(audit.every((e: any) => e.user === "test")).toBe(true);
    const refused = await s.cli(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Svar om 19121212-1212"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--subject innehåller ett personnummer/);
  });

  it("lists what is overdue and what is due soon", async () => {
    s = linkoping({ now: "2026-03-10T09:00:00" });
    await s.cliJson(outgoingCase()); // due 2026-06-02
    await s.cliJson(outgoingCase(["--discovered-date", "2026-03-05"])); // due 2026-06-05
    await s.cliJson(incomingCase()); // due 2026-05-21
    const later = { env: { AVVIK_NOW: "2026-06-03T09:00:00" } };
    expect((await s.cliJson(["case", "list", "--overdue"], later)).map((c: any) => c.diaryNumber)).toEqual(["2026-000003", "2026-000001"]);
    expect((await s.cliJson(["case", "list", "--due-within", "2"], later)).map((c: any) => c.diaryNumber)).toEqual(["2026-000002"]);
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    await s.cliJson(["case", "status", "2026-000001", "answered"]);
    expect((await s.cliJson(["case", "list", "--overdue"], later)).map((c: any) => c.diaryNumber)).toEqual(["2026-000003"]);
    const shown = await s.cliJson(["case", "show", "2026-000003"], later);
    expect(shown.overdue).toBe(true);
  });
});

describe("several processes at once", () => {
  it("gives unique, gap-free numbers when processes register at the same time", async () => {
    s = linkoping();
    const perProcess = 12;
    const processes = 4;
    // Each process registers its cases one after another, each command opening and closing the register as a
    // process of its own does; without a process start between them, the four write at the same time more often.
    const runs = await Promise.all(
      Array.from({ length: processes }, () => s.spawnSeries(Array.from({ length: perProcess }, () => [...outgoingCase(), "--json"]))),
    );
    const all = runs.flat();
    expect(all.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const numbers = all.map((r) => JSON.parse(r.stdout).diaryNumber).sort();
    const expected = Array.from({ length: perProcess * processes }, (_, i) => `2026-${String(i + 1).padStart(6, "0")}`);
    expect(numbers).toEqual(expected);
  });
});
