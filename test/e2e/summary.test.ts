// The morning summary (what it lists, that it remembers the last run, no personal data) and double
// reporting with near misses that must not pair.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";

const PERSON = "19121212-1212:Tolvan Tolvansson";
const OTHER_PERSON = "19800101-1231:Per Persson";

function out(event: string, discovered: string, extra: string[] = []): string[] {
  return [
    "case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-ps-oster",
    "--event-date", event, "--discovered-date", discovered, "--kind", "tillbud", "--area", "lakemedel",
    "--summary", "Utskriven från sjukhus utan läkemedelslista", ...extra,
  ];
}

async function must(s: Sandbox, args: string[], now: string): Promise<string> {
  const r = await s.cli(args, { env: { AVVIK_NOW: now } });
  if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stderr;
}

const numbers = (list: Array<{ diaryNumber: string }>) => list.map((c) => c.diaryNumber);

describe("the morning summary", () => {
  let s: Sandbox;
  const at = (time: string) => ({ env: { AVVIK_NOW: `2026-04-20T${time}` } });

  beforeAll(async () => {
    s = linkoping({ now: "2026-03-01T08:00:00" });
    // 1: sent, due 2026-04-02: overdue on the 20th and waiting for the region's answer
    await must(s, out("2026-01-01", "2026-01-02"), "2026-03-01T09:00:00");
    await must(s, ["case", "status", "2026-000001", "sent"], "2026-03-01T09:10:00");
    // 2: incoming for the home care unit, assigned to its manager, due 2026-05-01 (within 14 days of the 20th)
    await must(
      s,
      ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd", "--event-date", "2026-01-31",
        "--discovered-date", "2026-02-01", "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering", "--person", PERSON],
      "2026-03-02T09:00:00",
    );
    await must(s, ["case", "assign", "2026-000002", "--to", "sara.nilsson@linkoping.example"], "2026-03-02T09:10:00");
    // 3: answered: in no list
    await must(s, out("2026-02-14", "2026-02-15", ["--area", "bemotande", "--summary", "Bemötande vid telefonkontakt"]), "2026-03-03T09:00:00");
    await must(s, ["case", "status", "2026-000003", "sent"], "2026-03-03T09:10:00");
    await must(s, ["case", "status", "2026-000003", "answered"], "2026-03-20T09:00:00");
    // 4: sent, due 2026-07-10: only waiting for the answer
    await must(s, out("2026-04-09", "2026-04-10", ["--area", "planering", "--summary", "Vårdplanering utan kallelse"]), "2026-04-12T09:00:00");
    await must(s, ["case", "status", "2026-000004", "sent"], "2026-04-12T09:10:00");
    // 5: registered yesterday, not yet sent, due 2026-07-15
    await must(s, out("2026-04-14", "2026-04-15", ["--area", "omvardnad", "--summary", "Trycksår vid ankomst"]), "2026-04-19T15:00:00");
  });
  afterAll(() => s?.cleanup());

  it("lists new, overdue, soon due and waiting cases, and remembers the run", async () => {
    const first = await s.cliJson(["summary"], at("07:00:00"));
    expect(Object.keys(first)).toEqual(expect.arrayContaining(["date", "newCases", "overdue", "dueSoon", "awaitingReply"]));
    expect(first.date).toBe("2026-04-20");
    expect(first.since).toBe("2026-04-19"); // never ran: from yesterday
    expect(numbers(first.newCases)).toEqual(["2026-000005"]);
    expect(numbers(first.overdue)).toEqual(["2026-000001"]);
    expect(numbers(first.dueSoon)).toEqual(["2026-000002"]);
    expect(numbers(first.awaitingReply)).toEqual(["2026-000001", "2026-000004"]);
    expect(first.dueSoon[0]).toMatchObject({ daysLeft: 11, assignee: { name: "Sara Nilsson" }, unit: { id: "linkoping-hemtjanst-ryd" } });

    // the next run starts where this one ended
    const second = await s.cliJson(["summary"], at("07:05:00"));
    expect(second.since).toMatch(/^2026-04-20T07:00:00/);
    expect(second.newCases).toEqual([]);
    expect(numbers(second.overdue)).toEqual(["2026-000001"]);

    // --peek shows without moving the mark; --format json is the same as --json
    await must(s, out("2026-04-19", "2026-04-19", ["--area", "ovrigt", "--summary", "Hjälpmedel saknades"]), "2026-04-20T07:10:00");
    const peek = JSON.parse((await s.cli(["summary", "--format", "json", "--peek"], at("07:15:00"))).stdout);
    expect(numbers(peek.newCases)).toEqual(["2026-000006"]);
    expect(numbers((await s.cliJson(["summary"], at("07:20:00"))).newCases)).toEqual(["2026-000006"]);
    expect((await s.cliJson(["summary"], at("07:25:00"))).newCases).toEqual([]);

    // --since and --due-days
    const wide = await s.cliJson(["summary", "--since", "2026-03-01", "--due-days", "89", "--peek"], at("07:30:00"));
    expect(numbers(wide.newCases)).toEqual(["2026-000001", "2026-000002", "2026-000003", "2026-000004", "2026-000005", "2026-000006"]);
    expect(numbers(wide.dueSoon)).toEqual(["2026-000002", "2026-000004", "2026-000005"]);
  });

  it("holds no personal data and groups by responsible person or unit in text", async () => {
    const json = await s.cli(["summary", "--json", "--since", "2026-01-01", "--peek"], at("08:00:00"));
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(/"persons"|1212|Tolvan|T\. T\./);
    const text = await s.cli(["summary", "--since", "2026-01-01", "--peek"], at("08:00:00"));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Avvikelser i samverkan – sammanfattning 2026-04-20");
    expect(text.stdout).toContain("Sara Nilsson <sara.nilsson@linkoping.example>");
    expect(text.stdout).toContain("Enhet: Patientsäkerhetssamordnare östra länsdelen");
    expect(text.stdout).toMatch(/Försenade – svarstiden har gått ut \(1\)\n.*\n\s+2026-000001 .*18 dagar försenad/);
    expect(text.stdout).toContain("Väntar på svar från motparten (2)");
    expect(text.stdout).not.toMatch(/1212|Tolvan/);
    const en = await s.cli(["summary", "--peek", "--lang", "en"], at("08:00:00"));
    expect(en.stdout).toContain("Deviations in collaboration – summary 2026-04-20");
  });

  it("mails the summary through the outbox, without personal data, and still prints it", async () => {
    const r = await s.cli(["summary", "--email", "mas"], at("09:00:00"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Avvikelser i samverkan – sammanfattning 2026-04-20");
    expect(r.stderr).toMatch(/lagd i utkorgen som meddelande \d+ till mas@linkoping\.example/);
    expect(r.stderr).toMatch(/är sparat som .*\.eml; inget har skickats \(ingen e-postserver inställd\)/);
    const sent = join(s.home, "data", "outbox", "sent");
    const files = readdirSync(sent).filter((f) => f.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(sent, files[0]!), "utf8");
    expect(eml).toMatch(/^To: .*mas@linkoping\.example/m);
    expect(eml).toContain("2026-000001");
    expect(eml).toContain("2026-000002");
    expect(eml).not.toMatch(/1212-?1212|Tolvan|Tolvansson/);
    const outbox = await s.cliJson(["outbox", "list"]);
    expect(outbox.at(-1)).toMatchObject({ status: "sent", to: "mas@linkoping.example" });
    const unknown = await s.cli(["summary", "--email", "coordinator"], at("09:05:00"));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Ingen kontakt med rollen patientsäkerhetssamordnare/);
    expect((await s.cli(["summary", "--email", "ingen-adress"], at("09:05:00"))).code).toBe(2);
    expect((await s.cli(["summary", "--format", "xml"], at("09:00:00"))).code).toBe(2);
  });
});

describe("double reporting", () => {
  let s: Sandbox;
  const now = { env: { AVVIK_NOW: "2026-03-20T09:00:00" } };

  beforeAll(() => {
    s = linkoping({ now: "2026-03-20T08:00:00" });
  });
  afterAll(() => s?.cleanup());

  it("pairs the same event and leaves the near misses alone", async () => {
    expect((await s.cli(out("2026-03-01", "2026-03-01", ["--person", PERSON]), now)).code).toBe(0); // 1
    const nearMisses: string[][] = [
      out("2026-03-10", "2026-03-10", ["--person", PERSON]), // 2: the same person nine days later
      ["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-01",
        "--kind", "tillbud", "--area", "lakemedel", "--summary", "Utskriven från sjukhus utan läkemedelslista", "--person", PERSON], // 3: other providers
      out("2026-03-01", "2026-03-01", ["--person", OTHER_PERSON]), // 4: another person
      out("2026-03-02", "2026-03-02", ["--person", PERSON, "--area", "bemotande", "--summary", "Otrevligt bemötande i telefon"]), // 5: nothing else alike
    ];
    for (const args of nearMisses) {
      const r = await s.cli(args, now);
      expect(r.code).toBe(0);
      expect(r.stderr, args.join(" ")).toBe("");
    }
    // 6: nobody named, but the same area, a similar text and two days apart
    const r = await s.cli(out("2026-03-03", "2026-03-03", ["--summary", "Hemkomst från sjukhuset utan läkemedelslista"]), now);
    expect(r.stderr).toContain("Ärendet liknar 2026-000001");
    // 7: the region's own report of event 1, same person
    const region = await s.cli(
      ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--event-date", "2026-02-28", "--discovered-date", "2026-03-01",
        "--kind", "skada", "--area", "information", "--summary", "Patient utskriven utan läkemedelslista", "--person", PERSON],
      now,
    );
    expect(region.stderr).toContain("Ärendet liknar 2026-000001 (samma person");

    const pairs = await s.cliJson(["duplicates"], now);
    expect(pairs.map((p: any) => [p.a, p.b])).toEqual([
      ["2026-000001", "2026-000006"],
      ["2026-000001", "2026-000007"],
      ["2026-000004", "2026-000006"], // 6 names nobody, so another person's case of that day may be the same event
    ]);
    expect(pairs[0].reasons).toEqual(["closeDates", "sameProviders", "sameArea", "similarText"]);
    expect(pairs[1].reasons).toEqual(["samePerson", "closeDates", "sameProviders", "similarText"]);
    expect(JSON.stringify(pairs)).not.toMatch(/1212|Tolvan/);
    // For a period: the pairs with a case registered in it (all of these were registered on 2026-03-20).
    expect(await s.cliJson(["duplicates", "--period", "2026H1"], now)).toEqual(pairs);
    expect(await s.cliJson(["duplicates", "--from", "2026-03-20", "--to", "2026-03-20"], now)).toEqual(pairs);
    expect(await s.cliJson(["duplicates", "--from", "2026-03-21", "--to", "2026-12-31"], now)).toEqual([]);
    expect((await s.cli(["duplicates", "--period", "2026H3"], now)).code).toBe(2);
    const text = await s.cli(["duplicates"], now);
    expect(text.stdout).toMatch(/2026-000001\s+2026-000007\s+samma person, händelsedatum inom 3 dagar, samma vårdgivare, liknande text/);
  });

  it("links with --duplicate-of, refuses a link to itself, and unlinks with none", async () => {
    expect((await s.cliJson(["case", "update", "2026-000007", "--duplicate-of", "2026-000001"], now)).duplicateOf).toBe("2026-000001");
    expect((await s.cliJson(["case", "update", "2026-000006", "--duplicate-of", "2026-000001"], now)).duplicateOf).toBe("2026-000001");
    expect(await s.cliJson(["duplicates"], now)).toEqual([]);
    const self = await s.cli(["case", "update", "2026-000001", "--duplicate-of", "2026-000007"], now);
    expect(self.code).toBe(1); // 7 is a duplicate of 1: the link would lead back to 1
    expect(self.stderr).toMatch(/dubblett av sig självt/);
    expect((await s.cli(["case", "update", "2026-000001", "--duplicate-of", "2026-000001"], now)).code).toBe(1);
    expect((await s.cliJson(["case", "update", "2026-000006", "--duplicate-of", "none"], now)).duplicateOf).toBeNull();
    expect((await s.cliJson(["duplicates"], now)).map((p: any) => [p.a, p.b])).toEqual([
      ["2026-000001", "2026-000006"],
      ["2026-000004", "2026-000006"],
    ]);
    expect((await s.cliJson(["stats", "--period", "2026H1"], now)).total).toBe(6); // 7 cases, one linked
  });
});
