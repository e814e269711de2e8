import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/exchange.js";
import { sandbox, type Sandbox } from "../helpers/cli.js";

let a: Sandbox;
let b: Sandbox;
afterEach(() => {
  a?.cleanup();
  b?.cleanup();
});

async function register(orgId: string, name: string): Promise<Sandbox> {
  const s = sandbox();
  await s.cliJson(["init", "--org-id", orgId, "--org-name", name]);
  await s.cliJson(["org", "import", "ostergotland"]);
  return s;
}

/** `to` records the public key of `from` (organisation `orgId`), as after comparing fingerprints by phone. */
async function trust(from: Sandbox, to: Sandbox, orgId: string): Promise<void> {
  const keyFile = join(from.home, `${orgId}.avvik-key`);
  const exported = await from.cliJson(["org", "key", "export", "-o", keyFile]);
  expect(exported.orgId).toBe(orgId);
  expect(await to.cliJson(["org", "key", "import", orgId, keyFile])).toMatchObject({ orgId, fingerprint: exported.fingerprint, status: "imported" });
}

/** Two registers that have exchanged their public keys. */
async function pair(): Promise<[Sandbox, Sandbox]> {
  const x = await register("linkoping", "Linköpings kommun");
  const y = await register("norrkoping", "Norrköpings kommun");
  await trust(x, y, "linkoping");
  await trust(y, x, "norrkoping");
  return [x, y];
}

async function pdfText(file: string): Promise<string> {
  const { PDFParse } = await import("pdf-parse");
  const parser = new PDFParse({ data: readFileSync(file) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

describe("exchange between two registers", () => {
  it("sends a case from Linköping to Norrköping and its answer back, matched on both sides", async () => {
    [a, b] = await pair();
    const out = await a.cliJson([
      "case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "tillbud", "--area", "planering", "--summary", "Hemgång utan planering mellan kommunerna", "--person", "19121212-1212:Tolvan Tolvansson",
    ]);
    expect(out.dueDate).toBe("2026-06-02");

    const caseFile = join(a.home, "to-norrkoping.pdf");
    const exported = await a.cliJson(["exchange", "export", out.diaryNumber, "-o", caseFile]);
    expect(exported).toMatchObject({ type: "case", status: "sent" });
    const text = await pdfText(caseFile);
    expect(text).toContain("Avvikelse i samverkan");
    expect(text).toContain("Linköpings kommun");
    expect(text).toContain("2026-000001");
    expect(text).toContain("2026-06-02");
    expect(text).not.toContain("1212-1212");
    expect(text).not.toContain("Tolvansson");

    // Norrköping's register has its own numbers: make one case first so the numbers differ.
    await b.cliJson(["case", "new", "--direction", "out", "--counterpart", "linkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-01",
      "--kind", "risk", "--area", "ovrigt", "--summary", "Annat ärende"]);
    const imported = await b.cliJson(["exchange", "import", caseFile], { env: { AVVIK_NOW: "2026-03-12T10:00:00" } });
    expect(imported).toMatchObject({ type: "case", diaryNumber: "2026-000002" });
    const theirs = await b.cliJson(["case", "show", "linkoping:2026-000001"]);
    expect(theirs).toMatchObject({
      id: imported.caseId,
      direction: "in",
      status: "registered",
      counterpart: { id: "linkoping" },
      dueDate: "2026-06-02",
      receivedDate: "2026-03-12",
      summary: "Hemgång utan planering mellan kommunerna",
      persons: [],
    });
    expect(theirs.refs).toContainEqual({ system: "linkoping", id: "2026-000001" });
    expect(theirs.documents[0]).toMatchObject({ direction: "in", party: "Linköpings kommun" });

    const again = await b.cli(["exchange", "import", caseFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/redan inläst i ärende 2026-000002/);

    // Norrköping investigates and answers by exchange file.
    await b.cliJson(["case", "assign", "2026-000002", "--to", "mas@norrkoping.example"]);
    const early = await b.cli(["exchange", "export", "2026-000002"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/inget svar att skicka/);
    await b.cliJson(["case", "update", "2026-000002", "--causes", "Ingen samordnad individuell plan upprättades.", "--actions", "Rutin för SIP vid flytt mellan kommuner."]);
    const answerFile = join(b.home, "answer.pdf");
    const answered = await b.cliJson(["exchange", "export", "2026-000002", "-o", answerFile], { env: { AVVIK_NOW: "2026-04-20T09:00:00" } });
    expect(answered).toMatchObject({ type: "answer", status: "answered" });
    expect(await pdfText(answerFile)).toContain("Rutin för SIP vid flytt mellan kommuner.");

    const back = await a.cliJson(["exchange", "import", answerFile], { env: { AVVIK_NOW: "2026-04-22T09:00:00" } });
    expect(back).toMatchObject({ type: "answer", diaryNumber: "2026-000001" });
    const mine = await a.cliJson(["case", "show", "2026-000001"]);
    expect(mine).toMatchObject({ status: "answered", dueDate: "2026-06-02", causes: "Ingen samordnad individuell plan upprättades." });
    expect(mine.refs).toContainEqual({ system: "norrkoping", id: "2026-000002" });
    expect(mine.documents.map((d: any) => d.direction)).toEqual(["out", "out", "in"]);
    expect((await a.cliJson(["case", "show", "norrkoping:2026-000002"])).id).toBe(mine.id);
    expect((await a.cli(["exchange", "import", answerFile])).stderr).toMatch(/redan inläst i ärende 2026-000001/);
  });

  it("carries personal data only when asked, and stores it encrypted on arrival", async () => {
    [a, b] = await pair();
    await a.cliJson(["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "skada", "--area", "lakemedel", "--summary", "Fel dos", "--person", "19121212-1212:Tolvan Tolvansson"]);
    const file = join(a.home, "with-pd.pdf");
    await a.cliJson(["exchange", "export", "2026-000001", "-o", file, "--with-personal-data"]);
    expect(await pdfText(file)).toMatch(/19121212-1212\s+Tolvan Tolvansson/);
    expect((await a.cliJson(["audit", "list", "--case", "2026-000001"])).map((e: any) => e.action)).toContain("reveal");
    await b.cliJson(["exchange", "import", file]);
    expect((await b.cliJson(["case", "show", "1"])).persons).toEqual(["19121212-****"]);
    expect((await b.cliJson(["case", "show", "1", "--reveal"])).personDetails).toEqual([{ pnr: "19121212-1212", name: "Tolvan Tolvansson" }]);
  });

  it("refuses files that are damaged, changed, of an unknown version, or not exchange files, changing nothing", async () => {
    [a, b] = await pair();
    await a.cliJson(["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "risk", "--area", "ovrigt", "--summary", "Test"]);
    const file = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", "2026-000001", "-o", file]);
    const { readExchangeFile } = await import("../../dist/exchange/file.js" as string);
    const read = await readExchangeFile(readFileSync(file));
    const payload = read.payload;

    const changed = join(b.home, "changed.json");
    writeFileSync(changed, JSON.stringify({ ...payload, case: { ...payload.case, summary: "Ändrad" } }));
    const future = join(b.home, "future.json");
    writeFileSync(future, JSON.stringify({ ...payload, version: 99 }));
    const truncated = join(b.home, "truncated.pdf");
    writeFileSync(truncated, readFileSync(file).subarray(0, 600));
    const plain = join(b.home, "not.pdf");
    writeFileSync(plain, "hej");
    const cases: Array<[string, RegExp]> = [
      [changed, /Kontrollsumman .* stämmer inte/],
      [future, /version 99/],
      [truncated, /ingen läsbar PDF|ingen utbytesdata/],
      [plain, /ingen läsbar PDF/],
      [join(b.home, "missing.pdf"), /finns inte/],
    ];
    for (const [f, message] of cases) {
      const r = await b.cli(["exchange", "import", f]);
      expect({ f, code: r.code }).toEqual({ f, code: 1 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(await b.cliJson(["case", "list"])).toEqual([]);

    // A payload written by another system as bare JSON with a correct checksum, signed with the sender's key
    // (here Linköping's other system holding Linköping's signing key), is accepted.
    const { createHash, createPrivateKey, sign } = await import("node:crypto");
    const { checksum: _c, signature: _s, ...body } = { ...payload, case: { ...payload.case, summary: "Från ett annat system" } };
    const sealed = { ...body, checksum: `sha256:${createHash("sha256").update(canonicalJson(body)).digest("hex")}` };
    const privateKey = createPrivateKey(readFileSync(join(a.env.AVVIK_HOME!, "signing-key"), "utf8"));
    const signature = { ...payload.signature, value: sign(null, Buffer.from(canonicalJson(sealed), "utf8"), privateKey).toString("base64") };
    const other = join(b.home, "other.json");
    writeFileSync(other, JSON.stringify({ ...sealed, signature }));
    expect((await b.cliJson(["exchange", "import", other])).type).toBe("case");
  });

  it("is recognised by reply attach and reply inbox, so the registrar need not know which file is which", async () => {
    [a, b] = await pair();
    await a.cliJson(["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "risk", "--area", "ovrigt", "--summary", "Test via inkorgen"]);
    const inboxB = join(b.home, "inkorg");
    mkdirSync(inboxB);
    await a.cliJson(["exchange", "export", "2026-000001", "-o", join(inboxB, "fran-linkoping.pdf")]);
    const gotCase = await b.cliJson(["reply", "inbox", inboxB]);
    expect(gotCase).toMatchObject({ attached: 1, left: 0 });
    expect(await b.cliJson(["case", "show", "linkoping:2026-000001"])).toMatchObject({ direction: "in", dueDate: "2026-06-02" });
    expect(existsSync(join(inboxB, "done", "fran-linkoping.pdf"))).toBe(true);

    await b.cliJson(["case", "assign", "2026-000001", "--to", "mas@norrkoping.example"]);
    await b.cliJson(["case", "update", "2026-000001", "--causes", "Orsak", "--actions", "Åtgärd"]);
    const answer = join(b.home, "svar.pdf");
    await b.cliJson(["exchange", "export", "2026-000001", "-o", answer]);
    const attached = await a.cliJson(["reply", "attach", answer]);
    expect(attached).toMatchObject({ caseId: 1, diaryNumber: "2026-000001", matchedBy: "exchange" });
    expect(await a.cliJson(["case", "show", "2026-000001"])).toMatchObject({ status: "answered", causes: "Orsak", actions: "Åtgärd" });
    // Attaching the same file again is recognised and changes nothing.
    const again = await a.cliJson(["reply", "attach", answer]);
    expect(again.alreadyAttached).toBe(true);
    expect(await a.cliJson(["diary", "list", "--case", "2026-000001"])).toHaveLength(3);
  });

  it("writes the same bytes for the same case at the same time", async () => {
    a = await register("linkoping", "Linköpings kommun");
    await a.cliJson(["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "risk", "--area", "ovrigt", "--summary", "Test"]);
    const one = join(a.home, "one.pdf");
    const two = join(a.home, "two.pdf");
    await a.cliJson(["exchange", "export", "2026-000001", "-o", one]);
    await a.cliJson(["exchange", "export", "2026-000001", "-o", two]);
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true);
  });
});
