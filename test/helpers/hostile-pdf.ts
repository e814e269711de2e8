// PDFs for the tests of untrusted input, written by hand (no PDF library): ordinary replies, and hostile ones
// that are small on disk and huge once decoded.

import { constants, deflateRawSync } from "node:zlib";

/** Adler-32 of n zero bytes: the byte sum stays 1, and it is added once per byte to the second sum. */
const adler32Zeros = (n: number): number => (((n % 65521) << 16) | 1) >>> 0;

/** A raw deflate chunk of 1 MiB of zeros ended with a sync flush (byte-aligned, not final), made once. */
let zeroChunk: Buffer | undefined;
const CHUNK = 1024 * 1024;

/**
 * A zlib (FlateDecode) stream that inflates to `bytes` zero bytes, made without compressing them: a raw deflate
 * chunk of 1 MiB of zeros, ended with a sync flush, repeated; its back references reach only zeros, so the copies
 * still decode to zeros (at deflate's best ratio, as one long run compresses: about 1 KB per MiB). Then a final
 * block with the rest, and the Adler-32 trailer. A 2 GB stream takes a few milliseconds and about 2 MB.
 */
export function zeroFlate(bytes: number): Buffer {
  const whole = Math.floor(bytes / CHUNK);
  const rest = bytes - whole * CHUNK;
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  if (whole > 0) {
    zeroChunk ??= deflateRawSync(Buffer.alloc(CHUNK), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
    for (let i = 0; i < whole; i++) parts.push(zeroChunk);
  }
  parts.push(deflateRawSync(Buffer.alloc(rest), { level: 9 }));
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler32Zeros(bytes));
  parts.push(trailer);
  return Buffer.concat(parts);
}

/** A PDF written out by hand from its objects (object i + 1 is objs[i]; a Buffer is a stream's data with its dictionary). */
export function pdfOf(objs: Array<string | { dict: string; data: Buffer }>, trailerExtra = ""): Buffer {
  const parts = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  const offsets: number[] = [];
  let pos = parts[0]!.length;
  objs.forEach((o, i) => {
    const s =
      typeof o === "string"
        ? Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, "latin1")
        : Buffer.concat([Buffer.from(`${i + 1} 0 obj\n<< ${o.dict} /Length ${o.data.length} >>\nstream\n`, "latin1"), o.data, Buffer.from("\nendstream\nendobj\n", "latin1")]);
    offsets.push(pos);
    parts.push(s);
    pos += s.length;
  });
  const xref = ["xref", `0 ${objs.length + 1}`, "0000000000 65535 f ", ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n `)].join("\n");
  parts.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${objs.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${pos}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose page content is a FlateDecode stream of `decodedBytes` zeros (white space to a PDF
 * reader, so it reads all of it), after a line of text naming `text` (so that it looks like a reply).
 */
export function flateBombPdf(decodedBytes: number, text = "Svar"): Buffer {
  const head = Buffer.from(`BT /F1 11 Tf 72 770 Td (${text}) Tj ET\n`, "latin1");
  return pdfOf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> >> /Contents [4 0 R 5 0 R] >>",
    { dict: "", data: head },
    { dict: "/Filter /FlateDecode", data: zeroFlate(decodedBytes) },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  ]);
}

/** A PDF of `pages` pages that all share one small content stream (a few bytes per page on disk). */
export function manyPagesPdf(pages: number, text = "Svar"): Buffer {
  const content = Buffer.from(`BT /F1 11 Tf 72 770 Td (${text}) Tj ET`, "latin1");
  const kids = Array.from({ length: pages }, () => "3 0 R").join(" ");
  return pdfOf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", data: content },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  ]);
}

/**
 * A one-page PDF with an embedded file named `name` whose FlateDecode stream inflates to `decodedBytes` zeros
 * (an exchange file's attachment as a bomb).
 */
export function attachmentBombPdf(decodedBytes: number, name = "avvik-exchange.json"): Buffer {
  const content = Buffer.from("BT /F1 11 Tf 72 770 Td (Avvikelse) Tj ET", "latin1");
  return pdfOf([
    `<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(${name}) 6 0 R] >> >> >>`,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", data: content },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Type /Filespec /F (${name}) /UF (${name}) /EF << /F 7 0 R >> >>`,
    { dict: "/Type /EmbeddedFile /Subtype /application#2Fjson /Filter /FlateDecode", data: zeroFlate(decodedBytes) },
  ]);
}

/** An ordinary one-page reply with Helvetica text lines, as another system might write it. */
export function replyPdf(lines: string[]): Buffer {
  const esc = (t: string) => t.replace(/\\/g, "\\\\").replace(/\(/g, "\\(").replace(/\)/g, "\\)");
  const content = Buffer.from(["BT", "/F1 11 Tf", "14 TL", "72 770 Td", ...lines.map((l) => `(${esc(l)}) '`), "ET"].join("\n"), "latin1");
  return pdfOf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    { dict: "", data: content },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  ]);
}
