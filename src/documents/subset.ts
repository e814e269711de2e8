// A TrueType subsetter for the embedded document fonts. pdfkit asks the font for `createSubset()` and gets an
// object with `includeGlyph(gid) → new id` and `encode() → font file`; fontkit's own subsetter decodes and
// re-encodes every glyph and table of every document, which made a packet six times slower than with the
// standard fonts. This one reads the font file's tables once per process and writes a subset by copying
// the glyphs' bytes (without hinting): glyf, loca, hmtx, head/hhea/maxp as in the original and a 'post'
// without names, with valid checksums.

interface Table {
  offset: number;
  length: number;
}

const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

/**
 * A glyph without its hinting instructions: hints only help at screen sizes on rasterisers that use them,
 * print and PDF viewers draw the outlines; without them a subset is a third smaller (less to compress).
 */
function unhinted(glyph: Buffer): Buffer {
  if (glyph.length < 10) return glyph;
  const contours = glyph.readInt16BE(0);
  if (contours >= 0) {
    const at = 10 + 2 * contours;
    const length = glyph.readUInt16BE(at);
    if (length === 0) return glyph;
    const out = Buffer.alloc(glyph.length - length);
    glyph.copy(out, 0, 0, at);
    glyph.copy(out, at + 2, at + 2 + length);
    return out;
  }
  // composite: the instructions follow the last component
  let pos = 10;
  let last = 10;
  for (;;) {
    const flags = glyph.readUInt16BE(pos);
    last = pos;
    pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) pos += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) pos += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) pos += 8;
    if (!(flags & MORE_COMPONENTS)) break;
  }
  if (!(glyph.readUInt16BE(last) & WE_HAVE_INSTRUCTIONS)) return glyph;
  const out = Buffer.from(glyph.subarray(0, pos));
  out.writeUInt16BE(out.readUInt16BE(last) & ~WE_HAVE_INSTRUCTIONS, last);
  return out;
}

/** What is read once per font file and process. */
export class TrueTypeSource {
  private readonly tables = new Map<string, Table>();
  private readonly glyphOffsets: Uint32Array;
  private readonly hmetrics: number;
  private readonly glyphs = new Map<number, Buffer>();
  readonly numGlyphs: number;

  constructor(private readonly data: Buffer) {
    const numTables = data.readUInt16BE(4);
    for (let i = 0; i < numTables; i++) {
      const at = 12 + i * 16;
      this.tables.set(data.toString("latin1", at, at + 4), { offset: data.readUInt32BE(at + 8), length: data.readUInt32BE(at + 12) });
    }
    for (const tag of ["head", "hhea", "maxp", "hmtx", "loca", "glyf"]) if (!this.tables.has(tag)) throw new Error(`font without '${tag}' table`);
    const head = this.table("head");
    const longLoca = head.readInt16BE(50) === 1;
    this.numGlyphs = this.table("maxp").readUInt16BE(4);
    this.hmetrics = this.table("hhea").readUInt16BE(34);
    const loca = this.table("loca");
    this.glyphOffsets = new Uint32Array(this.numGlyphs + 1);
    for (let i = 0; i <= this.numGlyphs; i++) this.glyphOffsets[i] = longLoca ? loca.readUInt32BE(i * 4) : loca.readUInt16BE(i * 2) * 2;
  }

  table(tag: string): Buffer {
    const t = this.tables.get(tag);
    if (!t) return Buffer.alloc(0);
    return this.data.subarray(t.offset, t.offset + t.length);
  }

  has(tag: string): boolean {
    return this.tables.has(tag);
  }

  /** The glyph's bytes in 'glyf' without hinting instructions (made once per process; never changed). */
  glyph(gid: number): Buffer {
    let g = this.glyphs.get(gid);
    if (!g) {
      const glyf = this.tables.get("glyf")!;
      g = unhinted(this.data.subarray(glyf.offset + this.glyphOffsets[gid]!, glyf.offset + this.glyphOffsets[gid + 1]!));
      this.glyphs.set(gid, g);
    }
    return g;
  }

  /** Advance width and left side bearing, as in 'hmtx'. */
  metric(gid: number): [number, number] {
    const hmtx = this.tables.get("hmtx")!;
    if (gid < this.hmetrics) return [this.data.readUInt16BE(hmtx.offset + gid * 4), this.data.readInt16BE(hmtx.offset + gid * 4 + 2)];
    const advance = this.data.readUInt16BE(hmtx.offset + (this.hmetrics - 1) * 4);
    return [advance, this.data.readInt16BE(hmtx.offset + this.hmetrics * 4 + (gid - this.hmetrics) * 2)];
  }

  createSubset(): TrueTypeSubset {
    return new TrueTypeSubset(this);
  }

  /**
   * Subsets already written in this process, by their glyphs in order: documents of one template use the same
   * glyphs in the same order, and the font file is the same bytes (bounded: a long run starts afresh).
   */
  readonly encoded = new Map<string, { font: Buffer; glyphs: number[] }>();
}

const MAX_ENCODED = 256;

/** The positions of the component glyph ids in a composite glyph (empty for a simple glyph). */
function componentPositions(glyph: Buffer): number[] {
  if (glyph.length < 10 || glyph.readInt16BE(0) >= 0) return [];
  const out: number[] = [];
  let pos = 10;
  for (;;) {
    const flags = glyph.readUInt16BE(pos);
    out.push(pos + 2);
    pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) pos += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) pos += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) pos += 8;
    if (!(flags & MORE_COMPONENTS)) return out;
  }
}

function checksum(b: Buffer): number {
  let sum = 0;
  const n = b.length & ~3;
  for (let i = 0; i < n; i += 4) sum = (sum + b.readUInt32BE(i)) >>> 0;
  if (n < b.length) {
    const tail = Buffer.alloc(4);
    b.copy(tail, 0, n);
    sum = (sum + tail.readUInt32BE(0)) >>> 0;
  }
  return sum;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** One document's subset: new glyph ids in the order of first use, glyph 0 (.notdef) first. */
export class TrueTypeSubset {
  /** New id → original id. */
  private readonly glyphs: number[] = [];
  private readonly ids = new Map<number, number>();
  /** No CFF outlines (pdfkit reads this to choose FontFile2). */
  readonly cff = undefined;

  constructor(private readonly source: TrueTypeSource) {
    this.includeGlyph(0);
  }

  includeGlyph(gid: number): number {
    let id = this.ids.get(gid);
    if (id === undefined) {
      id = this.glyphs.length;
      this.glyphs.push(gid);
      this.ids.set(gid, id);
    }
    return id;
  }

  encode(): Buffer {
    const key = this.glyphs.join(",");
    const known = this.source.encoded.get(key);
    if (known) {
      // the components of composite glyphs joined as when it was written
      for (const gid of known.glyphs) this.includeGlyph(gid);
      return known.font;
    }
    const font = this.write();
    if (this.source.encoded.size >= MAX_ENCODED) this.source.encoded.clear();
    this.source.encoded.set(key, { font, glyphs: [...this.glyphs] });
    return font;
  }

  private write(): Buffer {
    const src = this.source;
    // Components of composite glyphs join the subset (they may add further composites: walk until done).
    const parts: Buffer[] = [];
    for (let i = 0; i < this.glyphs.length; i++) {
      const gid = this.glyphs[i]!;
      let glyph = src.glyph(gid);
      const positions = componentPositions(glyph);
      if (positions.length) {
        glyph = Buffer.from(glyph);
        for (const p of positions) glyph.writeUInt16BE(this.includeGlyph(glyph.readUInt16BE(p)), p);
      }
      parts.push(glyph);
    }
    const n = this.glyphs.length;
    const loca = Buffer.alloc((n + 1) * 4);
    const hmtx = Buffer.alloc(n * 4);
    let offset = 0;
    const padded: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      loca.writeUInt32BE(offset, i * 4);
      const g = parts[i]!;
      padded.push(g);
      const fill = pad4(g.length) - g.length;
      if (fill) padded.push(Buffer.alloc(fill));
      offset += g.length + fill;
      const [advance, lsb] = src.metric(this.glyphs[i]!);
      hmtx.writeUInt16BE(advance, i * 4);
      hmtx.writeInt16BE(lsb, i * 4 + 2);
    }
    loca.writeUInt32BE(offset, n * 4);
    const glyf = Buffer.concat(padded, offset);

    const head = Buffer.from(src.table("head"));
    head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
    head.writeInt16BE(1, 50); // long loca offsets
    const hhea = Buffer.from(src.table("hhea"));
    hhea.writeUInt16BE(n, 34);
    const maxp = Buffer.from(src.table("maxp"));
    maxp.writeUInt16BE(n, 4);
    const post = Buffer.alloc(32);
    post.writeUInt32BE(0x00030000, 0);
    src.table("post").copy(post, 4, 4, 16); // italic angle, underline position and thickness, fixed pitch

    const tables: Array<[string, Buffer]> = [
      ["glyf", glyf],
      ["head", head],
      ["hhea", hhea],
      ["hmtx", hmtx],
      ["loca", loca],
      ["maxp", maxp],
      ["post", post],
    ];
    tables.sort((a, b) => (a[0] < b[0] ? -1 : 1));

    const count = tables.length;
    const entrySelector = Math.floor(Math.log2(count));
    const searchRange = 2 ** entrySelector * 16;
    const header = Buffer.alloc(12 + count * 16);
    header.writeUInt32BE(0x00010000, 0);
    header.writeUInt16BE(count, 4);
    header.writeUInt16BE(searchRange, 6);
    header.writeUInt16BE(entrySelector, 8);
    header.writeUInt16BE(count * 16 - searchRange, 10);
    let at = header.length;
    const body: Buffer[] = [header];
    let headAt = 0;
    tables.forEach(([tag, data], i) => {
      const rec = 12 + i * 16;
      header.write(tag, rec, 4, "latin1");
      header.writeUInt32BE(checksum(data), rec + 4);
      header.writeUInt32BE(at, rec + 8);
      header.writeUInt32BE(data.length, rec + 12);
      if (tag === "head") headAt = at;
      body.push(data);
      const fill = pad4(data.length) - data.length;
      if (fill) body.push(Buffer.alloc(fill));
      at += data.length + fill;
    });
    const font = Buffer.concat(body, at);
    font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headAt + 8);
    return font;
  }
}
