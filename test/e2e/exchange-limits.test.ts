// Exchange files from outside with a hostile payload: nested deeper than any real one, or far larger. Refused
// with one line before anything walks the payload (the checksum's canonical form used to overflow the stack).

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, type Sandbox } from "../helpers/cli.js";
import { pdfOf } from "../helpers/hostile-pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** A payload that looks like an exchange file (format and version right) with `extra` as one more field. */
function payload(extra: string): string {
  return `{"format":"avvik-exchange","version":1,"type":"case","checksum":"sha256:0","extra":${extra}}`;
}

const DEEP = 200_000;
const deep = payload(`${"[".repeat(DEEP)}${"]".repeat(DEEP)}`);
const deepObjects = payload(`${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`);
const huge = payload(JSON.stringify("x".repeat(3_000_000)));

/** An exchange PDF (one page) carrying `json` as its embedded avvik-exchange.json, uncompressed. */
function exchangePdf(json: string): Buffer {
  const content = Buffer.from("BT /F1 11 Tf 72 770 Td (Avvikelse i samverkan) Tj ET", "latin1");
  return pdfOf([
    "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(avvik-exchange.json) 6 0 R] >> >> >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", data: content },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    "<< /Type /Filespec /F (avvik-exchange.json) /UF (avvik-exchange.json) /EF << /F 7 0 R >> >>",
    { dict: "/Type /EmbeddedFile /Subtype /application#2Fjson", data: Buffer.from(json, "utf8") },
  ]);
}

function expectRefused(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/call stack|RangeError|Oväntat fel|at /);
}

describe("exchange import of a hostile payload", () => {
  it("refuses a payload nested 200,000 deep, as bare JSON and inside a PDF, and changes nothing", async () => {
    s = linkoping();
    for (const [name, data] of [
      ["djup.json", Buffer.from(deep)],
      ["djupa-objekt.json", Buffer.from(deepObjects)],
      ["djup.pdf", exchangePdf(deep)],
    ] as const) {
      const file = join(s.home, name);
      writeFileSync(file, data);
      expectRefused(await s.cli(["exchange", "import", file]), /för djupt nästlad/);
    }
    expect(await s.cliJson<unknown[]>(["case", "list"])).toEqual([]);
  });

  it("refuses a payload of millions of characters", async () => {
    s = linkoping();
    const file = join(s.home, "stor.json");
    writeFileSync(file, huge);
    expectRefused(await s.cli(["exchange", "import", file]), /för stor att läsa/);
    expect(await s.cliJson<unknown[]>(["case", "list"])).toEqual([]);
  });

  it("is refused the same way when it comes through reply inbox: that file is left, the run goes on", async () => {
    s = linkoping();
    const inbox = join(s.home, "inkorg");
    mkdirSync(inbox);
    writeFileSync(join(inbox, "utbyte.pdf"), exchangePdf(deep));
    const r = await s.cli(["reply", "inbox", inbox, "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { files: Array<{ file: string; status: string; message: string }> };
    expect(report.files).toHaveLength(1);
    expect(report.files[0]!.message).toMatch(/för djupt nästlad/);
    expect(readdirSync(inbox).sort()).toEqual(["utbyte.pdf"]);
    expect(await s.cliJson<unknown[]>(["diary", "list"])).toEqual([]);
  });
});
