// The analysis document (Bilaga 1): fillable A–H over ruled lines, what the case knows prefilled, and no unit
// named (the directory's unit names replaced by a neutral mark, said on stderr), PDF/A kept.

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { bytes, catalog, objects, pdfPages, streams, xmp } from "../helpers/pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

async function formFields(file: string): Promise<Record<string, Array<{ type: string; editable: boolean; multiline?: boolean }>>> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes(file)), isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    return ((await doc.getFieldObjects()) ?? {}) as never;
  } finally {
    await task.destroy();
  }
}

describe("analysis document", () => {
  it("has A–H as fillable fields over ruled lines, prefills what the case knows and names no unit", async () => {
    s = linkoping();
    await s.cliJson(
      outgoingCase([
        "--ref", "medcontrol:123", "--person", "19121212-1212:Tolvan Tolvansson",
        "--description", "Patienten kom från Vrinnevisjukhuset, medicinkliniken till hemtjänsten ryd utan lista. Vrinnevisjukhuset ringde dagen efter.",
      ]),
    );
    await s.cliJson(["case", "update", "2026-000001", "--severity", "gul", "--causes", "Särskilt boende Ekholmen fick fel dos."]);
    const r = await s.cli(["analysis", "2026-000001", "-o", "a.pdf"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[enhet\]/);
    expect(r.stderr).toMatch(/Vrinnevisjukhuset, medicinkliniken/);
    expect(r.stderr).toMatch(/Hemtjänsten Ryd/);
    expect(r.stderr).toMatch(/Särskilt boende Ekholmen/);
    const file = join(s.home, "a.pdf");
    const all = (await pdfPages(file)).join("\n");
    expect(all).toContain("Patienten kom från [enhet] till [enhet] utan lista. [enhet] ringde dagen efter.");
    expect(all).toContain("[enhet] fick fel dos.");
    expect(all).not.toMatch(/Vrinnevisjukhuset|Ekholmen|hemtjänsten ryd/i);
    // prefilled: the pair of providers, area, kind, severity, event date
    for (const v of ["Linköpings kommun", "Region Östergötland", "Läkemedelsbehandling", "Tillbud", "Gul", "2026-03-01", "2026-03-02"]) expect(all).toContain(v);
    expect(all).not.toContain("Tolvan");
    expect(all).not.toContain("19121212");

    // A–H: multiline text fields, editable
    const fields = await formFields(file);
    expect(Object.keys(fields).sort()).toEqual(["A", "B", "C", "D", "E", "F", "G", "H"]);
    for (const [name, entries] of Object.entries(fields)) {
      // the field and its widget: the widget is the editable text area
      const f = entries.find((e) => e.type === "text");
      expect(f, name).toBeDefined();
      expect(f!.editable, name).toBe(true);
      expect(f!.multiline, name).toBe(true);
    }
    // each widget printable with an appearance (PDF/A: no NeedAppearances)
    const widgets = objects(file).filter((o) => /\/Subtype \/Widget/.test(o));
    expect(widgets).toHaveLength(8);
    for (const w of widgets) {
      expect(w).toMatch(/\/F 4\b/);
      expect(w).toMatch(/\/AP <<\s*\/N \d+ 0 R/);
    }
    expect(catalog(file)).toMatch(/\/AcroForm \d+ 0 R/);
    expect(objects(file).find((o) => /\/Fields \[/.test(o))).toMatch(/\/NeedAppearances false/);
    // the ruled lines are still drawn for those who print (grey strokes in the page content)
    expect(streams(file).join("\n").match(/ l\s*\n?S/g)?.length ?? 0).toBeGreaterThan(20);
    expect(xmp(file)).toContain("<pdfaid:part>2</pdfaid:part>");
  });

  it("names no person: the case's persons and the directory's contacts written into its text are replaced", async () => {
    s = linkoping();
    await s.cliJson(
      outgoingCase([
        "--person", "19121212-1212:Tolvan Tolvansson",
        "--description", "Tolvan skrevs ut utan lista; Karin Lindqvist ringde per telefon, ingen svarade. Tolvansson fick fel dos.",
      ]),
    );
    const r = await s.cli(["analysis", "2026-000001", "-o", "a.pdf"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[person\]/);
    // stderr counts them and names none
    expect(r.stderr).not.toMatch(/Tolvan|Karin Lindqvist/);
    const all = (await pdfPages(join(s.home, "a.pdf"))).join("\n").replace(/\s+/g, " ");
    expect(all).toContain("[person] skrevs ut utan lista; [person] ringde per telefon, ingen svarade. [person] fick fel dos.");
    expect(all).not.toMatch(/Tolvan|Karin|Lindqvist/);
  });
});
