// Every path the personnummer guard stands on refuses the spellings people and word processors produce
// (issue 12): case texts, the public diary, external references, CSV import cells, exchange import, e-mail.
// And the name guard refuses a patient's family name in the genitive in an e-mail.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

// One valid number (19121212-1212) in the spellings the guard used to miss.
const SPELLINGS = [
  "19121212\u20131212", // en dash, as Word writes it
  "19121212\u20101212",
  "19121212 - 1212",
  "1912-12-12-1212",
  "12 12 12-1212",
  "1912.12.12.1212",
  "19121212/1212",
  "19121212_1212",
  "1912\u200B1212-1212",
  "19121212-12\u00AD12",
  "\uFF11\uFF19\uFF11\uFF12\uFF11\uFF12\uFF11\uFF12-\uFF11\uFF12\uFF11\uFF12",
  "19121212\u00A01212",
];

describe("the personnummer guard on every path", async () => {
  it("refuses every spelling in a case's texts, the diary and a reference, and changes nothing", async () => {
    s = linkoping();
    await s.cliJson([...outgoingCase(), "--no-notify"]);
    const before = await s.cliJson(["case", "show", "2026-000001"]);
    // Each spelling on two paths, each path with three spellings (the unit properties try them all).
    for (const [i, pnr] of SPELLINGS.entries()) {
      const paths: string[][] = [
        [...outgoingCase().slice(0, -1), `Patient ${pnr} utskriven`, "--no-notify"],
        [...incomingCase(["--description", `Gäller ${pnr}.`, "--no-notify"])],
        ["diary", "add", "2026-000001", "--direction", "internal", "--subject", `Anteckning om ${pnr}`],
        ["diary", "add", "2026-000001", "--direction", "in", "--subject", "Svar", "--party", `Anhörig till ${pnr}`],
        ["case", "update", "2026-000001", "--causes", `Orsak: ${pnr}`],
        ["case", "update", "2026-000001", "--actions", `Åtgärd för ${pnr}`],
        ["case", "update", "2026-000001", "--follow-up", `Följs upp med ${pnr}`],
        ["case", "update", "2026-000001", "--ref", `synergi:${pnr.replace(/ /g, "")}`],
      ];
      for (const args of [paths[i % paths.length]!, paths[(i + 3) % paths.length]!]) {
        const r = await s.cli(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(/personnummer/);
      }
    }
    expect(await s.cliJson(["case", "list"])).toHaveLength(1);
    expect(await s.cliJson(["case", "show", "2026-000001"])).toEqual(before);
  });

  it("rejects a CSV row whose cell or external id holds a spelt number, and lets ordinary numbers in", async () => {
    s = linkoping();
    const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
    const row = (id: string, summary: string, description = "") =>
      `${id};2026-02-20;2026-02-21;2026-02-23;${summary};${description};Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;;`;
    const lines = [
      header,
      row("50001", "Utskriven 2026-02-20, ring 070-123 45 67", "Dnr 2026-000012, belopp 1 234 567 kr"),
      ...SPELLINGS.map((pnr, i) => row(String(50100 + i), "Utskriven", `Gäller ${pnr}`)),
      ...SPELLINGS.map((pnr, i) => row(String(50200 + i), `Patient ${pnr}`)),
      row("19121212\u20131212", "Utskriven"),
    ];
    const file = join(s.home, "spelt.csv");
    writeFileSync(file, `${lines.join("\r\n")}\r\n`);
    const r = await s.cli(["import", file, "--profile", "synergi", "--skip-invalid", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.created).toBe(1);
    expect(out.rejected).toBe(SPELLINGS.length * 2 + 1);
    expect(out.errors.every((e: { message: string }) => /personnummer/.test(e.message))).toBe(true);
    expect((await s.cliJson(["case", "show", "synergi:50001"])).summary).toBe("Utskriven 2026-02-20, ring 070-123 45 67");
  });
});

describe("the name guard in e-mail", async () => {
  it("refuses a summary with the patient's family name in the genitive, and queues nothing", async () => {
    s = linkoping();
    await s.cliJson([...incomingCase(["--person", "19121212-1212:Tolvan Wiśniewski-Tolvansson"]), "--no-notify"]);
    await s.cliJson(["contact", "add", "--org", "linkoping", "--role", "manager", "--name", "Sara Nilsson", "--email", "sara@linkoping.example"]);
    for (const summary of ["Tolvanssons fall", "TOLVANSSONS fall", "Wiśniewskis fall", "Wiśniewski–Tolvanssons fall"]) {
      await s.cliJson(["case", "update", "2026-000001", "--summary", summary]);
      const r = await s.cli(["notify", "2026-000001", "--to", "manager", "--queue-only"]);
      expect(r.code, `${summary}: ${r.stdout}`).toBe(1);
      expect(r.stderr).toMatch(/berörd persons namn/);
    }
    expect(await s.cliJson(["outbox", "list"])).toEqual([]);
    await s.cliJson(["case", "update", "2026-000001", "--summary", "Fallolycka i hemmet"]);
    expect((await s.cli(["notify", "2026-000001", "--to", "manager", "--queue-only"])).code).toBe(0);
    expect(await s.cliJson(["outbox", "list"])).toHaveLength(1);
  });
});
