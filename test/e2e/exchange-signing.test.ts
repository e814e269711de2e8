// Signed exchange files (issue 12): a file is accepted only when its signature verifies against the key
// recorded for its sender; `org key export|import` and the trust procedure of docs/exchange/signing.md.

import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/exchange.js";
import { sandbox, type Sandbox } from "../helpers/cli.js";
import { filesUnder } from "../helpers/protection.js";

let a: Sandbox;
let b: Sandbox;
let c: Sandbox | undefined;
afterEach(() => {
  a?.cleanup();
  b?.cleanup();
  c?.cleanup();
  c = undefined;
});

async function register(orgId: string, name: string): Promise<Sandbox> {
  const s = sandbox();
  await s.cliJson(["init", "--org-id", orgId, "--org-name", name]);
  await s.cliJson(["org", "import", "ostergotland"]);
  return s;
}

const data = (s: Sandbox) => s.env.AVVIK_HOME!;

async function outgoing(s: Sandbox, to: string): Promise<string> {
  return (await s.cliJson([
    "case", "new", "--direction", "out", "--counterpart", to, "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
    "--kind", "tillbud", "--area", "planering", "--summary", "Hemgång utan planering",
  ])).diaryNumber;
}

/** Exports a key from `from` and records it in `to`. */
async function trust(from: Sandbox, to: Sandbox, orgId: string): Promise<string> {
  const file = join(from.home, `${orgId}.avvik-key`);
  const fingerprint = (await from.cliJson(["org", "key", "export", "-o", file])).fingerprint as string;
  await to.cliJson(["org", "key", "import", orgId, file]);
  return fingerprint;
}

/** What an import could change: cases, the diary, the audit trail, stored files. */
async function state(s: Sandbox) {
  return {
    cases: await s.cliJson(["case", "list"]),
    diary: await s.cliJson(["diary", "list"]),
    audit: (await s.cliJson(["audit", "verify"])).head,
    files: filesUnder(data(s)).filter((f) => !/avvik\.db-(wal|shm)$/.test(f)).sort(),
  };
}

async function payloadOf(file: string): Promise<any> {
  const { readExchangeFile } = await import("../../dist/exchange/file.js" as string);
  const read = await readExchangeFile(readFileSync(file));
  if (!read.payload) throw new Error(`not an exchange file: ${JSON.stringify(read)}`);
  return read.payload;
}

/** The payload with its checksum recomputed, as a forger who knows the format would. */
function resealed(p: any): any {
  const { checksum: _c, signature, ...body } = p;
  return { ...body, checksum: `sha256:${createHash("sha256").update(canonicalJson(body)).digest("hex")}`, signature };
}

/** Writes a readable exchange PDF with this payload embedded (a forged file looks like a real one). */
async function writePdf(file: string, payload: any): Promise<void> {
  const { renderExchangePdf } = await import("../../dist/exchange/file.js" as string);
  writeFileSync(file, await renderExchangePdf(payload, JSON.stringify(payload, null, 2)));
}

async function refused(s: Sandbox, file: string): Promise<string> {
  const r = await s.cli(["exchange", "import", file]);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: "" });
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("signed exchange files", () => {
  it("refuses a forged file (due date changed, checksum recomputed, re-embedded) and changes nothing", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    await trust(a, b, "linkoping");
    const number = await outgoing(a, "norrkoping");
    const genuine = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", number, "-o", genuine]);
    const p = await payloadOf(genuine);
    expect(p).toMatchObject({ version: 2, signature: { algorithm: "Ed25519" } });

    const forged = resealed({ ...p, case: { ...p.case, dueDate: "2026-12-31" } });
    const forgedPdf = join(b.home, "forged.pdf");
    await writePdf(forgedPdf, forged);
    // The forgery passes every check but the signature: the format, the checksum, the fields.
    expect((await payloadOf(forgedPdf)).case.dueDate).toBe("2026-12-31");
    const forgedJson = join(b.home, "forged.json");
    writeFileSync(forgedJson, JSON.stringify(forged));
    // Another field changed the same way (the summary).
    const otherFields = join(b.home, "recipient.json");
    writeFileSync(otherFields, JSON.stringify(resealed({ ...p, case: { ...p.case, summary: "Annan text" } })));

    const before = await state(b);
    for (const f of [forgedPdf, forgedJson, otherFields]) {
      expect(await refused(b, f)).toBe("Signaturen stämmer inte: filen från Linköpings kommun har ändrats efter att den signerades. Inget ändrades; be avsändaren om en ny fil.");
    }
    // reply inbox recognises the exchange file and leaves it in place with the same reason.
    const inbox = join(b.home, "inkorg");
    mkdirSync(inbox);
    writeFileSync(join(inbox, "forged.pdf"), readFileSync(forgedPdf));
    const r = await b.cli(["reply", "inbox", inbox, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ attached: 0, left: 1, files: [{ file: "forged.pdf", message: expect.stringMatching(/^Signaturen stämmer inte/) }] });
    expect(existsSync(join(inbox, "forged.pdf"))).toBe(true);
    expect(await state(b)).toEqual(before);

    // The genuine file is accepted, with the sender's due date.
    const imported = await b.cliJson(["exchange", "import", genuine]);
    expect((await b.cliJson(["case", "show", String(imported.caseId)])).dueDate).toBe("2026-06-02");
    const event = (await b.cliJson(["audit", "list", "--case", String(imported.caseId)])).find((e: any) => e.action === "exchange.import");
    expect(event.details.signedBy).toBe((await a.cliJson(["org", "key", "export"])).fingerprint);
  });

  it("refuses a file signed by another key, whatever key the file names", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    await trust(a, b, "linkoping");
    // An impostor: another register calling itself Linköping, with its own key.
    c = await register("linkoping", "Linköpings kommun");
    const impostorFile = join(c.home, "impostor.pdf");
    await c.cliJson(["exchange", "export", await outgoing(c, "norrkoping"), "-o", impostorFile]);
    const impostorKey = (await c.cliJson(["org", "key", "export"])).fingerprint;
    const genuineKey = (await a.cliJson(["org", "key", "export"])).fingerprint;
    expect(impostorKey).not.toBe(genuineKey);

    const before = await state(b);
    expect(await refused(b, impostorFile)).toBe(
      `Filen är signerad med en annan nyckel (${impostorKey}) än den som är registrerad för Linköpings kommun (${genuineKey}); inget ändrades. ` +
        "Har Linköpings kommun bytt nyckel? Jämför per telefon och kör: avvik org key import linkoping NYCKELFIL --replace",
    );

    // A forger signs with a key of their own but names the genuine key in the file: still refused.
    const genuine = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", await outgoing(a, "norrkoping"), "-o", genuine]);
    const p = await payloadOf(genuine);
    const { privateKey } = generateKeyPairSync("ed25519");
    const changed = resealed({ ...p, case: { ...p.case, dueDate: "2026-12-31" } });
    const { signature: _s, ...unsigned } = changed;
    const value = sign(null, Buffer.from(canonicalJson(unsigned), "utf8"), privateKey).toString("base64");
    const namingGenuine = join(b.home, "naming-genuine.pdf");
    await writePdf(namingGenuine, { ...changed, signature: { ...p.signature, value } });
    expect(await refused(b, namingGenuine)).toMatch(/^Signaturen stämmer inte: filen från Linköpings kommun/);
    expect(await state(b)).toEqual(before);
  });

  it("refuses a sender without a recorded key with one line showing the file's fingerprint; accepts the file once the key is imported", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    const file = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", await outgoing(a, "norrkoping"), "-o", file]);
    const fingerprint = (await a.cliJson(["org", "key", "export"])).fingerprint as string;
    expect(fingerprint).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){7}$/);

    const before = await state(b);
    expect(await refused(b, file)).toBe(
      `Linköpings kommun har ingen registrerad nyckel. Jämför fingeravtrycket ${fingerprint} med avsändaren per telefon och kör: avvik org key import linkoping NYCKELFIL`,
    );
    expect(await state(b)).toEqual(before);

    expect(await trust(a, b, "linkoping")).toBe(fingerprint);
    expect(await b.cliJson(["exchange", "import", file])).toMatchObject({ type: "case", diaryNumber: "2026-000001" });
    // And the answer travels back the same way once Linköping has Norrköping's key.
    await b.cliJson(["case", "assign", "2026-000001", "--to", "mas@norrkoping.example"]);
    await b.cliJson(["case", "update", "2026-000001", "--causes", "Orsak", "--actions", "Åtgärd"]);
    const answer = join(b.home, "answer.pdf");
    await b.cliJson(["exchange", "export", "2026-000001", "-o", answer]);
    expect((await a.cli(["exchange", "import", answer])).stderr).toMatch(/^Norrköpings kommun har ingen registrerad nyckel/);
    await trust(b, a, "norrkoping");
    expect(await a.cliJson(["exchange", "import", answer])).toMatchObject({ type: "answer", diaryNumber: "2026-000001" });
  });

  it("refuses an unsigned file of format version 1", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    await trust(a, b, "linkoping");
    const file = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", await outgoing(a, "norrkoping"), "-o", file]);
    const { signature: _s, checksum: _c, ...body } = { ...(await payloadOf(file)), version: 1 };
    const v1 = join(b.home, "v1.json");
    writeFileSync(v1, JSON.stringify({ ...body, checksum: `sha256:${createHash("sha256").update(canonicalJson(body)).digest("hex")}` }));
    expect(await refused(b, v1)).toMatch(/v1\.json är inte signerad/);
    expect(await b.cliJson(["case", "list"])).toEqual([]);
  });
});

describe("avvik org key", () => {
  it("exports our key (stdout, -o, --json) and makes it on first need in a register without one, audited", async () => {
    a = await register("linkoping", "Linköpings kommun");
    const keyFile = join(data(a), "signing-key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const text = await a.cli(["org", "key", "export"]);
    expect(text.code).toBe(0);
    const json = await a.cliJson(["org", "key", "export"]);
    expect(Object.keys(json).sort()).toEqual(["fingerprint", "orgId", "publicKey"]);
    expect(json.orgId).toBe("linkoping");
    expect(json.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(text.stdout).toContain(`fingerprint: ${json.fingerprint}`);
    expect(text.stdout).toContain("org-id: linkoping");
    expect(text.stdout).toContain(json.publicKey.trim());
    const out = join(a.home, "ours.avvik-key");
    expect((await a.cli(["org", "key", "export", "-o", out])).stdout).toContain(json.fingerprint);
    expect(readFileSync(out, "utf8")).toBe(text.stdout);
    expect((await a.cliJson(["audit", "list"])).filter((e: any) => e.action === "org.key.create").map((e: any) => e.details)).toEqual([{ org: "linkoping", fingerprint: json.fingerprint }]);

    // -o never writes into the data directory, however the path is spelt; a missing directory is named.
    const link = join(a.home, "link");
    symlinkSync(data(a), link);
    const keep = filesUnder(data(a)).filter((f) => !/-(wal|shm)$/.test(f)).map((f) => [f, readFileSync(f).toString("base64")]);
    for (const target of [join(data(a), "avvik.db"), join(data(a), "..", "data", "key"), join(link, "signing-key"), join(link, "new.key")]) {
      const r = await a.cli(["org", "key", "export", "-o", target]);
      expect({ target, code: r.code }).toEqual({ target, code: 1 });
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/ligger i datakatalogen .* ange en sökväg utanför den med -o\.$/)]);
    }
    expect((await a.cli(["org", "key", "export", "-o", "/nonexistent/x.key"])).stderr.trim()).toBe("Katalogen /nonexistent finns inte; ange en annan sökväg med -o.");
    expect(filesUnder(data(a)).filter((f) => !/-(wal|shm)$/.test(f)).map((f) => [f, readFileSync(f).toString("base64")])).toEqual(keep);

    // A register from before signed files has no key: the first export makes one (0600) and records it.
    rmSync(keyFile);
    const made = join(a.home, "case.pdf");
    await a.cliJson(["exchange", "export", await outgoing(a, "norrkoping"), "-o", made]);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const fresh = (await a.cliJson(["org", "key", "export"])).fingerprint;
    expect(fresh).not.toBe(json.fingerprint);
    expect((await a.cliJson(["audit", "list"])).filter((e: any) => e.action === "org.key.create")).toHaveLength(2);
    expect((await a.cli(["check"])).code).toBe(0);
    // A damaged key is refused, never replaced.
    writeFileSync(keyFile, "not a key");
    const damaged = await a.cli(["org", "key", "export"]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(keyFile, "utf8")).toBe("not a key");
    // check finds it too, in one line, and exits 1.
    const checked = await a.cli(["check"]);
    expect(checked.code).toBe(1);
    expect(checked.stderr + checked.stdout).toContain(`Signeringsnyckeln ${keyFile} är skadad eller ingen Ed25519-nyckel.`);
    expect((await a.cli(["check", "--json"])).stdout).toContain('"key":"error.signingKeyInvalid"');
  });

  it("imports a counterpart's key; refuses unknown orgs, malformed files, another org's file and a different key without --replace", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    const file = join(a.home, "linkoping.avvik-key");
    const fingerprint = (await a.cliJson(["org", "key", "export", "-o", file])).fingerprint;
    const events = async () => (await b.cliJson(["audit", "verify"])).events as number;
    const n0 = await events();

    const bad = async (args: string[], message: RegExp, code = 1) => {
      const r = await b.cli(["org", "key", "import", ...args]);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    };
    await bad(["okand-kommun", file], /Organisationen 'okand-kommun' finns inte/);
    await bad(["region-ostergotland", file], /är nyckeln för linkoping, inte för region-ostergotland/);
    await bad(["norrkoping", file], /vår egen organisation/);
    await bad(["linkoping", join(a.home, "missing.key")], /finns inte/);
    const junk = join(b.home, "junk.key");
    writeFileSync(junk, "hej");
    await bad(["linkoping", junk], /ingen nyckelfil/);
    const brokenKey = join(b.home, "broken.key");
    writeFileSync(brokenKey, readFileSync(file, "utf8").replace(/^(MC[^\n]{10})[^\n]/m, "$1!"));
    await bad(["linkoping", brokenKey], /ingen giltig Ed25519-nyckel/);
    const wrongPrint = join(b.home, "print.key");
    writeFileSync(wrongPrint, readFileSync(file, "utf8").replace(/fingerprint: \S{4}/, "fingerprint: 0000"));
    await bad(["linkoping", wrongPrint], /Fingeravtrycket .* stämmer inte/);
    expect(await b.cliJson(["org", "key", "list"])).toEqual([]);
    expect(await events()).toBe(n0);

    expect(await b.cliJson(["org", "key", "import", "linkoping", file])).toEqual({ orgId: "linkoping", fingerprint, status: "imported", previous: null });
    expect((await b.cliJson(["org", "key", "import", "linkoping", file])).status).toBe("unchanged");
    // The JSON of `org key export --json` is a key file too.
    const asJson = join(b.home, "linkoping.json");
    writeFileSync(asJson, (await a.cli(["org", "key", "export", "--json"])).stdout);
    expect((await b.cliJson(["org", "key", "import", "linkoping", asJson])).status).toBe("unchanged");

    // Linköping gets a new key (e.g. after a restore): the old one stays until replaced on purpose.
    rmSync(join(data(a), "signing-key"));
    const newFile = join(a.home, "new.avvik-key");
    const newPrint = (await a.cliJson(["org", "key", "export", "-o", newFile])).fingerprint;
    const n1 = await events();
    await bad(["linkoping", newFile], new RegExp(`har redan en annan nyckel \\(${fingerprint}\\); den nya har ${newPrint}\\. .*--replace`));
    expect((await b.cliJson(["org", "key", "list"]))[0].fingerprint).toBe(fingerprint);
    expect(await events()).toBe(n1);
    expect(await b.cliJson(["org", "key", "import", "linkoping", newFile, "--replace"])).toEqual({ orgId: "linkoping", fingerprint: newPrint, status: "replaced", previous: fingerprint });
    const trail = (await b.cliJson(["audit", "list"])).filter((e: any) => e.action.startsWith("org.key"));
    expect(trail.map((e: any) => [e.action, e.details])).toEqual([
      ["org.key.create", { org: "norrkoping", fingerprint: (await b.cliJson(["org", "key", "export"])).fingerprint }],
      ["org.key.import", { org: "linkoping", fingerprint }],
      ["org.key.replace", { org: "linkoping", fingerprint: newPrint, previous: fingerprint }],
    ]);
    expect((await b.cli(["audit", "verify"])).code).toBe(0);
  });
});
