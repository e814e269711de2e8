// OCR runs on this machine and sends nothing anywhere (issue 13): tesseract.js is given the Swedish data of the
// installed npm package, no cache, and a worker thread of ours whose network functions throw. Run from dist/
// (the OCR thread is the built one). One worker for the file: tesseract takes a second or more to start.

import { existsSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

type Ocr = typeof import("../../src/documents/ocr.js");
type Images = typeof import("../../src/documents/images.js");
type Raster = typeof import("../../src/documents/raster.js");
const ocr: Ocr = await import("../../dist/documents/ocr.js" as string);
const images: Images = await import("../../dist/documents/images.js" as string);
const raster: Raster = await import("../../dist/documents/raster.js" as string);

const options = ocr.ocrWorkerOptions();
const pool = new ocr.OcrPool(1, 120_000, options);
afterAll(async () => {
  await pool.close();
  rmSync(options.cachePath, { recursive: true, force: true });
});

describe("OCR on this machine", () => {
  it("is given local data only: the installed Swedish best_int data, no cache, our own thread", () => {
    expect(options.langPath).toBe(join(ROOT, "node_modules", "@tesseract.js-data", "swe", "4.0.0_best_int"));
    expect(options.langPath).not.toMatch(/^[a-z]+:/i);
    expect(existsSync(join(options.langPath, "swe.traineddata.gz"))).toBe(true);
    expect(options.cacheMethod).toBe("none");
    expect(options.cachePath.startsWith(tmpdir())).toBe(true);
    expect(options.workerPath).toBe(join(ROOT, "dist", "documents", "ocrThread.js"));
  });

  it("reads a scanned line without any network call, in this process or in its thread, and writes no cache", async () => {
    // This process: every way out recorded (the OCR thread refuses them by itself, see the next test).
    const calls: string[] = [];
    const saved = { fetch: globalThis.fetch, http: http.request, https: https.request, connect: net.Socket.prototype.connect };
    globalThis.fetch = (async (u: unknown) => {
      calls.push(`fetch ${String(u)}`);
      throw new Error("no network in this test");
    }) as typeof fetch;
    http.request = ((...a: unknown[]) => (calls.push(`http ${String(a[0])}`), saved.http(...(a as Parameters<typeof http.request>)))) as typeof http.request;
    https.request = ((...a: unknown[]) => (calls.push(`https ${String(a[0])}`), saved.https(...(a as Parameters<typeof https.request>)))) as typeof https.request;
    net.Socket.prototype.connect = function (this: net.Socket, ...a: unknown[]) {
      calls.push("socket");
      return saved.connect.apply(this, a as never);
    } as typeof net.Socket.prototype.connect;
    try {
      const file = join(ROOT, "fixtures", "scans", "corpus", "form2-noqr-200-bw.png");
      const page = await images.imagePage((await import("node:fs")).readFileSync(file), "png", 0, images.scanLimits({}));
      // The top of the form: title and reference line (a small image, quick to read).
      const top = raster.binarise(raster.crop(page, 0, 0, 0.7, 0.12));
      const r = await pool.recognise(images.encodeBitonalPng(top), top.dpi);
      expect(r.text).toMatch(/Referens:\s*2026\s*-\s*000002/);
      expect(r.confidence).toBeGreaterThan(50);
    } finally {
      globalThis.fetch = saved.fetch;
      http.request = saved.http;
      https.request = saved.https;
      net.Socket.prototype.connect = saved.connect;
    }
    expect(calls).toEqual([]);
    expect(readdirSync(options.cachePath)).toEqual([]);
    expect(existsSync(join(process.cwd(), "swe.traineddata"))).toBe(false);
  });

  it("its thread refuses the network: told to load its data from a URL, it fails with our refusal (not a download attempt)", async () => {
    const remote = new ocr.OcrPool(1, 60_000, { ...options, langPath: "https://cdn.jsdelivr.net/npm/@tesseract.js-data/swe/4.0.0_best_int" });
    try {
      const png = images.encodeBitonalPng({ data: new Uint8Array(64 * 64).fill(255), width: 64, height: 64, dpi: 300 });
      await expect(remote.recognise(png)).rejects.toThrow(/network access refused/);
    } finally {
      await remote.close();
    }
  });
});
