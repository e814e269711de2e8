// A registrar's Swedish: codes typed as Swedish words, and no English (or bare codes) in Swedish output.

import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const words = (args: string[], replace: Record<string, string>) => args.map((a, i) => (args[i - 1] && replace[args[i - 1]!] !== undefined ? replace[args[i - 1]!]! : a));

describe("Swedish words accepted as codes", () => {
  it("takes ut, tillbud, läkemedel and keeps the codes in JSON", async () => {
    s = linkoping();
    const c = await s.cliJson(words(outgoingCase(), { "--direction": "ut", "--kind": "Tillbud", "--area": "läkemedel" }));
    expect(c).toMatchObject({ direction: "out", kind: "tillbud", area: "lakemedel", status: "registered" });
    const i = await s.cliJson(words(incomingCase(), { "--direction": "INKOMMANDE", "--area": "omvårdnad" }));
    expect(i).toMatchObject({ direction: "in", area: "omvardnad" });
  });

  it("filters and moves by Swedish status names, with or without å/ä/ö", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(incomingCase());
    expect((await s.cliJson(["case", "list", "--status", "registrerad", "--direction", "ut"])).map((c: any) => c.diaryNumber)).toEqual(["2026-000001"]);
    expect((await s.cliJson(["case", "status", "2026-000001", "Skickad"])).status).toBe("sent");
    expect((await s.cliJson(["case", "status", "2026-000002", "tilldelad"])).status).toBe("assigned");
    expect((await s.cliJson(["case", "status", "2026-000002", "under utredning"])).status).toBe("investigating");
    expect((await s.cliJson(["case", "update", "2026-000002", "--severity", "rod"])).severity).toBe("rod");
    expect((await s.cliJson(["case", "update", "2026-000002", "--severity", "Röd", "--kind", "skada"])).kind).toBe("skada");
    expect((await s.cliJson(["case", "status", "2026-000002", "besvarat"])).status).toBe("answered");
    expect((await s.cliJson(["case", "status", "2026-000002", "uppfoljd"])).status).toBe("followed_up");
  });

  it("takes --role chef and a directory name with å/ä/ö", async () => {
    s = linkoping();
    const c = await s.cliJson(["contact", "add", "--org", "linkoping", "--role", "chef", "--name", "Eva Berg", "--email", "eva.berg@linkoping.se"]);
    expect(c.role).toBe("manager");
    expect((await s.cliJson(["contact", "list", "--org", "linkoping", "--role", "Berörd chef"])).map((x: any) => x.email)).toContain("eva.berg@linkoping.se");
    expect(await s.cliJson(["org", "import", "Östergötland"])).toMatchObject({ created: 0 });
    expect((await s.cliJson(["org", "import", "västra götaland"])).created).toBeGreaterThan(0);
  });

  it("names the Swedish words beside the codes when a value is unknown", async () => {
    s = linkoping();
    const r = await s.cli(["case", "list", "--status", "klar"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answered \(besvarad\)/);
    const help = await s.cli(["case", "new", "--help"]);
    expect(help.stdout).toMatch(/out \(ut\)/);
    expect(help.stdout).toMatch(/lakemedel \(läkemedel\)/);
  });

  it("an unknown directory is named with the built-in ones", async () => {
    s = linkoping();
    const r = await s.cli(["org", "import", "narnia"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Okänd katalog 'narnia'. Inbyggda: ostergotland, vastra-gotaland; eller ange sökvägen till en katalogfil (JSON).");
    const f = await s.cli(["org", "import", "./saknas.json"]);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/finns inte/);
    expect(f.stderr).not.toMatch(/ENOENT/);
  });
});

describe("no English in Swedish output", () => {
  it("case update names the changed fields in Swedish", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const r = await s.cli(["case", "update", "2026-000001", "--severity", "gul", "--causes", "Rutinen följdes inte", "--actions", "Ny rutin", "--follow-up", "Om tre månader", "--ref", "synergi:45678"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("Ärende 2026-000001 är uppdaterat: allvarlighetsgrad, orsaker, åtgärder, uppföljning, referens synergi.");
  });

  it("a refused step names the statuses in Swedish", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const r = await s.cli(["case", "status", "2026-000001", "answered"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Ärende 2026-000001 kan inte gå från registrerat till besvarat. Tillåtna nästa steg: skickat.");
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    const again = await s.cli(["case", "status", "2026-000001", "skickad"]);
    expect(again.stderr.trim()).toBe("Ärende 2026-000001 är redan skickat. Tillåtna nästa steg: besvarat.");
    const en = await s.cli(["--lang", "en", "case", "status", "2026-000001", "closed"]);
    expect(en.stderr.trim()).toBe("Case 2026-000001 cannot go from sent to closed. Allowed next steps: answered.");
  });

  it("the case card shows status and next steps without codes", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const card = (await s.cli(["case", "show", "2026-000001", "--history"])).stdout;
    expect(card).toMatch(/Status\s+Registrerad\n/);
    expect(card).toMatch(/Nästa steg\s+Tilldelad\n/);
    expect(card).not.toMatch(/\bregistered\b|\bassigned\b|case\.new/);
    expect(card).toMatch(/registrerat/);
  });

  it("a contact twice names the role in Swedish", async () => {
    s = linkoping();
    const args = ["contact", "add", "--org", "linkoping", "--role", "manager", "--name", "Eva Berg", "--email", "eva.berg@linkoping.se"];
    await s.cliJson(args);
    const r = await s.cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/finns redan som berörd chef/);
  });

  it("--lang en shows no Swedish direction in the table, Swedish shows no English", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const en = (await s.cli(["--lang", "en", "case", "list"])).stdout;
    expect(en.split("\n")[1]).toMatch(/^2026-000001\s+out\s+Registered/);
    const sv = (await s.cli(["case", "list"])).stdout;
    expect(sv.split("\n")[1]).toMatch(/^2026-000001\s+ut\s+Registrerad/);
  });

  it("Swedish help uses Swedish placeholders", async () => {
    s = linkoping();
    const help = (await s.cli(["case", "new", "--help"])).stdout;
    expect(help).toMatch(/--event-date <datum>/);
    expect(help).toMatch(/--summary <text>/);
    expect(help).toMatch(/--home <katalog>/);
    expect(help).not.toMatch(/<date>|<dir>|<file>/);
    const en = (await s.cli(["--lang", "en", "case", "new", "--help"])).stdout;
    expect(en).toMatch(/--event-date <date>/);
  });
});
