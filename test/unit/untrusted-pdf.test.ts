// Foreign PDFs read within limits (src/documents/untrusted.ts, run from dist/: the reading happens in the built
// worker thread). The bombs are made here: a few hundred kilobytes that inflate to hundreds of megabytes.

import { describe, expect, it } from "vitest";
import { attachmentBombPdf, flateBombPdf, manyPagesPdf, replyPdf } from "../helpers/hostile-pdf.js";

type Untrusted = typeof import("../../src/documents/untrusted.js");
const u: Untrusted = await import("../../dist/documents/untrusted.js" as string);

const MB = 1024 * 1024;
const limits = (over: Partial<ReturnType<Untrusted["pdfLimits"]>> = {}) => ({ ...u.DEFAULT_PDF_LIMITS, ...over });

async function refusal(p: Promise<unknown>): Promise<{ key: string; params: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { key?: string; params?: Record<string, unknown>; message: string };
    if (!err.key) throw e;
    return { key: err.key, params: err.params ?? {} };
  }
  throw new Error("the PDF was read, not refused");
}

describe("reading a foreign PDF within limits", () => {
  it("reads an ordinary reply in the worker, text and pages", async () => {
    const r = await u.readUntrustedPdf(replyPdf(["Svar på avvikelse", "Ert dnr: 2026-000042"]));
    expect(r.text).toContain("Ert dnr: 2026-000042");
    expect(r.pages).toBe(1);
    expect(r.hasText).toBe(true);
  });

  it("refuses a stream that inflates past the decoded-bytes limit (300 MB from a few hundred KB)", async () => {
    const bomb = flateBombPdf(300 * MB, "Ert dnr: 2026-000042");
    expect(bomb.length).toBeLessThan(400_000);
    const e = await refusal(u.readUntrustedPdf(bomb, {}, limits({ maxDecodedBytes: 32 * MB })));
    expect(e).toEqual({ key: "paper.error.pdfLimit.decoded", params: { n: 32 } });
  });

  it("refuses a real bomb (2 GB decoded, 2 MB on disk) with the default limits", async () => {
    const bomb = flateBombPdf(2000 * MB, "Ert dnr: 2026-000042");
    const rss0 = process.memoryUsage.rss();
    let peak = rss0;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const t0 = performance.now();
    const e = await refusal(u.readUntrustedPdf(bomb));
    clearInterval(watch);
    // Measured, not asserted: before the limits this took 20-30 s and 4 GB.
    console.log(`2 GB bomb (${(bomb.length / MB).toFixed(1)} MB on disk): refused in ${((performance.now() - t0) / 1000).toFixed(2)} s, process grew by at most ${((peak - rss0) / MB).toFixed(0)} MB`);
    expect(e.key).toBe("paper.error.pdfLimit.decoded");
  });

  it("refuses an embedded file (an exchange payload) that inflates past the limit", async () => {
    const e = await refusal(u.readUntrustedAttachment(attachmentBombPdf(300 * MB), "avvik-exchange.json", limits({ maxDecodedBytes: 32 * MB })));
    expect(e.key).toBe("paper.error.pdfLimit.decoded");
  });

  it("refuses more pages than the limit", async () => {
    const e = await refusal(u.readUntrustedPdf(manyPagesPdf(40), {}, limits({ maxPages: 10 })));
    expect(e).toEqual({ key: "paper.error.pdfLimit.pages", params: { n: 10 } });
    expect((await u.readUntrustedPdf(manyPagesPdf(10), {}, limits({ maxPages: 10 }))).pages).toBe(10);
  });

  it("refuses more text than the limit", async () => {
    const e = await refusal(u.readUntrustedPdf(replyPdf(Array.from({ length: 5 }, () => "Svar på avvikelse i samverkan")), {}, limits({ maxTextChars: 100 })));
    expect(e.key).toBe("paper.error.pdfLimit.text");
  });

  it("ends a reading that grows the process past the memory limit, and reads the next PDF in a new worker", async () => {
    // Decoded buffers are allowed up to 2 GB here, so only the watch on memory can stop this one.
    const e = await refusal(u.readUntrustedPdf(flateBombPdf(1000 * MB), {}, limits({ maxDecodedBytes: 2048 * MB, maxMemoryBytes: 200 * MB })));
    expect(e).toEqual({ key: "paper.error.pdfLimit.memory", params: { n: 200 } });
    expect((await u.readUntrustedPdf(replyPdf(["Ert dnr: 2026-000043"]))).text).toContain("2026-000043");
  });

  it("ends a reading past the time limit, and reads the next PDF in a new worker", async () => {
    const e = await refusal(u.readUntrustedPdf(replyPdf(["Svar"]), {}, limits({ maxMillis: 1 })));
    expect(e).toEqual({ key: "paper.error.pdfLimit.time", params: { n: 1 } });
    expect((await u.readUntrustedPdf(replyPdf(["Ert dnr: 2026-000044"]))).text).toContain("2026-000044");
  });

  it("refuses a file over the size limit before reading it", async () => {
    const e = await refusal(u.readUntrustedPdf(Buffer.alloc(3 * MB), {}, limits({ maxFileBytes: 2 * MB })));
    expect(e).toEqual({ key: "paper.error.pdfLimit.size", params: { n: 2 } });
  });

  it("takes the limits from the environment", () => {
    const l = u.pdfLimits({ AVVIK_PDF_MAX_DECODED_MB: "5", AVVIK_PDF_MAX_SECONDS: "3", AVVIK_PDF_MAX_PAGES: "x" });
    expect(l.maxDecodedBytes).toBe(5 * MB);
    expect(l.maxMillis).toBe(3000);
    expect(l.maxPages).toBe(u.DEFAULT_PDF_LIMITS.maxPages);
  });
});
