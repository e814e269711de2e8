import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PDFParse } from "pdf-parse";
import { PNG } from "pngjs";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";
import { textItems } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const FIX = join(ROOT, "fixtures", "replies");

/** Text per page, read back with pdf-parse. */
async function pages(file: string | Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(typeof file === "string" ? readFileSync(file) : file) });
  try {
    const r = await parser.getText({ pageJoiner: "" });
    return r.pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

function storedFiles(home: string): string[] {
  const dir = join(home, "data", "files");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
}

function fixture(name: string): string {
  const target = join(s.home, name);
  copyFileSync(join(FIX, name), target);
  return target;
}

const PERSON = "19121212-1212:Tolvan Tolvansson";

/**
 * A "scan" of one page of a generated PDF: the page rendered at 100 dpi and put, as a grey image and
 * nothing else, into a PDF written by hand (no text layer, no pdfkit).
 */
async function scanOfPage(file: string, page: number): Promise<Buffer> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(file)) });
  let png: PNG;
  try {
    const shot = await parser.getScreenshot({ partial: [page], scale: 100 / 72, imageDataUrl: false });
    png = PNG.sync.read(Buffer.from(shot.pages[0]!.data));
  } finally {
    await parser.destroy();
  }
  const grey = Buffer.alloc(png.width * png.height);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round((png.data[i * 4]! + png.data[i * 4 + 1]! + png.data[i * 4 + 2]!) / 3);
  const data = deflateSync(grey);
  const content = Buffer.from("q 595.28 0 0 841.89 0 0 cm /Im1 Do Q");
  const objs: Buffer[] = [
    Buffer.from("<< /Type /Catalog /Pages 2 0 R >>"),
    Buffer.from("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    Buffer.from("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>"),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from("\nendstream")]),
    Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${png.width} /Height ${png.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n`), data, Buffer.from("\nendstream")]),
  ];
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n")];
  const offsets: number[] = [];
  let pos = parts[0]!.length;
  objs.forEach((o, i) => {
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from("\nendobj\n")]);
    offsets.push(pos);
    parts.push(b);
    pos += b.length;
  });
  const xref = ["xref", `0 ${objs.length + 1}`, "0000000000 65535 f ", ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n `)].join("\n");
  parts.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`));
  return Buffer.concat(parts);
}

describe("packet for an outgoing case", () => {
  it("addresses the coordinator, asks for a reply by the due date, masks persons, diarises and marks the case sent", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678", "--person", PERSON]));
    const r = await s.cliJson(["packet", "2026-000001"]);
    expect(r.file).toBe(join(s.home, "2026-000001-packet.pdf"));
    expect(r.status).toBe("sent");
    expect(r.document).toMatchObject({ number: "2026-000001:2", direction: "out" });
    expect(r.encrypted).toBe(false);

    const text = await pages(r.file);
    expect(text.length).toBe(r.pages);
    text.forEach((p, i) => {
      expect(p).toContain("2026-000001");
      expect(p).toContain(`Sida ${i + 1} av ${text.length}`);
    });
    const letter = text[0]!;
    for (const line of ["Region Östergötland", "Patientsäkerhetssamordnare", "Box 905", "612 25 Finspång"]) expect(letter).toContain(line);
    expect(letter).toContain("Linköpings kommun");
    expect(letter).toContain("Synergi 45678");
    expect(letter).toMatch(/Svara senast:? 2026-06-02/);
    const all = text.join("\n");
    expect(all).toContain("Avvikelserapport");
    expect(all).toContain("Utskriven från sjukhus utan läkemedelslista");
    expect(text.at(-1)).toContain("Svarsblankett");
    expect(text.at(-1)).toContain("Referens: 2026-000001");
    expect(all).toContain("19121212-****");
    expect(all).not.toContain("1212-1212");
    expect(all).not.toContain("Tolvansson");

    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c.status).toBe("sent");
    expect(c.documents).toHaveLength(2);
    expect(c.documents[1].subject).toMatch(/skickad per post/);
    expect(c.documents[1].party).toBe("Patientsäkerhetssamordnare östra länsdelen");
    // a copy is kept in the data directory under its content hash
    const copy = storedFiles(s.home).find((f) => f.endsWith(r.hash));
    expect(copy && readFileSync(copy).equals(readFileSync(r.file))).toBe(true);

    // the reply form: the label under the other party's number wraps (a long name); the first heading keeps below it
    const form = await textItems(r.file, r.pages);
    const label = form.filter((i) => i.str.includes("ärendenummer") || i.str.includes("Synergi)"));
    const heading = form.find((i) => i.str === "Orsaker")!;
    expect(label.length).toBeGreaterThan(0);
    const lastLabelLine = Math.max(...form.filter((i) => i.xMm > 100 && i.yMm >= label[0]!.yMm && i.yMm < heading.yMm + 5 && i.sizePt < 9).map((i) => i.yMm));
    expect(heading.yMm - heading.sizePt * (25.4 / 72), "Orsaker under the label").toBeGreaterThan(lastLabelLine);
  });

  it("prints personal data only when asked, keeps that copy encrypted and records the reveal", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--person", PERSON]));
    const r = await s.cliJson(["packet", "2026-000001", "--with-personal-data", "-o", "mas.pdf"]);
    expect(r.encrypted).toBe(true);
    const all = (await pages(join(s.home, "mas.pdf"))).join("\n");
    expect(all).toContain("19121212-1212");
    expect(all).toContain("Tolvan Tolvansson");
    const copy = storedFiles(s.home).find((f) => f.endsWith(r.hash))!;
    expect(readFileSync(copy).includes("%PDF")).toBe(false);
    const audit = await s.cliJson(["audit", "list", "--case", "2026-000001"]);
    expect(audit.some((e: any) => e.action === "reveal" && e.details.purpose === "packet")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain("1212-1212");
    expect(JSON.stringify(await s.cliJson(["diary", "list"]))).not.toContain("1212-1212");
  });

  it("gives the same bytes twice under a fixed clock and does not diarise the same packet twice", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    const a = await s.cliJson(["packet", "2026-000001", "-o", "a.pdf"]);
    const b = await s.cliJson(["packet", "2026-000001", "-o", "b.pdf"]);
    expect(readFileSync(join(s.home, "a.pdf")).equals(readFileSync(join(s.home, "b.pdf")))).toBe(true);
    expect(b.hash).toBe(a.hash);
    expect(b.document).toBeNull();
    expect(b.existingDocument).toBe("2026-000001:2");
    // printed again another day: a new outgoing document, the status stays
    const c = await s.cliJson(["packet", "2026-000001", "-o", "c.pdf"], { env: { AVVIK_NOW: "2026-04-01T10:00:00" } });
    expect(c.document.number).toBe("2026-000001:3");
    expect(c.document.subject).toMatch(/på nytt/);
    expect(c.status).toBe("sent");
    const r1 = await s.cli(["report", "2026-000001", "-o", "r1.pdf"]);
    const r2 = await s.cli(["report", "2026-000001", "-o", "r2.pdf"]);
    expect(r1.code + r2.code).toBe(0);
    expect(readFileSync(join(s.home, "r1.pdf")).equals(readFileSync(join(s.home, "r2.pdf")))).toBe(true);
  });

  it("refuses a packet for a case that is answered or closed", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    await s.cliJson(["case", "status", "2026-000001", "answered"]);
    const r = await s.cli(["packet", "2026-000001"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/redan besvarat/);
    expect(existsSync(join(s.home, "2026-000001-packet.pdf"))).toBe(false);
  });
});

describe("packet for an incoming case: our answer", () => {
  it("refuses without causes and actions, then answers with them", async () => {
    s = linkoping();
    await s.cliJson(incomingCase(["--ref", "synergi:777"]));
    await s.cliJson(["case", "assign", "2026-000001", "--to", "sara.nilsson@linkoping.example"]);
    const refused = await s.cli(["packet", "2026-000001"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--causes, --actions/);
    await s.cliJson(["case", "update", "2026-000001", "--causes", "Överrapporteringen saknade läkemedelslistan.", "--actions", "Ny checklista vid hemgång.", "--follow-up", "Stickprov efter tre månader."]);
    const r = await s.cliJson(["packet", "2026-000001"]);
    expect(r.status).toBe("answered");
    const all = (await pages(r.file)).join("\n");
    expect(all).toContain("Svar på avvikelse i samverkan");
    expect(all).toContain("Synergi 777");
    expect(all).toContain("Ny checklista vid hemgång.");
    expect(all).toContain("Stickprov efter tre månader.");
    expect(all).toContain("612 25 Finspång"); // the region's deviation recipient, not its central address
    expect(all).not.toContain("581 91 Linköping");
  });
});

describe("analysis document", () => {
  it("has the sections A to H, fills what the case knows and never shows personal data", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "medcontrol:123", "--person", PERSON]));
    const r = await s.cli(["analysis", "2026-000001"]);
    expect(r.code).toBe(0);
    const all = (await pages(join(s.home, "2026-000001-analys.pdf"))).join("\n");
    for (const l of ["A", "B", "C", "D", "E", "F", "G", "H"]) expect(all).toMatch(new RegExp(`^${l}\\. `, "m"));
    expect(all).toContain("2026-03-02"); // B: discovered
    expect(all).toContain("Ärendenummer i MedControl PRO");
    expect(all).toContain("123");
    expect(all).not.toContain("19121212");
    expect(all).not.toContain("Tolvan");
  });
});

describe("reply attach", () => {
  it("runs the Östergötland flow: packet, scanned answer, case answered and diarised in the same case", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    await s.cliJson(["packet", "2026-000001"]);
    const file = fixture("hand-ert-dnr.pdf");
    const before = readFileSync(file);
    const r = await s.cliJson(["reply", "attach", file]);
    expect(r).toMatchObject({ caseId: 1, diaryNumber: "2026-000001", document: { number: "2026-000001:3", direction: "in" } });
    expect(readFileSync(file).equals(before)).toBe(true);
    // The stored copy of a reply from outside is encrypted: neither a PDF nor its text is readable in the data directory.
    const stored = readFileSync(storedFiles(s.home).find((f) => f.endsWith(r.hash))!);
    expect(stored.includes(Buffer.from("%PDF"))).toBe(false);
    expect(stored.equals(before)).toBe(false);
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c.status).toBe("answered");
    expect(c.documents.map((d: any) => d.direction)).toEqual(["out", "out", "in"]);
    // the same file again is recognised; nothing changes
    const again = await s.cliJson(["reply", "attach", file]);
    expect(again.alreadyAttached).toBe(true);
    expect(again.document.number).toBe("2026-000001:3");
    expect((await s.cliJson(["case", "show", "2026-000001"])).documents).toHaveLength(3);
  });

  it("finds the case by the Synergi number and by a number broken over two lines", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    await s.cliJson(outgoingCase());
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    expect((await s.cliJson(["reply", "attach", fixture("hand-synergi.pdf")])).diaryNumber).toBe("2026-000001");
    await s.cliJson(["case", "status", "2026-000002", "sent"]);
    await s.cliJson(["case", "update", "2026-000002", "--ref", "medcontrol:1"]);
    expect((await s.cliJson(["reply", "attach", fixture("hand-linebreak.pdf")])).diaryNumber).toBe("2026-000001");
  });

  it("reads the QR code of an image-only scan", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    const r = await s.cliJson(["reply", "attach", fixture("scan-qr.pdf")]);
    expect(r.diaryNumber).toBe("2026-000001");
    expect(r.matchedBy).toBe("qr");
  });

  it("matches a scan of our own reply form (no text layer) by its QR code", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    const packet = await s.cliJson(["packet", "2026-000002"]);
    const scan = join(s.home, "scan-of-form.pdf");
    writeFileSync(scan, await scanOfPage(packet.file, packet.pages));
    expect((await pages(scan)).join("").trim()).toBe("");
    const r = await s.cliJson(["reply", "attach", scan]);
    expect(r).toMatchObject({ diaryNumber: "2026-000002", matchedBy: "qr" });
    expect((await s.cliJson(["case", "show", "2026-000002"])).status).toBe("answered");
  });

  it("marks a case never marked as sent as sent and answered, with a note", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const r = await s.cli(["reply", "attach", fixture("hand-ert-dnr.pdf"), "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/inte markerat som skickat/);
    expect(JSON.parse(r.stdout).statusChanges.map((x: any) => x.to)).toEqual(["sent", "answered"]);
  });

  it("refuses what it cannot match or read, stores nothing and leaves the file unchanged", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(outgoingCase());
    const cases: Array<[string, RegExp]> = [
      ["not-a-pdf.pdf", /inte en PDF/],
      ["truncated.pdf", /avkortad/],
      ["hand-no-reference.pdf", /inget diarienummer/],
      ["hand-two-references.pdf", /flera ärenden: 2026-000001 .*2026-000002/],
      ["hand-near-misses.pdf", /inget diarienummer|Inget ärende/],
      ["scan-no-text.pdf", /OCR.*--case/],
    ];
    for (const [name, message] of cases) {
      const file = fixture(name);
      const before = readFileSync(file);
      const mtime = statSync(file).mtimeMs;
      // The scan without text is read by OCR at its lowest resolution: what OCR reads is tested in scans.test.ts,
      // here only that nothing read is refused (a page at 300 dpi, read twice, cost 5 s of CPU).
      const r = await s.cli(["reply", "attach", file], { env: { AVVIK_OCR_DPI: "100" } });
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(statSync(file).mtimeMs).toBe(mtime);
    }
    expect(storedFiles(s.home)).toEqual([]);
    expect(await s.cliJson(["diary", "list"])).toHaveLength(2);
    // with --case the registrar decides
    const r = await s.cliJson(["reply", "attach", join(s.home, "hand-no-reference.pdf"), "--case", "2026-000002"]);
    expect(r.diaryNumber).toBe("2026-000002");
  });
});

describe("reply inbox", () => {
  it("attaches what matches, moves it to done/ and leaves the rest with a report", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase(["--ref", "synergi:45678"]));
    await s.cliJson(["packet", "2026-000001"]);
    const inbox = join(s.home, "inbox");
    mkdirSync(inbox);
    for (const f of ["hand-ert-dnr.pdf", "scan-qr.pdf", "not-a-pdf.pdf", "hand-no-reference.pdf"]) copyFileSync(join(FIX, f), join(inbox, f));
    const r = await s.cli(["reply", "inbox", inbox, "--json"]);
    expect(r.code).toBe(1); // files were left
    const report = JSON.parse(r.stdout);
    const by = Object.fromEntries(report.files.map((f: any) => [f.file, f.status]));
    expect(by).toEqual({ "hand-ert-dnr.pdf": "attached", "hand-no-reference.pdf": "unmatched", "not-a-pdf.pdf": "invalid", "scan-qr.pdf": "attached" });
    expect(readdirSync(inbox).sort()).toEqual(["done", "hand-no-reference.pdf", "not-a-pdf.pdf"]);
    expect(readdirSync(join(inbox, "done")).sort()).toEqual(["hand-ert-dnr.pdf", "scan-qr.pdf"]);
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c.status).toBe("answered");
    expect(c.documents.filter((d: any) => d.direction === "in")).toHaveLength(2);
  });
});
