// Two places lean on what a library does not promise, each chosen by a measurement (README, OCR figures). This
// file fails when an upgrade takes away what they use, instead of the tool silently reading less or slower:
// - src/documents/read.ts paints a scanned PDF page with pdf-parse's own loaded pdf.js document (its `load`,
//   not part of its typed interface) instead of encoding it as a PNG; without it every scanned PDF page would
//   read as blank.
// - src/documents/ocrThread.ts puts tesseract.js-core's LSTM-only builds in the module cache where tesseract.js
//   would load the full ones (a worker starts in about half the CPU); without them the full core loads.
// The versions are pinned in package.json; this says what to look at when they move.

import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { PDFParse } from "pdf-parse";
import { renderPage } from "../../src/documents/read.js";
import { replyPdf } from "../helpers/hostile-pdf.js";

const require = createRequire(import.meta.url);

describe("what the tool uses of its libraries beyond their interfaces", () => {
  it("pdf-parse loads its pdf.js document with load(), and a scanned page is painted from it", async () => {
    expect(typeof (PDFParse.prototype as unknown as { load?: unknown }).load).toBe("function");
    const r = await renderPage(replyPdf(["Ert dnr: 2026-000043"]), { page: 1, dpi: 72, maxPixels: 10_000_000, maxPages: 10 });
    expect(r.page).not.toBeNull();
    const { rgba, width, height } = r.page!;
    expect(rgba.length).toBe(width * height * 4);
    // Text was painted: some pixels are dark, on a white page.
    let dark = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i]! < 128) dark++;
    expect(dark).toBeGreaterThan(50);
    expect(dark).toBeLessThan(width * height * 0.2);
  });

  it("tesseract.js-core ships the LSTM-only build of each core tesseract.js may load", () => {
    const loader = createRequire(require.resolve("tesseract.js/src/worker-script/node/getCore.js"));
    for (const name of ["tesseract-core-relaxedsimd", "tesseract-core-simd", "tesseract-core"]) {
      expect(() => loader.resolve(`tesseract.js-core/${name}`), name).not.toThrow();
      expect(() => loader.resolve(`tesseract.js-core/${name}-lstm`), `${name}-lstm`).not.toThrow();
    }
  });
});
