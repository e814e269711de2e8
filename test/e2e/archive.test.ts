// Section 8 of the CLI contract: `archive export`, the closed cases delivered to the e-archive as one E-ARK SIP
// (CSIP 2.1.0 + SIP 2.1.0, FGS Paketstruktur 2.0) whose ERMS document is validated here against the official
// ERMS.xsd (test/fixtures/erms/, also ERMS_v3.xsd) and whose METS.xml against METS 1.12 with the CSIP
// extension, with xmllint (libxml2 compiled to WebAssembly); every checksum in METS is recomputed from the file.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { incomingCase, linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";
import { filesUnder, scan } from "../helpers/protection.js";
import { xmp } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const ERMS_FIXTURES = join(ROOT, "test", "fixtures", "erms");
const SHIPPED = join(ROOT, "schemas");
const reply = (name: string) => join(ROOT, "fixtures", "replies", name);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const oneLine = (text: string) => expect(text.trim().split("\n")).toHaveLength(1);
const TOLVAN = "19121212-1212";
const TOLVAN_NAME = "Tolvan Tolvansson";
const OWNER = "sara.nilsson@linkoping.example";

async function validErms(xml: string, schema: "ERMS.xsd" | "ERMS_v3.xsd"): Promise<string[]> {
  const r = await validateXML({ xml: { fileName: "ERMS.xml", contents: xml }, schema: { fileName: schema, contents: readFileSync(join(ERMS_FIXTURES, schema), "utf8") } });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}

/** METS.xml against the package's own copies of mets.xsd, its XLink schema and the CSIP extension (no network). */
async function validMets(xml: string, schemas: string): Promise<string[]> {
  const wrapper = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:avvik:test">
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>
  <xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS" schemaLocation="DILCISExtensionMETS.xsd"/>
</xs:schema>`;
  // mets.xsd imports XLink from the Library of Congress by URL; the package carries that schema as xlink.xsd.
  const mets = readFileSync(join(schemas, "mets.xsd"), "utf8").replace("http://www.loc.gov/standards/xlink/xlink.xsd", "xlink.xsd");
  const r = await validateXML({
    xml: { fileName: "METS.xml", contents: xml },
    schema: { fileName: "wrapper.xsd", contents: wrapper },
    preload: [
      { fileName: "mets.xsd", contents: mets },
      { fileName: "xlink.xsd", contents: readFileSync(join(schemas, "xlink.xsd"), "utf8") },
      { fileName: "DILCISExtensionMETS.xsd", contents: readFileSync(join(schemas, "DILCISExtensionMETS.xsd"), "utf8") },
    ],
  });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}

/**
 * The rules of the official Schematron (erms.sch, DILCIS Board) beside the XSD: an attribute value "other" (and
 * its variants) must come with the attribute that says which. Checked on every start tag.
 */
function schematron(xml: string): string[] {
  const rules: Array<[string, string, string]> = [
    ["aggregationType", "own_aggregation_definition", "otherAggregationType"],
    ["dateType", "other", "otherDateType"],
    ["directionDefinition", "other", "otherDirectionDefinition"],
    ["agentType", "other", "otherAgentType"],
    ["restrictionType", "other_type", "otherRestrictionType"],
    ["relationType", "own_relation_definition", "otherRelationType"],
  ];
  const wrong: string[] = [];
  for (const tag of xml.match(/<[A-Za-z][^>]*>/g) ?? []) {
    for (const [attr, value, other] of rules) {
      if (new RegExp(`\\b${attr}="${value}"`, "i").test(tag) && !new RegExp(`\\b${other}="[^"]*\\S[^"]*"`).test(tag)) wrong.push(tag);
    }
  }
  return wrong;
}

interface MetsFileEntry {
  href: string;
  size: number;
  checksum: string;
  type: string;
  mime: string;
}

function metsFiles(xml: string): MetsFileEntry[] {
  return [...xml.matchAll(/<file ([^>]*)>\s*<FLocat ([^>]*)\/>/g)].map((m) => {
    const attr = (text: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1] ?? "";
    return { href: attr(m[2]!, "xlink:href"), size: Number(attr(m[1]!, "SIZE")), checksum: attr(m[1]!, "CHECKSUM"), type: attr(m[1]!, "CHECKSUMTYPE"), mime: attr(m[1]!, "MIMETYPE") };
  });
}

/** The ERMS aggregation (or record) elements by their objectId. */
function elements(xml: string, name: "aggregation" | "record"): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(new RegExp(`<${name} [^>]*>[\\s\\S]*?</${name}>`, "g"))) {
    const id = /<objectId>([^<]*)<\/objectId>/.exec(m[0])![1]!;
    if (!out.has(id)) out.set(id, m[0]);
  }
  return out;
}

async function close(sb: Sandbox, ref: string, steps: string[], at = "2026-03-20T10:00:00"): Promise<void> {
  for (const st of steps) await sb.cliJson(["case", "status", ref, st], { env: { AVVIK_NOW: at } });
}
const OUT_STEPS = ["sent", "answered", "followed_up", "closed"];
const IN_STEPS = ["assigned", "investigating", "answered", "followed_up", "closed"];

/**
 * Four cases: 2026-000001 (out, with a packet, a scanned answer, a secret entry and a voided one, closed
 * 2026-03-20), 2026-000002 (in, closed 2026-03-20), 2026-000003 (open), 2026-000004 (closed 2026-04-10).
 */
async function register(sb: Sandbox): Promise<void> {
  await sb.cliJson(outgoingCase(["--ref", "synergi:45678", "--person", `${TOLVAN}:${TOLVAN_NAME}`]));
  await sb.cliJson(incomingCase());
  await sb.cliJson(outgoingCase());
  await sb.cliJson(outgoingCase());
  await sb.cliJson(["packet", "2026-000001"]); // :2, PDF/A, no personal data: stored as it is
  await sb.cliJson(["reply", "attach", reply("hand-ert-dnr.pdf")]); // :3, received: stored encrypted
  await sb.cliJson(["diary", "add", "2026-000001", "--direction", "in", "--subject", "Journalkopia", "--party", "Vårdcentralen Ryd", "--secret", "25 kap. 1 § OSL"]); // :4
  await sb.cliJson(["diary", "add", "2026-000001", "--direction", "internal", "--subject", "Felaktig anteckning"]); // :5
  await sb.cliJson(["diary", "void", "2026-000001:5", "--reason", "Diarieförd i fel ärende"]);
  await sb.cliJson(["case", "update", "2026-000001", "--severity", "gul", "--causes", "Rutinen följdes inte", "--actions", "Checklista"]);
  await sb.cliJson(["action", "add", "2026-000001", "--text", "Checklista vid utskrivning", "--owner", OWNER, "--due", "2026-04-15"]);
  await sb.cliJson(["action", "done", "1"]);
  await close(sb, "2026-000001", ["followed_up", "closed"]);
  await close(sb, "2026-000002", IN_STEPS);
  await close(sb, "2026-000004", OUT_STEPS, "2026-04-10T10:00:00");
}

describe("archive export", () => {
  it("writes one SIP: METS.xml valid with SHA-256 of every file, ERMS valid against ERMS.xsd, the closed cases as aggregations; marks them delivered", async () => {
    s = linkoping();
    await register(s);
    const r = await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans"]);
    const dir = join(s.home, "leverans");
    expect(r).toMatchObject({ dir, cases: ["2026-000001", "2026-000002"], withPersonalData: false, withheld: 1 });

    // The package: every file but METS.xml is listed in METS with its size and SHA-256; nothing else lies there.
    const mets = readFileSync(join(dir, "METS.xml"), "utf8");
    expect(await validMets(mets, join(dir, "schemas"))).toEqual([]);
    expect(mets).toContain('PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"');
    expect(mets).toContain('csip:OAISPACKAGETYPE="SIP"');
    expect(mets).toContain('csip:CONTENTINFORMATIONTYPE="citserms_v2_1"');
    const listed = metsFiles(mets);
    const onDisk = filesUnder(dir).map((f) => relative(dir, f)).filter((f) => f !== "METS.xml").sort();
    expect(listed.map((f) => f.href).sort()).toEqual(onDisk);
    for (const f of listed) {
      const data = readFileSync(join(dir, f.href));
      expect(f.type).toBe("SHA-256");
      expect(f.checksum, f.href).toBe(sha256(data));
      expect(f.size, f.href).toBe(data.length);
    }
    expect(r.files.map((f: { path: string }) => f.path).sort()).toEqual([...onDisk, "METS.xml"].sort());
    expect(onDisk).toEqual(
      expect.arrayContaining([
        "documentation/LASMIG.txt",
        "representations/rep1/data/ERMS.xml",
        "representations/rep1/data/2026-000001/2026-000001_2.pdf",
        "schemas/ERMS.xsd",
        "schemas/mets.xsd",
        "schemas/xlink.xsd",
        "schemas/DILCISExtensionMETS.xsd",
      ]),
    );
    // The package's ERMS.xsd is the official one.
    expect(readFileSync(join(dir, "schemas", "ERMS.xsd")).equals(readFileSync(join(ERMS_FIXTURES, "ERMS.xsd")))).toBe(true);
    expect(readFileSync(join(SHIPPED, "ERMS.xsd")).equals(readFileSync(join(ERMS_FIXTURES, "ERMS.xsd")))).toBe(true);

    // ERMS: valid against the official schema (2.1.2) and against 3.0.2.
    const erms = readFileSync(join(dir, "representations/rep1/data/ERMS.xml"), "utf8");
    expect(await validErms(erms, "ERMS.xsd")).toEqual([]);
    expect(await validErms(erms, "ERMS_v3.xsd")).toEqual([]);
    expect(schematron(erms)).toEqual([]);
    expect(erms).toMatch(/agentType="other" otherAgentType="berörd enhet"/); // the rule has something to check
    const aggregations = elements(erms, "aggregation");
    expect([...aggregations.keys()]).toEqual(["2026-000001", "2026-000002"]);
    const a = aggregations.get("2026-000001")!;
    expect(a).toContain('aggregationType="caseFile"');
    expect(a).toContain('<extraId extraIdType="synergi">45678</extraId>');
    expect(a).toContain("<title>Utskriven från sjukhus utan läkemedelslista</title>");
    expect(a).toMatch(/<agent agentType="counterpart">\s*<name>Region Östergötland<\/name>/);
    expect(a).toContain('<date dateType="closed">2026-03-20T10:00:00');
    expect(a).toContain('<date dateType="other" otherDateType="discovered">2026-03-02T00:00:00</date>');
    expect(a).toContain("Orsaker: Rutinen följdes inte");
    expect(a).toMatch(/<action>\s*<actionText>Checklista vid utskrivning<\/actionText>\s*<actionDue>2026-04-15<\/actionDue>\s*<dates>\s*<actionDate dateType="finished">2026-03-10T09:00:00/);
    const records = elements(a, "record");
    expect([...records.keys()]).toEqual(["2026-000001:1", "2026-000001:2", "2026-000001:3", "2026-000001:4", "2026-000001:5"]);
    expect(records.get("2026-000001:2")).toMatch(/<direction directionDefinition="outgoing"\/>/);
    expect(records.get("2026-000001:2")).toContain('fileFormat="PDF/A-2b" path="2026-000001/2026-000001_2.pdf"');
    expect(records.get("2026-000001:3")).toMatch(/<direction directionDefinition="incoming"\/>/);
    expect(records.get("2026-000001:3")).toContain("kan innehålla personuppgifter");
    expect(records.get("2026-000001:3")).not.toContain("<appendix");
    expect(records.get("2026-000001:4")).toMatch(/<restriction restrictionType="confidential">[\s\S]*<regulation>25 kap\. 1 § OSL<\/regulation>/);
    expect(records.get("2026-000001:4")).toMatch(/<agent agentType="sender">\s*<name>Vårdcentralen Ryd<\/name>/);
    expect(records.get("2026-000001:5")).toContain('<status value="obliterated"/>');
    expect(records.get("2026-000001:5")).toContain("Diarieförd i fel ärende");
    expect(aggregations.get("2026-000002")).toMatch(/<direction directionDefinition="incoming"\/>/);

    // The packet avvik made is PDF/A-2b, copied byte for byte from the register.
    const packet = readFileSync(join(dir, "representations/rep1/data/2026-000001/2026-000001_2.pdf"));
    expect(xmp(packet)).toMatch(/pdfaid:part[^0-9]*2/);
    const stored = (await s.cliJson(["case", "show", "2026-000001"])).documents[1].file;
    expect(sha256(packet)).toBe(stored);

    // No personal data without --with-personal-data: no personnummer, no name, not the scanned answer.
    expect(scan(filesUnder(dir), [TOLVAN, TOLVAN.replace("-", ""), TOLVAN_NAME, "Tolvansson", "Sara Nilsson"])).toEqual([]);
    const answer = readFileSync(reply("hand-ert-dnr.pdf"));
    expect(filesUnder(dir).some((f) => readFileSync(f).equals(answer))).toBe(false);
    expect(readFileSync(join(dir, "documentation/LASMIG.txt"), "utf8")).toContain("Personuppgifter: ingår inte");

    // Delivered, audited; the others are not.
    const shown = await s.cliJson(["case", "show", "2026-000001"]);
    expect(shown.archived).toMatchObject({ package: r.package });
    expect(mets).toContain(`OBJID="${r.package}"`);
    expect((await s.cliJson(["case", "show", "2026-000003"])).archived).toBeNull();
    expect((await s.cliJson(["case", "show", "2026-000004"])).archived).toBeNull();
    const events = await s.cliJson(["audit", "list"]);
    expect(events.filter((e: { action: string }) => e.action === "archive.deliver").map((e: { diaryNumber: string }) => e.diaryNumber)).toEqual(["2026-000001", "2026-000002"]);
    expect(events.find((e: { action: string }) => e.action === "archive.export").details).toMatchObject({ package: r.package, cases: 2, withPersonalData: false, closedBefore: "2026-04-01" });
    expect((await s.cli(["audit", "verify"])).code).toBe(0);

    // A delivered case is not delivered again; its entries can no longer be voided.
    const again = await s.cli(["archive", "export", "--closed-before", "2026-04-01", "-o", "igen"]);
    expect(again.code).toBe(1);
    oneLine(again.stderr);
    expect(existsSync(join(s.home, "igen"))).toBe(false);
    const voided = await s.cli(["diary", "void", "2026-000001:4", "--reason", "Fel"]);
    expect(voided.code).toBe(1);
    expect(voided.stderr).toContain("e-arkivet");
    // The next delivery takes what closed later.
    expect((await s.cliJson(["archive", "export", "--closed-before", "2026-05-01", "-o", "nasta"])).cases).toEqual(["2026-000004"]);
  });

  it("with --with-personal-data: the persons and the scanned answer as received, 0600 in a 0700 folder, audited", async () => {
    s = linkoping();
    await register(s);
    const r = await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans", "--with-personal-data"]);
    const dir = join(s.home, "leverans");
    expect(r).toMatchObject({ withPersonalData: true, withheld: 0 });
    const erms = readFileSync(join(dir, "representations/rep1/data/ERMS.xml"), "utf8");
    expect(await validErms(erms, "ERMS.xsd")).toEqual([]);
    expect(schematron(erms)).toEqual([]);
    expect(erms).toMatch(new RegExp(`<name>${TOLVAN_NAME}</name>\\s*<idNumber idNumberType="personnummer">${TOLVAN}</idNumber>`));
    expect(erms).toMatch(/<agent agentType="responsible_person">\s*<name>Sara Nilsson<\/name>/);
    const answer = join(dir, "representations/rep1/data/2026-000001/2026-000001_3.pdf");
    expect(readFileSync(answer).equals(readFileSync(reply("hand-ert-dnr.pdf")))).toBe(true); // kept exactly as received
    expect(elements(erms, "record").get("2026-000001:3")).toContain("bevarad som den togs emot");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(answer).mode & 0o777).toBe(0o600);
    for (const f of metsFiles(readFileSync(join(dir, "METS.xml"), "utf8"))) expect(sha256(readFileSync(join(dir, f.href)))).toBe(f.checksum);
    const event = (await s.cliJson(["audit", "list"])).find((e: { action: string }) => e.action === "archive.export");
    expect(event.details).toMatchObject({ withPersonalData: true });
  });

  it("describes the classification of a matter (code and the scheme's name), still valid against both schemas", async () => {
    s = linkoping();
    await register(s);
    const scheme = join(s.home, "klassa.csv");
    writeFileSync(scheme, "kod;namn\n2.6;Hantera avvikelser\n2.6.1;Hantera avvikelser i samverkan\n");
    await s.cliJson(["classification", "import", scheme]);
    await s.cliJson(outgoingCase());
    await s.cliJson(["case", "update", "2026-000005", "--classification", "2.6.1"]);
    await close(s, "2026-000005", OUT_STEPS);
    await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans"]);
    const erms = readFileSync(join(s.home, "leverans/representations/rep1/data/ERMS.xml"), "utf8");
    expect(await validErms(erms, "ERMS.xsd")).toEqual([]);
    expect(await validErms(erms, "ERMS_v3.xsd")).toEqual([]);
    const a = elements(erms, "aggregation").get("2026-000005")!;
    expect(a).toContain('<classification classificationCode="2.6.1">Hantera avvikelser i samverkan</classification>');
    expect(elements(erms, "aggregation").get("2026-000001")).not.toContain("<classification");
  });

  it("refuses a folder that is not empty, one in the data directory, a missing or bad flag and an empty delivery; nothing is written or recorded", async () => {
    s = linkoping();
    await register(s);
    mkdirSync(join(s.home, "full"));
    writeFileSync(join(s.home, "full", "annat.txt"), "något annat");
    const auditBefore = (await s.cliJson(["audit", "list"])).length;
    for (const [args, code] of [
      [["archive", "export", "--closed-before", "2026-04-01", "-o", "full"], 1],
      [["archive", "export", "--closed-before", "2026-04-01", "-o", join(s.env.AVVIK_HOME!, "paket")], 1],
      [["archive", "export", "--closed-before", "2026-04-01", "-o", "saknas/paket"], 1],
      [["archive", "export", "-o", "paket"], 2],
      [["archive", "export", "--closed-before", "2026-04-01"], 2],
      [["archive", "export", "--closed-before", "1 april", "-o", "paket"], 2],
      [["archive", "export", "--closed-before", "2026-03-01", "-o", "paket"], 1],
    ] as const) {
      const r = await s.cli([...args]);
      expect(r.code, args.join(" ")).toBe(code);
      oneLine(r.stderr);
      expect(r.stderr).not.toMatch(/ENOENT|EEXIST|Error:|\bat .*\.js/);
      expect(r.stdout).toBe("");
    }
    expect(readdirSync(join(s.home, "full"))).toEqual(["annat.txt"]);
    expect(existsSync(join(s.home, "paket"))).toBe(false);
    expect(readdirSync(s.home).filter((n) => n.includes("tmp"))).toEqual([]);
    expect((await s.cliJson(["case", "show", "2026-000001"])).archived).toBeNull();
    expect((await s.cliJson(["audit", "list"])).length).toBe(auditBefore);
    // An empty folder that exists is taken.
    mkdirSync(join(s.home, "tom"));
    expect((await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "tom"])).cases).toHaveLength(2);
    expect(existsSync(join(s.home, "tom", "METS.xml"))).toBe(true);
  });

  it("leaves nothing half-written when a stored file no longer matches its checksum: no folder, no temporary folder, nothing recorded", async () => {
    s = linkoping();
    await register(s);
    const hash = (await s.cliJson(["case", "show", "2026-000001"])).documents[1].file as string;
    const storedFile = join(s.env.AVVIK_HOME!, "files", hash.slice(0, 2), hash);
    const bytes = readFileSync(storedFile);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(storedFile, bytes);
    const r = await s.cli(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans"]);
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toContain("2026-000001:2");
    expect(readdirSync(s.home).filter((n) => n.includes("leverans"))).toEqual([]);
    expect((await s.cliJson(["case", "show", "2026-000001"])).archived).toBeNull();
    expect((await s.cliJson(["audit", "list"])).some((e: { action: string }) => e.action.startsWith("archive."))).toBe(false);
  });

  it("removes the temporary folder a killed run left beside the target, and only a dead run's", async () => {
    s = linkoping();
    await register(s);
    const stale = join(s.home, ".leverans.99999999-0badcafe.tmpdir");
    const live = join(s.home, `.leverans.${process.pid}-0badcafe.tmpdir`);
    for (const d of [stale, live]) {
      mkdirSync(join(d, "representations"), { recursive: true });
      writeFileSync(join(d, "METS.xml"), "halvfärdig");
    }
    await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans"]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true); // this process is alive: not a leftover
    expect(readdirSync(join(s.home, "leverans")).sort()).toEqual(["METS.xml", "documentation", "representations", "schemas"]);
  });

  it("lets purge erase the stored files the archive holds now; a closed case not delivered keeps its own", async () => {
    s = linkoping();
    await register(s);
    await s.cliJson(["archive", "export", "--closed-before", "2026-04-01", "-o", "leverans"]);
    const delivered = (await s.cliJson(["case", "show", "2026-000001"])).documents[1].file as string;
    const path = (h: string) => join(s.env.AVVIK_HOME!, "files", h.slice(0, 2), h);
    expect(existsSync(path(delivered))).toBe(true);
    // A case closed before the date but never delivered: its unencrypted file stays.
    await s.cliJson(outgoingCase());
    await s.cliJson(["packet", "2026-000005"]);
    const kept = (await s.cliJson(["case", "show", "2026-000005"])).documents[1].file as string;
    await close(s, "2026-000005", ["answered", "followed_up", "closed"]);
    const dry = await s.cliJson(["purge", "--closed-before", "2026-04-01", "--dry-run"]);
    const purged = await s.cliJson(["purge", "--closed-before", "2026-04-01", "--yes"]);
    expect(purged.files).toBe(dry.files);
    expect(existsSync(path(delivered))).toBe(false);
    expect(existsSync(path(kept))).toBe(true);
    expect((await s.cli(["check"])).code).toBe(0);
    // The package itself is untouched by the purge.
    const dir = join(s.home, "leverans");
    for (const f of metsFiles(readFileSync(join(dir, "METS.xml"), "utf8"))) expect(sha256(readFileSync(join(dir, f.href)))).toBe(f.checksum);
  });
});
