// Scanned replies (issue 13): image files and PDFs without text, matched by QR code or by OCR on this machine,
// never to a wrong case; bad input refused with one line, nothing stored. The scans are the small files that
// fixtures/scans/make-scans.sh made (the tests need no Debian tools). OCR is slow to start (a second or more per
// worker), so the OCR cases go through one `reply inbox` run, which shares one pool of workers.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";

const SCANS = join(ROOT, "fixtures", "scans");
const scan = (name: string) => (existsSync(join(SCANS, "corpus", name)) ? join(SCANS, "corpus", name) : join(SCANS, name));

let s: Sandbox | undefined;
afterEach(() => {
  s?.cleanup();
  s = undefined;
});

/** The register of the corpus: three outgoing cases 2026-000001 … 3, the third with Synergi case 45678. */
async function register(): Promise<Sandbox> {
  const sb = linkoping({ now: "2026-04-01T09:00:00" });
  for (let i = 1; i <= 3; i++) await sb.cliJson(outgoingCase(i === 3 ? ["--ref", "synergi:45678"] : []));
  return sb;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
}

async function diaryCount(sb: Sandbox): Promise<number> {
  return (await sb.cliJson<unknown[]>(["diary", "list", "--json"])).length;
}

/** A PNG whose header says width × height (1-bit grey) and whose pixels are a few bytes: a "bomb" by its size. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(64))), chunk("IEND", Buffer.alloc(0))]);
}

/** A TIFF of `pages` pages of one white pixel each (little-endian, uncompressed). */
function tiffOfPages(pages: number): Buffer {
  const entries = 9;
  const ifdSize = 2 + entries * 12 + 4;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(8);
  header.write("II", 0, "latin1");
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(8, 4);
  parts.push(header);
  for (let p = 0; p < pages; p++) {
    const at = 8 + p * (ifdSize + 2);
    const ifd = Buffer.alloc(ifdSize + 2);
    ifd.writeUInt16LE(entries, 0);
    const tag = (i: number, t: number, type: number, value: number) => {
      const o = 2 + i * 12;
      ifd.writeUInt16LE(t, o);
      ifd.writeUInt16LE(type, o + 2);
      ifd.writeUInt32LE(1, o + 4);
      if (type === 3) ifd.writeUInt16LE(value, o + 8);
      else ifd.writeUInt32LE(value, o + 8);
    };
    tag(0, 256, 3, 1); // width
    tag(1, 257, 3, 1); // height
    tag(2, 258, 3, 8); // bits per sample
    tag(3, 259, 3, 1); // no compression
    tag(4, 262, 3, 1); // black is zero
    tag(5, 273, 4, at + ifdSize); // strip offset: the byte after the IFD
    tag(6, 277, 3, 1); // samples per pixel
    tag(7, 278, 3, 1); // rows per strip
    tag(8, 279, 4, 1); // strip byte count
    ifd.writeUInt32LE(p === pages - 1 ? 0 : at + ifdSize + 2, 2 + entries * 12);
    ifd[ifdSize] = 255; // the pixel
    parts.push(ifd);
  }
  return Buffer.concat(parts);
}

describe("scanned replies as image files", () => {
  it("a standard fax (TIFF, 204 × 98 dpi) of our reply form finds its case by the QR code, without OCR", async () => {
    s = await register();
    const r = await s.cliJson(["reply", "attach", scan("form1-fax.tif"), "--json"]);
    expect(r).toMatchObject({ diaryNumber: "2026-000001", matchedBy: "qr", ocrPages: 0 });
    const c = await s.cliJson(["case", "show", "2026-000001", "--json"]);
    expect(c.status).toBe("answered");
    expect(c.recognisedTexts).toBeUndefined();
  });

  it("a JPEG of the form and a 1-bit PNG, upside down, are read by their QR codes", async () => {
    s = await register();
    expect(await s.cliJson(["reply", "attach", scan("form3-300-grey.jpg"), "--json"])).toMatchObject({ diaryNumber: "2026-000003", matchedBy: "qr" });
    expect(await s.cliJson(["reply", "attach", scan("form2-150-upside.png"), "--json"])).toMatchObject({ diaryNumber: "2026-000002", matchedBy: "qr" });
  });

  it("reply inbox: scans without a readable QR code are read by OCR; each goes to its case or is left with a reason, never to a wrong case", { timeout: 240_000 }, async () => {
    s = await register();
    const inbox = join(s.home, "inkorg");
    mkdirSync(inbox);
    for (const name of ["form2-noqr-200-bw.png", "letter-synergi-table-150.jpg", "letter-two-cases-200-bw.png", "blank-150.png"]) cpSync(scan(name), join(inbox, name));
    const before = await diaryCount(s);
    const r = await s.cli(["reply", "inbox", inbox, "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const by = Object.fromEntries(out.files.map((f: any) => [f.file, f]));
    expect(by["form2-noqr-200-bw.png"]).toMatchObject({ status: "attached", diaryNumber: "2026-000002", matchedBy: "ocr" });
    expect(by["letter-synergi-table-150.jpg"]).toMatchObject({ status: "attached", diaryNumber: "2026-000003", matchedBy: "ocr" });
    // Two of our cases named: refused, listing what OCR read.
    expect(by["letter-two-cases-200-bw.png"].status).toBe("ambiguous");
    expect(by["letter-two-cases-200-bw.png"].message).toMatch(/OCR läste referenser till flera ärenden.*2026-000001.*2026-000002/);
    // A blank page: nothing to read, left with one line.
    expect(by["blank-150.png"].status).toBe("unmatched");
    expect(await diaryCount(s)).toBe(before + 2);
    expect(readdirSync(inbox).sort()).toEqual(["blank-150.png", "done", "letter-two-cases-200-bw.png"]);
    expect(readdirSync(join(inbox, "done")).sort()).toEqual(["form2-noqr-200-bw.png", "letter-synergi-table-150.jpg"]);

    // The recognised text is kept with the stored reply, encrypted, and shown by case show.
    const c = await s.cliJson(["case", "show", "2026-000002", "--json"]);
    expect(c.recognisedTexts).toHaveLength(1);
    expect(c.recognisedTexts[0].document).toBe(c.documents.at(-1).number);
    expect(c.recognisedTexts[0].text).toMatch(/Svarsblankett/);
    const shown = await s.cli(["case", "show", "2026-000002"]);
    expect(shown.stdout).toMatch(/Text läst med OCR ur 2026-000002:\d+:\n\s+Svarsblankett/);
    const stored = filesUnder(join(s.home, "data")).filter((f) => statSync(f).isFile());
    for (const f of stored) expect(readFileSync(f).includes("Svarsblankett"), f).toBe(false);
  });
});

describe("scanned replies: bad input is refused with one line and nothing is stored", () => {
  it("not an image, a 20,000 × 20,000 image, a 500-page TIFF", async () => {
    s = await register();
    const before = await diaryCount(s);
    const huge = join(s.home, "huge.png");
    writeFileSync(huge, pngClaiming(20_000, 20_000));
    const many = join(s.home, "many.tif");
    writeFileSync(many, tiffOfPages(500));
    const cases: Array<[string, RegExp]> = [
      [scan("not-an-image.png"), /inte en PDF och inte heller en bild/],
      [huge, /för stor att läsa \(över 60 miljoner bildpunkter/],
      [many, /fler än 20 sidor/],
    ];
    for (const [file, message] of cases) {
      const bytes = readFileSync(file);
      const r = await s.cli(["reply", "attach", file]);
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(message);
      expect(r.stderr.trim().split("\n"), file).toHaveLength(1);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    }
    expect(await diaryCount(s)).toBe(before);
  });

  it("--case naming another case than the file does is refused unless --force", async () => {
    s = await register();
    const before = await diaryCount(s);
    const r = await s.cli(["reply", "attach", scan("form1-fax.tif"), "--case", "2026-000002"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hänvisar till 2026-000001, inte till 2026-000002.*--force/);
    expect(await diaryCount(s)).toBe(before);
    const forced = await s.cli(["reply", "attach", scan("form1-fax.tif"), "--case", "2026-000002", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ diaryNumber: "2026-000002", matchedBy: "case" });
    expect(forced.stderr).toMatch(/kopplas ändå till 2026-000002 \(--force\)/);
  });
});
