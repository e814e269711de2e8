// The board report is published: a tagged PDF (logical structure in reading order, headings, tables, each chart
// a figure with alternative text that carries its figures) and PDF/A with its metadata.

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { bytes, catalog, fonts, objects, xmp } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

interface Node {
  role?: string;
  alt?: string;
  children?: Node[];
}

async function structure(file: string): Promise<Node[]> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes(file)), isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    const out: Node[] = [];
    for (let i = 1; i <= doc.numPages; i++) out.push((await (await doc.getPage(i)).getStructTree()) as Node);
    return out;
  } finally {
    await task.destroy();
  }
}

function walk(n: Node, f: (n: Node) => void): void {
  f(n);
  for (const c of n.children ?? []) walk(c, f);
}

describe("board report", () => {
  it("is a tagged PDF/A with headings, tables and charts with alternative text", async () => {
    s = linkoping();
    for (let i = 0; i < 3; i++) await s.cliJson(outgoingCase(["--summary", `Utskriven utan läkemedelslista ${i}`]));
    await s.cliJson(outgoingCase(["--counterpart", "norrkoping", "--unit", "norrkoping", "--area", "information"]).filter(Boolean));
    const r = await s.cli(["stats", "--period", "2026H1", "--pdf", "board.pdf"]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(s.home, "board.pdf");
    expect(catalog(file)).toMatch(/\/MarkInfo \d+ 0 R/);
    expect(objects(file).some((o) => /\/Marked true/.test(o))).toBe(true);
    expect(catalog(file)).toMatch(/\/StructTreeRoot \d+ 0 R/);
    expect(catalog(file)).toContain("/Lang (sv-SE)");
    expect(xmp(file)).toContain("<pdfaid:part>2</pdfaid:part>");
    expect(fonts(file).standard14).toEqual([]);

    const roles: string[] = [];
    const figures: Node[] = [];
    for (const page of await structure(file)) {
      walk(page, (n) => {
        if (n.role) roles.push(n.role);
        if (n.role === "Figure") figures.push(n);
      });
    }
    expect(roles).toContain("H1");
    expect(roles).toContain("H2");
    expect(roles).toContain("Table");
    expect(roles).toContain("TH");
    expect(roles).toContain("TD");
    // the charts by area and by counterpart have data: each a figure whose alternative text carries the numbers
    expect(figures.length).toBeGreaterThanOrEqual(2);
    const alts = figures.map((f) => f.alt ?? "");
    expect(alts.some((a) => /Avvikelser per rapporteringsområde/.test(a) && /Läkemedelsbehandling: 3/.test(a))).toBe(true);
    expect(alts.some((a) => /Region Östergötland: 3/.test(a) && /Norrköpings kommun: 1/.test(a))).toBe(true);
    // reading order: the title before the key figures before the tables
    const h1 = roles.indexOf("H1");
    expect(h1).toBeLessThan(roles.indexOf("Table"));
  });
});
