// PDF bombs through the commands that read foreign PDFs: `reply attach`, `reply inbox`, `exchange import`.
// Each is refused with one line and nothing is stored; the limits are set low here (AVVIK_PDF_MAX_*) so that
// the bombs stay small and the test fast (the default limits against a real 2 GB bomb: test/unit/untrusted-pdf).

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { attachmentBombPdf, flateBombPdf, replyPdf } from "../helpers/hostile-pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const MB = 1024 * 1024;
const LOW = { AVVIK_PDF_MAX_DECODED_MB: "8" };

function storedFiles(): string[] {
  const dir = join(s.home, "data", "files");
  return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))) : [];
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/RangeError|Oväntat fel|ERR_|at /);
}

describe("a PDF bomb", () => {
  it("is refused by reply attach with one line; nothing is stored, the case is unchanged", async () => {
    s = linkoping();
    const number = (await s.cliJson<{ diaryNumber: string }>(outgoingCase())).diaryNumber;
    const bomb = join(s.home, "svar.pdf");
    writeFileSync(bomb, flateBombPdf(200 * MB, `Ert dnr: ${number}`));
    const before = await s.cliJson(["case", "show", number]);

    const r = await s.cli(["reply", "attach", bomb], { env: LOW });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /^PDF-filen är för stor eller för komplex att läsa \(över 8 MB avkodat\)/);
    expect(r.stdout).toBe("");
    expect(await s.cliJson(["case", "show", number])).toEqual(before);
    expect(storedFiles()).toEqual([]);

    // The same limit from the same variable, in JSON mode: still nothing on stdout but the refusal on stderr.
    const j = await s.cli(["reply", "attach", bomb, "--json"], { env: LOW });
    expect(j.code).toBe(1);
    expect(j.stdout).toBe("");
  });

  it("is left in reply inbox with its reason while the good replies are attached", async () => {
    s = linkoping();
    const number = (await s.cliJson<{ diaryNumber: string }>(outgoingCase())).diaryNumber;
    const inbox = join(s.home, "inkorg");
    mkdirSync(inbox);
    writeFileSync(join(inbox, "a-svar.pdf"), replyPdf(["Svar", `Ert dnr: ${number}`]));
    writeFileSync(join(inbox, "b-bomb.pdf"), flateBombPdf(200 * MB, `Ert dnr: ${number}`));
    writeFileSync(join(inbox, "c-svar.pdf"), replyPdf(["Svar igen", `Ert dnr: ${number}`]));

    const r = await s.cli(["reply", "inbox", inbox, "--json"], { env: LOW });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { files: Array<{ file: string; status: string; message?: string }> };
    expect(report.files.map((f) => [f.file, f.status])).toEqual([
      ["a-svar.pdf", "attached"],
      ["b-bomb.pdf", "invalid"],
      ["c-svar.pdf", "attached"],
    ]);
    expect(report.files[1]!.message).toMatch(/över 8 MB avkodat/);
    expect(readdirSync(inbox).sort()).toEqual(["b-bomb.pdf", "done"]);
    expect(storedFiles()).toHaveLength(2);
  });

  it("in an exchange file's embedded payload is refused by exchange import", async () => {
    s = linkoping();
    const file = join(s.home, "utbyte.pdf");
    writeFileSync(file, attachmentBombPdf(200 * MB));
    const r = await s.cli(["exchange", "import", file], { env: LOW });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /över 8 MB avkodat/);
    expect(await s.cliJson<unknown[]>(["case", "list"])).toEqual([]);
    expect(storedFiles()).toEqual([]);
  });

  it("a file over the size limit is refused before it is read", async () => {
    s = linkoping();
    const file = join(s.home, "stor.pdf");
    writeFileSync(file, Buffer.concat([replyPdf(["Svar"]), Buffer.alloc(2 * MB, 0x20)]));
    const env = { AVVIK_PDF_MAX_FILE_MB: "1" };
    const r = await s.cli(["reply", "attach", file], { env });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /^PDF-filen är för stor att läsa \(över 1 MB\)/);
    const x = await s.cli(["exchange", "import", file], { env });
    expect(x.code).toBe(1);
    expectOneLine(x.stderr, /över 1 MB/);
    const inbox = join(s.home, "inkorg");
    mkdirSync(inbox);
    writeFileSync(join(inbox, "stor.pdf"), Buffer.concat([replyPdf(["Svar"]), Buffer.alloc(2 * MB, 0x20)]));
    const i = await s.cli(["reply", "inbox", inbox, "--json"], { env });
    expect(JSON.parse(i.stdout).files[0].message).toMatch(/över 1 MB/);
    expect(readdirSync(inbox)).toEqual(["stor.pdf"]);
    expect(storedFiles()).toEqual([]);
  });
});
