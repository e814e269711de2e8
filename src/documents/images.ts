// Scanned images as they come from scanners and fax servers (PNG, JPEG, TIFF with one or many pages) made into
// grey pages at the resolution OCR wants. `sharp` (libvips, prebuilt binaries from npm) decodes, turns by EXIF,
// scales and encodes; it is loaded on first use. The file's own resolution is honoured on each axis: a standard
// fax (204 × 98 dpi) has pixels twice as tall as wide and is scaled to square pixels.
//
// Bounded: a page of more than AVVIK_OCR_MAX_MEGAPIXELS (60) is refused before it is decoded (sharp reads the
// size from the header), a file of more than AVVIK_OCR_MAX_PAGES pages (20) likewise, and every page is made at
// most MAX_PAGE_PIXELS large whatever its resolution, so one page costs at most some tens of megabytes.

import { crc32, deflateSync } from "node:zlib";
import { InvalidDataError } from "../core/errors.js";
import type { Raster } from "./raster.js";

export type ImageKind = "png" | "jpeg" | "tiff";

/** The kind of an image file from its first bytes (its name is not trusted). */
export function imageKind(data: Buffer): ImageKind | null {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return "png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "jpeg";
  if (data.length >= 8 && ((data[0] === 0x49 && data[1] === 0x49 && data[2] === 0x2a && data[3] === 0) || (data[0] === 0x4d && data[1] === 0x4d && data[2] === 0 && data[3] === 0x2a))) return "tiff";
  return null;
}

export const IMAGE_MEDIA_TYPE: Record<ImageKind, string> = { png: "image/png", jpeg: "image/jpeg", tiff: "image/tiff" };

export interface ScanLimits {
  /** Pixels of one page of an image file, at most (before decoding). */
  maxInputPixels: number;
  /** Pages of an image file, or pages of a PDF without text read by OCR, at most. */
  maxPages: number;
  /** The resolution pages are read at when the first reading found no reference (dots per inch). */
  dpi: number;
  /**
   * The resolution a page is first read at (at most `dpi`; AVVIK_OCR_FIRST_DPI, by default `dpi` itself): a
   * page that names none of our cases at it is read again at `dpi`. At 200 dpi a reading costs tesseract about
   * half of one at 300, but digits are misread more often (a fax's "2026-000003" read "2026-000002"), and a
   * misread that names another of our cases is a wrong match if nothing else on the page names the right one:
   * so it is not the default.
   */
  firstDpi: number;
  /** Milliseconds of CPU time OCR may take for one page (its thread's, threadCpu.ts). */
  maxPageMillis: number;
}

export function scanLimits(env: NodeJS.ProcessEnv = process.env): ScanLimits {
  const num = (name: string, fallback: number, min = 1, max = Infinity) => {
    const v = env[name];
    return v && /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : fallback;
  };
  const dpi = num("AVVIK_OCR_DPI", 300, 100, 600);
  return {
    maxInputPixels: num("AVVIK_OCR_MAX_MEGAPIXELS", 60) * 1_000_000,
    maxPages: num("AVVIK_OCR_MAX_PAGES", 20),
    dpi,
    firstDpi: Math.min(dpi, num("AVVIK_OCR_FIRST_DPI", dpi, 100, 600)),
    maxPageMillis: num("AVVIK_OCR_MAX_SECONDS", 120) * 1000,
  };
}

/** A page is made at most this large (A4 at 300 dpi is 8.7 million pixels; A3 at 300 dpi 17.4 million). */
export const MAX_PAGE_PIXELS = 18_000_000;

export interface Resolution {
  x: number;
  y: number;
}

const plausible = (v: number) => Number.isFinite(v) && v >= 50 && v <= 2400;

/** The resolution a PNG (pHYs), JPEG (JFIF) or TIFF page (XResolution/YResolution) declares, if any. */
export function declaredResolution(data: Buffer, kind: ImageKind, page = 0): Resolution | null {
  try {
    const r = kind === "png" ? pngResolution(data) : kind === "jpeg" ? jpegResolution(data) : tiffResolution(data, page);
    return r && plausible(r.x) && plausible(r.y) ? r : null;
  } catch {
    return null;
  }
}

function pngResolution(data: Buffer): Resolution | null {
  let at = 8;
  for (let i = 0; i < 64 && at + 8 <= data.length; i++) {
    const len = data.readUInt32BE(at);
    const type = data.toString("latin1", at + 4, at + 8);
    if (type === "pHYs" && at + 17 <= data.length) {
      if (data[at + 16] !== 1) return null; // unit unknown: only an aspect ratio
      return { x: data.readUInt32BE(at + 8) * 0.0254, y: data.readUInt32BE(at + 12) * 0.0254 };
    }
    if (type === "IDAT" || type === "IEND") return null;
    at += 12 + len;
  }
  return null;
}

function jpegResolution(data: Buffer): Resolution | null {
  let at = 2;
  for (let i = 0; i < 32 && at + 4 <= data.length; i++) {
    if (data[at] !== 0xff) return null;
    const marker = data[at + 1]!;
    const len = data.readUInt16BE(at + 2);
    if (marker === 0xe0 && data.toString("latin1", at + 4, at + 9) === "JFIF\0") {
      const unit = data[at + 11];
      const x = data.readUInt16BE(at + 12);
      const y = data.readUInt16BE(at + 14);
      if (unit === 1) return { x, y };
      if (unit === 2) return { x: x * 2.54, y: y * 2.54 };
      return null;
    }
    if (marker === 0xda) return null;
    at += 2 + len;
  }
  return null;
}

/** Walks a TIFF's chain of pages (IFDs): the count, and the tags of one page. Bounded against loops. */
function tiffPages(data: Buffer, want: number, limit: number): { count: number; tags?: Map<number, number> } {
  const le = data[0] === 0x49;
  const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  let ifd = u32(4);
  let count = 0;
  let tags: Map<number, number> | undefined;
  const seen = new Set<number>();
  while (ifd > 0 && ifd + 2 <= data.length && !seen.has(ifd) && count <= limit) {
    seen.add(ifd);
    const n = u16(ifd);
    if (count === want) {
      tags = new Map();
      for (let i = 0; i < n && ifd + 2 + i * 12 + 12 <= data.length; i++) {
        const e = ifd + 2 + i * 12;
        const tag = u16(e);
        const type = u16(e + 2);
        if (type === 5) {
          // RATIONAL: an offset to two longs
          const off = u32(e + 8);
          if (off + 8 <= data.length && u32(off + 4) !== 0) tags.set(tag, u32(off) / u32(off + 4));
        } else if (type === 3) tags.set(tag, u16(e + 8));
        else if (type === 4) tags.set(tag, u32(e + 8));
      }
    }
    count++;
    const next = ifd + 2 + n * 12;
    ifd = next + 4 <= data.length ? u32(next) : 0;
  }
  return { count, tags };
}

function tiffResolution(data: Buffer, page: number): Resolution | null {
  const { tags } = tiffPages(data, page, page + 1);
  if (!tags) return null;
  const x = tags.get(282);
  const y = tags.get(283) ?? x;
  if (x === undefined || y === undefined) return null;
  const unit = tags.get(296) ?? 2;
  if (unit === 3) return { x: x * 2.54, y: y * 2.54 };
  return unit === 2 ? { x, y } : null;
}

/** Whether a page of this many inches across and down is a sheet of paper: A6 (4.1 × 5.8) to A3 (11.7 × 16.5). */
export function plausiblePage(width: number, height: number): boolean {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  return short >= 3.5 && long >= 5.5 && long <= 17.5 && long / short <= 2.2;
}

type Sharp = typeof import("sharp").default;
let sharpModule: Sharp | undefined;

async function loadSharp(): Promise<Sharp> {
  if (!sharpModule) {
    const m = await import("sharp");
    sharpModule = m.default;
    // One libvips thread pool for the process; its cache is of no use for pages read once.
    sharpModule.cache(false);
  }
  return sharpModule;
}

/** Pages of an image file, refused when it is not one or has too many or too large pages. */
export async function imagePageCount(data: Buffer, kind: ImageKind, limits: ScanLimits): Promise<number> {
  let pages = 1;
  if (kind === "tiff") {
    try {
      pages = tiffPages(data, -1, limits.maxPages + 1).count;
    } catch {
      throw new InvalidDataError("paper.error.imageBroken", { kind: kind.toUpperCase() });
    }
    if (pages > limits.maxPages) throw new InvalidDataError("paper.error.imagePages", { n: limits.maxPages });
    if (pages === 0) throw new InvalidDataError("paper.error.imageBroken", { kind: kind.toUpperCase() });
  }
  const sharp = await loadSharp();
  for (let page = 0; page < pages; page++) {
    let meta;
    try {
      meta = await sharp(data, { page, limitInputPixels: false }).metadata();
    } catch {
      throw new InvalidDataError("paper.error.imageBroken", { kind: kind.toUpperCase() });
    }
    if (!meta.width || !meta.height) throw new InvalidDataError("paper.error.imageBroken", { kind: kind.toUpperCase() });
    if (meta.width * meta.height > limits.maxInputPixels) {
      throw new InvalidDataError("paper.error.imageTooLarge", { width: meta.width, height: meta.height, n: Math.round(limits.maxInputPixels / 1_000_000) });
    }
  }
  return pages;
}

/**
 * One page of an image file as a grey page at `limits.dpi` (square pixels): the declared resolution of each
 * axis honoured (else the page taken to be A4 wide), turned as its EXIF orientation says, alpha on white.
 */
export async function imagePage(data: Buffer, kind: ImageKind, page: number, limits: ScanLimits): Promise<Raster> {
  const sharp = await loadSharp();
  try {
    const img = sharp(data, { page, limitInputPixels: limits.maxInputPixels, failOn: "none" });
    const meta = await img.metadata();
    const swap = (meta.orientation ?? 1) >= 5; // EXIF orientations 5–8 swap width and height
    const w = swap ? meta.height! : meta.width!;
    const h = swap ? meta.width! : meta.height!;
    const given = declaredResolution(data, kind, page);
    const oriented = given && (swap ? { x: given.y, y: given.x } : given);
    // A resolution that makes the page no sheet of paper (many scanners write 72 dpi whatever they scanned at)
    // is not believed: the page is then taken to be A4 wide, as when none is declared.
    const res = oriented && plausiblePage(w / oriented.x, h / oriented.y) ? oriented : { x: Math.max(50, w / 8.27), y: Math.max(50, w / 8.27) };
    let tw = Math.round((w * limits.dpi) / res.x);
    let th = Math.round((h * limits.dpi) / res.y);
    let dpi = limits.dpi;
    if (tw * th > MAX_PAGE_PIXELS) {
      const k = Math.sqrt(MAX_PAGE_PIXELS / (tw * th));
      tw = Math.round(tw * k);
      th = Math.round(th * k);
      dpi = limits.dpi * k;
    }
    const { data: grey, info } = await img
      .rotate()
      .flatten({ background: "#ffffff" })
      .greyscale()
      .resize(Math.max(1, tw), Math.max(1, th), { fit: "fill", kernel: "lanczos3" })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(grey.buffer, grey.byteOffset, grey.byteLength), width: info.width, height: info.height, dpi };
  } catch (e) {
    if (e instanceof Error && /pixel limit/i.test(e.message)) throw new InvalidDataError("paper.error.imageTooLarge", { width: 0, height: 0, n: Math.round(limits.maxInputPixels / 1_000_000) });
    throw new InvalidDataError("paper.error.imageBroken", { kind: kind.toUpperCase() });
  }
}

/** A rendered PDF page (PNG from pdf.js at a known resolution) as a grey page. */
export async function pngPage(png: Uint8Array, dpi: number): Promise<Raster> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(png, { limitInputPixels: MAX_PAGE_PIXELS * 1.1 }).flatten({ background: "#ffffff" }).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, dpi };
}

/** A page painted by pdf.js (RGBA pixels) as a grey page: what pngPage makes of the same pixels as a PNG. */
export async function rgbaPage(rgba: Uint8Array, width: number, height: number, dpi: number): Promise<Raster> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(rgba, { raw: { width, height, channels: 4 }, limitInputPixels: MAX_PAGE_PIXELS * 1.1 }).flatten({ background: "#ffffff" }).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, dpi };
}

/** The page turned by a small angle (degrees, clockwise), the corners filled white. */
export async function tilt(r: Raster, degrees: number): Promise<Raster> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(r.data, { raw: { width: r.width, height: r.height, channels: 1 } })
    .rotate(degrees, { background: "#ffffff" })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, dpi: r.dpi };
}

/**
 * A black-and-white page (0 black, 255 white, as binarise makes it) as a PNG of one bit a pixel, grey: what
 * tesseract.js is given. Tesseract reads it as the very page an 8-bit PNG of the same pixels gives (the same
 * words, boxes and confidences), but the PNG is an eighth of the bytes to inflate and a binary image needs no
 * thresholding of its own: a band of a letter costs tesseract 0.1–0.3 s less, a whole page up to 0.9 s.
 */
export function encodeBitonalPng(r: Raster): Buffer {
  const { width: w, height: h, data } = r;
  const stride = Math.ceil(w / 8) + 1; // each row: filter byte 0 (none), then the bits, 1 white
  const raw = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    const o = y * stride + 1;
    const row = y * w;
    // Eight pixels a byte, the first the highest bit; the last byte's bits past the row's end stay 0.
    for (let x = 0; x < w; x += 8) {
      let byte = 0;
      const n = Math.min(8, w - x);
      for (let k = 0; k < n; k++) if (data[row + x + k]! >= 128) byte |= 0x80 >> k;
      raw[o + (x >> 3)] = byte;
    }
  }
  const chunk = (type: string, body: Buffer) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, "latin1");
    body.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 1 })), chunk("IEND", Buffer.alloc(0))]);
}

/** The page through a median filter of `size` × `size` pixels: a noisy scan's grain gone, strokes kept. */
export async function median(r: Raster, size = 3): Promise<Raster> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(r.data, { raw: { width: r.width, height: r.height, channels: 1 } })
    .median(size)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, dpi: r.dpi };
}
