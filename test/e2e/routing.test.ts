// Where a packet goes: the counterpart's postal recipient for deviations (both directions) before the unit's
// and the counterpart's own address; the unit concerned named in the letter; every line of the address in the
// envelope window, or the packet refused; a right-hand window; the letter signed with a contact.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";
import { linesIn, pdfPages, textItems } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** The V2 left window of templates/letters/common.json: 22 × 50 mm, 85 × 35 mm. */
const LEFT_WINDOW = { x: 22, y: 50, w: 85, h: 35 };
const FINSPANG = ["Region Östergötland", "Patientsäkerhetssamordnare", "Utvecklingsenheten", "Närsjukvården i Finspång", "Box 905", "612 25 Finspång"];

async function addressBlock(file: string, box = LEFT_WINDOW): Promise<string[]> {
  return linesIn(await textItems(file, 1), box);
}

function outCase(unit: string | null, counterpart = "region-ostergotland", extra: string[] = []): string[] {
  const args = outgoingCase(extra);
  const at = args.indexOf("--unit");
  args.splice(at, 2, ...(unit ? ["--unit", unit] : []));
  args[args.indexOf("--counterpart") + 1] = counterpart;
  return args;
}

describe("routing of packets", () => {
  it("sends Östergötland's deviations to the east coordinator in both directions and names the unit concerned", async () => {
    s = linkoping();
    // outgoing, naming a hospital unit without an address of its own
    await s.cliJson(outCase("ro-viss", "region-ostergotland", ["--ref", "synergi:45678"]));
    const a = await s.cliJson(["packet", "2026-000001", "-o", "a.pdf"]);
    expect(await addressBlock(a.file)).toEqual(FINSPANG);
    const letter = (await pdfPages(a.file))[0]!;
    expect(letter).toContain("Berörd enhet: Vrinnevisjukhuset, medicinkliniken");
    expect((await s.cliJson(["case", "show", "2026-000001"])).documents[1].party).toBe("Patientsäkerhetssamordnare östra länsdelen");
    // the unit concerned stays the hospital unit (the statistics count units, not the coordinator)
    expect((await s.cliJson(["case", "show", "2026-000001"])).unit.id).toBe("ro-viss");

    // outgoing without a unit
    await s.cliJson(outCase(null));
    const b = await s.cliJson(["packet", "2026-000002", "-o", "b.pdf"]);
    expect(await addressBlock(b.file)).toEqual(FINSPANG);
    expect((await pdfPages(b.file))[0]).not.toContain("Berörd enhet");

    // our answer to an incoming case from the region goes there too, signed by the manager who investigated
    await s.cliJson(incomingCase(["--ref", "synergi:777"]));
    await s.cliJson(["case", "assign", "2026-000003", "--to", "sara.nilsson@linkoping.example"]);
    await s.cliJson(["case", "update", "2026-000003", "--causes", "Överrapporteringen saknade läkemedelslistan.", "--actions", "Ny checklista vid hemgång."]);
    const c = await s.cliJson(["packet", "2026-000003", "-o", "c.pdf"]);
    expect(await addressBlock(c.file)).toEqual(FINSPANG);
    const answer = (await pdfPages(c.file))[0]!;
    expect(answer).not.toContain("581 91 Linköping");
    expect(answer).toContain("Berörd enhet: Hemtjänsten Ryd");
    expect(answer).toMatch(/Sara Nilsson\s*\n\s*Enhetschef, Hemtjänsten Ryd\s*\n\s*Linköpings kommun/);
    expect(answer).toContain("sara.nilsson@linkoping.example");
    expect(answer).not.toContain("Eva Registrator");
  });

  it("signs outgoing letters with the registrar from the directory, with a contact block and Dnr", async () => {
    s = linkoping();
    await s.cliJson(outCase("ro-viss"));
    const r = await s.cliJson(["packet", "2026-000001", "-o", "p.pdf"]);
    const letter = (await pdfPages(r.file))[0]!;
    expect(letter).toMatch(/Handläggare\s*\n\s*Eva Registrator, Registrator\s*\n\s*registrator\.vok@linkoping\.example/);
    expect(letter).toMatch(/Dnr\s*\n\s*2026-000001/);
    expect(letter).toMatch(/Eva Registrator\s*\n\s*Registrator\s*\n\s*Linköpings kommun\s*\n\s*E-post: registrator\.vok@linkoping\.example/);
  });

  it("uses the unit's own address, the counterpart's with the unit's name, or a private provider's", async () => {
    s = linkoping();
    expect((await s.cli(["org", "add", "--id", "nkpg-vikbo", "--name", "Hemsjukvården Vikbolandet", "--parent", "norrkoping", "--address", "Hemsjukvården Vikbolandet|Box 7|610 20 Kvarsebo"])).code).toBe(0);
    expect((await s.cli(["org", "add", "--id", "nkpg-hst", "--name", "Hemtjänsten Hageby", "--parent", "norrkoping"])).code).toBe(0);
    await s.cliJson(outCase("nkpg-vikbo", "norrkoping"));
    await s.cliJson(outCase("nkpg-hst", "norrkoping"));
    await s.cliJson(outCase(null, "omsorgshuset"));
    const own = await s.cliJson(["packet", "2026-000001", "-o", "own.pdf"]);
    expect(await addressBlock(own.file)).toEqual(["Norrköpings kommun", "Hemsjukvården Vikbolandet", "Box 7", "610 20 Kvarsebo"]);
    const central = await s.cliJson(["packet", "2026-000002", "-o", "central.pdf"]);
    expect(await addressBlock(central.file)).toEqual(["Norrköpings kommun", "Hemtjänsten Hageby", "Medicinskt ansvarig sjuksköterska", "Vård- och omsorgskontoret", "601 81 Norrköping"]);
    const priv = await s.cliJson(["packet", "2026-000003", "-o", "private.pdf"]);
    expect(await addressBlock(priv.file)).toEqual(["Omsorgshuset Vikbolandet AB", "Box 12", "610 24 Vikbolandet"]);
  });

  it("sets and clears the recipient with org add / org update and loads it from a directory file", async () => {
    s = linkoping();
    const orgs = await s.cliJson(["org", "list"]);
    expect(orgs.find((o: { id: string }) => o.id === "region-ostergotland").deviationRecipientId).toBe("ro-ps-oster");
    // the table says where a counterpart's post goes
    const table = (await s.cli(["org", "list"], { env: { COLUMNS: "160" } })).stdout.split("\n");
    expect(table[0]).toContain("Post om avvikelser till");
    expect(table.find((l) => l.startsWith("region-ostergotland"))).toMatch(/ro-ps-oster\s*$/);
    expect((await s.cli(["org", "update", "region-ostergotland", "--deviation-recipient", "ingen"])).code).toBe(0);
    expect((await s.cli(["org", "list"])).stdout).not.toContain("Post om avvikelser till");
    await s.cliJson(outCase("ro-viss"));
    const r = await s.cliJson(["packet", "2026-000001", "-o", "p.pdf"]);
    expect(await addressBlock(r.file)).toEqual(["Region Östergötland", "Vrinnevisjukhuset, medicinkliniken", "581 91 Linköping"]);
    // a new counterpart whose deviations go to an existing organisation
    expect((await s.cli(["org", "add", "--id", "ro-vast", "--name", "Region Väst", "--kind", "region", "--address", "Region Väst|Box 1|400 00 Göteborg", "--deviation-recipient", "omsorgshuset"])).code).toBe(0);
    expect((await s.cliJson(["org", "list"])).find((o: { id: string }) => o.id === "ro-vast").deviationRecipientId).toBe("omsorgshuset");
    const bad = await s.cli(["org", "update", "ro-vast", "--deviation-recipient", "finns-inte"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    // loading the directory again puts the coordinator back
    expect((await s.cli(["org", "import", "ostergotland"])).code).toBe(0);
    expect((await s.cliJson(["org", "list"])).find((o: { id: string }) => o.id === "region-ostergotland").deviationRecipientId).toBe("ro-ps-oster");
  });
});

describe("the address block", () => {
  it("keeps a long address whole (smaller, down to the floor) and refuses one that cannot fit", async () => {
    s = linkoping();
    const eight = ["Omsorg i Norr AB", "Avdelning för kvalitet och patientsäkerhet", "Att: Avvikelsesamordnare", "Verksamhetsområde hemsjukvård", "Hus 4, plan 2", "Storgatan 12", "Box 4711", "123 45 Småstad"];
    expect((await s.cli(["org", "add", "--id", "lang", "--name", "Omsorg i Norr AB", "--kind", "private", "--address", eight.join("|")])).code).toBe(0);
    await s.cliJson(outCase(null, "lang"));
    const r = await s.cliJson(["packet", "2026-000001", "-o", "eight.pdf"]);
    const items = await textItems(r.file, 1);
    expect(linesIn(items, LEFT_WINDOW)).toEqual(eight);
    // all inside the window, no line below it
    for (const i of items.filter((x) => eight.includes(x.str))) {
      expect(i.yMm).toBeLessThanOrEqual(LEFT_WINDOW.y + LEFT_WINDOW.h);
      expect(i.sizePt).toBeGreaterThanOrEqual(8);
    }

    const fourteen = Array.from({ length: 14 }, (_, i) => `Rad ${i + 1}`);
    expect((await s.cli(["org", "add", "--id", "orimlig", "--name", "Orimlig AB", "--kind", "private", "--address", fourteen.join("|")])).code).toBe(0);
    await s.cliJson(outCase(null, "orimlig"));
    const refused = await s.cli(["packet", "2026-000002", "-o", "refused.pdf"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Orimlig AB \(orimlig\).*kuvertfönstret.*Rad 1 \| Rad 2/);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(s.home, "refused.pdf"))).toBe(false);
    const c = await s.cliJson(["case", "show", "2026-000002"]);
    expect(c.status).toBe("registered");
    expect(c.documents).toHaveLength(1);
  });

  it("supports a right-hand (H2) window by moving the reference block, and refuses a window setting that fits nowhere", async () => {
    s = linkoping();
    const common = JSON.parse(readFileSync(join(ROOT, "templates", "letters", "common.json"), "utf8"));
    const dir = join(s.home, "data", "templates", "letters");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "common.json"), JSON.stringify({ ...common, window: { ...common.window, side: "right", leftMm: 110, topMm: 50 } }));
    await s.cliJson(outCase("ro-viss", "region-ostergotland", ["--ref", "synergi:45678"]));
    const r = await s.cliJson(["packet", "2026-000001", "-o", "h2.pdf"]);
    const items = await textItems(r.file, 1);
    expect(linesIn(items, { x: 110, y: 50, w: 85, h: 35 })).toEqual(FINSPANG);
    // the reference block at the left, under the sender, clear of the window
    const dnr = items.find((i) => i.str === "2026-000001" && i.yMm < 100)!;
    expect(dnr.xMm).toBeLessThan(30);
    expect(dnr.yMm).toBeGreaterThan(40);
    expect(linesIn(items, { x: 0, y: 0, w: 108, h: 100 })).not.toContain("Box 905");

    writeFileSync(join(dir, "common.json"), JSON.stringify({ ...common, window: { ...common.window, side: "right", leftMm: 60 } }));
    const bad = await s.cli(["packet", "2026-000001", "-o", "bad.pdf"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Fönsterinställningen/);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});
