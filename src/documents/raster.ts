// Grey page images (one byte per pixel) as scans are read: binarising by a local threshold, telling a blank
// page, turning, cropping and scaling, and handing a page to jsQR. Plain loops, no packages: the work here is
// a few passes over a page of some millions of pixels.

export interface Raster {
  /** Grey values, 0 black … 255 white, row by row. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Pixels per inch of the image (square pixels). */
  dpi: number;
}

/**
 * The grey mean of each block of about 1/6 inch (`block` pixels square, `gw` × `gh` of them, every second pixel
 * of every second row sampled): what the local threshold and the dark areas are measured against.
 */
function blockMeans(r: Raster): { block: number; gw: number; gh: number; mean: Float32Array } {
  const { width: w, height: h, data } = r;
  const block = Math.max(8, Math.round(r.dpi / 6));
  const gw = Math.ceil(w / block);
  const gh = Math.ceil(h / block);
  const mean = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let sum = 0;
      let n = 0;
      const y1 = Math.min(h, (gy + 1) * block);
      const x1 = Math.min(w, (gx + 1) * block);
      for (let y = gy * block; y < y1; y += 2) {
        const row = y * w;
        for (let x = gx * block; x < x1; x += 2) {
          sum += data[row + x]!;
          n++;
        }
      }
      mean[gy * gw + gx] = n ? sum / n : 255;
    }
  }
  return { block, gw, gh, mean };
}

/**
 * Black and white by a local threshold: a pixel is black when darker than its neighbourhood's mean by a
 * margin. The mean is taken over blocks of about 1/6 inch and interpolated, so shading, a grey background or a
 * yellowed sheet do not turn into black areas, and faint writing on a light page is kept.
 */
export function binarise(r: Raster, margin = 0.16): Raster {
  const { width: w, height: h, data } = r;
  const { block, gw, gh, mean } = blockMeans(r);
  // Smoothed over the 3×3 blocks around each: a line of text does not pull its own threshold down too far.
  const smooth = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let sum = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = gy + dy;
          const xx = gx + dx;
          if (yy < 0 || xx < 0 || yy >= gh || xx >= gw) continue;
          sum += mean[yy * gw + xx]!;
          n++;
        }
      }
      smooth[gy * gw + gx] = Math.max(mean[gy * gw + gx]!, sum / n);
    }
  }
  // The threshold of each column for the block row at hand, made once per block row (not per pixel).
  const out = new Uint8Array(w * h);
  const t = new Float64Array(w);
  let tRow = -1;
  for (let y = 0; y < h; y++) {
    const gy = Math.min(gh - 1, Math.floor(y / block));
    if (gy !== tRow) {
      tRow = gy;
      for (let x = 0; x < w; x++) t[x] = smooth[gy * gw + Math.min(gw - 1, Math.floor(x / block))]! * (1 - margin);
    }
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = data[row + x]! < t[x]! ? 0 : 255;
  }
  return { data: out, width: w, height: h, dpi: r.dpi };
}

/** The share of black pixels of a binarised page, counted away from its edges (a scanner's dark border). */
export function inkShare(bin: Raster): number {
  const { width: w, height: h, data } = bin;
  const mx = Math.floor(w * 0.04);
  const my = Math.floor(h * 0.04);
  let black = 0;
  let n = 0;
  for (let y = my; y < h - my; y += 2) {
    const row = y * w;
    for (let x = mx; x < w - mx; x += 2) {
      if (data[row + x] === 0) black++;
      n++;
    }
  }
  return n ? black / n : 0;
}

/** A page with (almost) nothing on it: less than one pixel in 2,000 black. */
export function isBlank(bin: Raster): boolean {
  return inkShare(bin) < 0.0005;
}

/** The page turned by 90, 180 or 270 degrees clockwise. */
export function turn(r: Raster, degrees: 0 | 90 | 180 | 270): Raster {
  const { width: w, height: h, data } = r;
  if (degrees === 0) return r;
  if (degrees === 180) return { ...r, data: data.slice().reverse() };
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // clockwise: (x, y) → (h - 1 - y, x); counter-clockwise: (x, y) → (y, w - 1 - x)
      if (degrees === 90) out[x * h + (h - 1 - y)] = data[y * w + x]!;
      else out[(w - 1 - x) * h + y] = data[y * w + x]!;
    }
  }
  return { data: out, width: h, height: w, dpi: r.dpi };
}

/** A part of the page, given as shares of its width and height. */
export function crop(r: Raster, x0: number, y0: number, x1: number, y1: number): Raster {
  const left = Math.floor(r.width * x0);
  const top = Math.floor(r.height * y0);
  const w = Math.max(1, Math.floor(r.width * x1) - left);
  const h = Math.max(1, Math.floor(r.height * y1) - top);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(r.data.subarray((top + y) * r.width + left, (top + y) * r.width + left + w), y * w);
  return { data: out, width: w, height: h, dpi: r.dpi };
}

/** The page at 1/factor of its size, each pixel the mean of a factor × factor block. */
export function shrink(r: Raster, factor: number): Raster {
  if (factor <= 1) return r;
  const w = Math.floor(r.width / factor);
  const h = Math.floor(r.height / factor);
  const out = new Uint8Array(w * h);
  const n = factor * factor;
  const src = r.data;
  if (factor === 2) {
    // The usual case (300 dpi to 150 for the look for QR codes), without the inner loops.
    for (let y = 0; y < h; y++) {
      const a = 2 * y * r.width;
      const b = a + r.width;
      const o = y * w;
      for (let x = 0; x < w; x++) out[o + x] = Math.round((src[a + 2 * x]! + src[a + 2 * x + 1]! + src[b + 2 * x]! + src[b + 2 * x + 1]!) / 4);
    }
    return { data: out, width: w, height: h, dpi: r.dpi / factor };
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * r.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += r.data[row + dx]!;
      }
      out[y * w + x] = Math.round(sum / n);
    }
  }
  return { data: out, width: w, height: h, dpi: r.dpi / factor };
}

/** RGBA pixels of a grey page (what jsQR reads). */
export function rgba(r: Raster): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.width * r.height * 4);
  for (let i = 0, j = 0; i < r.data.length; i++, j += 4) {
    const v = r.data[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/**
 * Removes specks: black blobs (8-connected) smaller than `minArea` pixels, as scanner dust and fax noise leave
 * them; dots of letters and full stops are larger at the resolutions pages are read at. Gives the page and
 * the share of its black pixels that were specks.
 */
export function despeckle(bin: Raster, minArea = Math.max(3, Math.round(((bin.dpi / 150) ** 2) * 3))): { page: Raster; removed: number } {
  const { width: w, height: h, data } = bin;
  // The page's runs of black, row by row (start, end exclusive, row); runs touching in the row above
  // (8-connected: overlapping or meeting at a corner) are joined (union-find), each blob's area summed.
  let cap = 1 << 16;
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let rowOf = new Int32Array(cap);
  let parent = new Int32Array(cap);
  let n = 0;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  let prevFrom = 0;
  let prevTo = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const from = n;
    let x = 0;
    while (x < w) {
      if (data[row + x] !== 0) {
        x++;
        continue;
      }
      const s0 = x;
      while (x < w && data[row + x] === 0) x++;
      if (n === cap) {
        cap *= 2;
        const grow = (a: Int32Array) => {
          const b = new Int32Array(cap);
          b.set(a);
          return b;
        };
        [start, end, rowOf, parent] = [grow(start), grow(end), grow(rowOf), grow(parent)];
      }
      start[n] = s0;
      end[n] = x;
      rowOf[n] = y;
      parent[n] = n;
      n++;
    }
    // Join with the runs of the row above that touch (prev runs are sorted by start).
    let j = prevFrom;
    for (let i = from; i < n; i++) {
      while (j < prevTo && end[j]! < start[i]!) j++; // ends before this one starts (a corner: end === start is touching)
      for (let k = j; k < prevTo && start[k]! <= end[i]!; k++) {
        const a = find(i);
        const b = find(k);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    prevFrom = from;
    prevTo = n;
  }
  const area = new Int32Array(n);
  let black = 0;
  for (let i = 0; i < n; i++) {
    const len = end[i]! - start[i]!;
    const r = find(i);
    area[r] = area[r]! + len;
    black += len;
  }
  const out = data.slice();
  let removed = 0;
  for (let i = 0; i < n; i++) {
    if (area[find(i)]! >= minArea) continue;
    const row = rowOf[i]! * w;
    out.fill(255, row + start[i]!, row + end[i]!);
    removed += end[i]! - start[i]!;
  }
  return { page: { ...bin, data: out }, removed: black ? removed / black : 0 };
}

/** Where a QR code's finder pattern (the 7 × 7 module square in three of its corners) seems to be. */
export interface FinderMark {
  x: number;
  y: number;
  /** The module size in pixels. */
  module: number;
  /** Rows whose runs of black and white gave this mark. */
  hits: number;
}

/** Whether five runs (black, white, black, white, black) have the 1:1:3:1:1 proportions of a finder pattern. */
function finderRatio(a: number, b: number, c: number, d: number, e: number): number {
  const total = a + b + c + d + e;
  if (total < 7) return 0;
  const m = total / 7;
  const tol = m * 0.7;
  if (Math.abs(a - m) > tol || Math.abs(b - m) > tol || Math.abs(d - m) > tol || Math.abs(e - m) > tol) return 0;
  if (Math.abs(c - 3 * m) > tol * 2.5) return 0;
  return m;
}

/** The module size of a finder pattern seen vertically through (x, y), the centre of its middle run; 0 if none. */
function finderVertical(bin: Raster, x: number, y: number, maxRun: number): { module: number; cy: number } | null {
  const { data, width: w, height: h } = bin;
  const at = (yy: number) => data[yy * w + x] === 0;
  if (!at(y)) return null;
  const run = (from: number, step: number, black: boolean): number => {
    let n = 0;
    for (let yy = from; yy >= 0 && yy < h && at(yy) === black && n <= maxRun; yy += step) n++;
    return n;
  };
  const up0 = run(y, -1, true);
  const down0 = run(y + 1, 1, true);
  const c = up0 + down0;
  const b = run(y - up0, -1, false);
  const a = run(y - up0 - b, -1, true);
  const d = run(y + 1 + down0, 1, false);
  const e = run(y + 1 + down0 + d, 1, true);
  const m = finderRatio(a, b, c, d, e);
  return m ? { module: m, cy: y - up0 + c / 2 } : null;
}

/**
 * Finder patterns of QR codes on a black-and-white page: the rows are scanned for runs in the proportions
 * 1:1:3:1:1, each such run checked across (vertically) through its centre, and the hits near one another
 * merged. Cheap (one pass over the page): a page on which fewer than two marks are found has no QR code worth
 * handing to jsQR, which costs far more on a page of text. Tilts of a few degrees and any quarter turn keep the
 * proportions.
 */
export function finderMarks(bin: Raster, maxModule = Math.max(8, bin.dpi / 8)): FinderMark[] {
  const { data, width: w, height: h } = bin;
  const maxRun = Math.ceil(maxModule * 4);
  const marks: FinderMark[] = [];
  const runs = new Int32Array(w + 1);
  const starts = new Int32Array(w + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    // Runs of the row, first one black or white as it comes.
    let n = 0;
    let x = 0;
    while (x < w) {
      const black = data[row + x] === 0;
      const s = x;
      while (x < w && (data[row + x] === 0) === black) x++;
      starts[n] = s;
      runs[n++] = black ? -(x - s) : x - s; // negative: black
    }
    for (let i = 0; i + 4 < n; i++) {
      if (runs[i]! >= 0) continue;
      const a = -runs[i]!, b = runs[i + 1]!, c = -runs[i + 2]!, d = runs[i + 3]!, e = -runs[i + 4]!;
      if (c > maxRun) continue;
      const m = finderRatio(a, b, c, d, e);
      if (!m || m > maxModule) continue;
      const cx = Math.round(starts[i + 2]! + c / 2);
      const v = finderVertical(bin, cx, y, maxRun);
      if (!v || v.module > m * 2 || v.module < m / 2) continue;
      const mark = marks.find((k) => Math.abs(k.x - cx) < 3 * k.module && Math.abs(k.y - v.cy) < 3 * k.module);
      if (mark) {
        mark.hits++;
        mark.module = (mark.module * (mark.hits - 1) + m) / mark.hits;
      } else {
        marks.push({ x: cx, y: v.cy, module: m, hits: 1 });
      }
      if (marks.length > 200) return marks; // a page of patterns (a halftone, say): leave it to jsQR
    }
  }
  // A real finder pattern is crossed by at least its middle three modules' rows.
  return marks.filter((k) => k.hits >= Math.max(2, Math.floor(k.module)));
}

/**
 * Removes ruling lines: the borders of a table's cells, a box around a letter's references, the lines a form
 * is filled in on. Tesseract reads text that touches such a line badly or not at all ("Synergi nr" in a cell
 * read "Synerg", a border read as "|"). A line is a run of black at least `minLength` pixels long (a third of
 * an inch) straight across or down, gaps of a few pixels allowed (a scanned or faxed line is ragged), and thin
 * (at most `maxThick` pixels, about 3 pt, across at most of its points; two borders of cells side by side are one): letters have no such runs, and a filled area (a
 * letterhead's band) is not thin, so both are left as they are. Where a letter crosses the line (more than
 * twice that thick there) its pixels are kept. Gives the page and the number of pixels removed.
 */
export function removeRules(bin: Raster, minLength = Math.round(bin.dpi / 3), maxThick = Math.max(3, Math.round(bin.dpi / 25)), degrees = 0): { page: Raster; removed: number } {
  const { width: w, height: h, data } = bin;
  const out = data.slice();
  const gap = Math.max(1, Math.round(bin.dpi / 100));
  // On a page tilted by `degrees` (clockwise) the lines are followed at that angle: across, y = i + x·tan;
  // down, x = i − y·tan. Scanned as they are (not yet straightened), they are as solid as the scanner saw them.
  const t = Math.tan((degrees * Math.PI) / 180);
  // How far (rows) a scanned tilted line may stray from the path followed: a row at 150 dpi (at 300 dpi, a
  // line scanned at 200 and scaled up steps by one and a half).
  const stray = t === 0 ? 0 : Math.max(1, Math.round(bin.dpi / 150));
  let removed = removeAcross(data, out, w, h, t, minLength, maxThick, gap, stray);
  // Down the page: a cell's side (a row of a table is 20 pt or so); thinner than a letter's stem, and longer
  // than an "l" of any but a poster's type. Looked at with the lines across removed, so that where two rules
  // cross (a table's corners) nothing is left: a dot left beside a number is read as a "1" or a "|". Done as
  // the pass across on the page transposed (a column read as a row), where a line down tilted by the angle is
  // one across tilted by its opposite.
  const src = transpose(out, w, h);
  const dst = src.slice();
  const down = removeAcross(src, dst, h, w, -t, Math.round(bin.dpi / 4), Math.max(2, Math.round(bin.dpi / 50)), gap, stray);
  if (down) {
    for (let x = 0; x < w; x++) {
      const col = x * h;
      for (let y = 0; y < h; y++) if (dst[col + y] !== src[col + y]) out[y * w + x] = 255;
    }
    removed += down;
  }
  return { page: { ...bin, data: out }, removed };
}

/** The page's pixels with rows and columns swapped (w × h becomes h × w). */
function transpose(data: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  // In tiles of 64 × 64, so that the writes down the columns stay in the cache.
  for (let y0 = 0; y0 < h; y0 += 64) {
    const y1 = Math.min(h, y0 + 64);
    for (let x0 = 0; x0 < w; x0 += 64) {
      const x1 = Math.min(w, x0 + 64);
      for (let y = y0; y < y1; y++) {
        const row = y * w;
        for (let x = x0; x < x1; x++) out[x * h + y] = data[row + x]!;
      }
    }
  }
  return out;
}

/**
 * The pass of removeRules across the page: lines y = i + round(x·t) of `src` (w × h) followed; where one is a
 * long thin run of black (gaps of up to `gap` bridged; thin: at most `maxThick` of black up and down through
 * 70 % of its points), its pixels are made white in `dst`, but not where a letter crosses it (more than twice
 * that thick there). On a tilted line the rows beside the path (`stray` of them each side) count towards the run (a scanned line steps
 * from one row to the next where the path need not); what is removed, each path does for its own. Gives the
 * number of pixels removed.
 */
function removeAcross(src: Uint8Array, dst: Uint8Array, w: number, h: number, t: number, minLength: number, maxThick: number, gap: number, stray: number): number {
  const off = new Int32Array(w);
  let lo = 0;
  let hi = 0;
  for (let x = 0; x < w; x++) {
    off[x] = t === 0 ? 0 : Math.round(x * t);
    lo = Math.min(lo, off[x]!);
    hi = Math.max(hi, off[x]!);
  }
  const black = (y: number, x: number) => y >= 0 && y < h && src[y * w + x] === 0;
  // What a path counts as on a line, made once for the page: 1 where the pixel, or one of the `stray` rows
  // above or below it, is black; for the rows −stray … h + stray − 1 (a path's row may lie just off the page
  // and still touch it), row y at (y + stray) · w. Looked up in one step instead of 2 · stray + 1.
  const rows = h + 2 * stray;
  const near = stray === 0 ? src : new Uint8Array(rows * w);
  for (let y = 0; y < h && stray > 0; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (src[row + x] !== 0) continue;
      // Black at (y, x): on for the rows y − stray … y + stray, i.e. near rows y … y + 2 · stray.
      for (let r = y; r <= y + 2 * stray; r++) near[r * w + x] = 1;
    }
  }
  const on = (y: number, x: number) => {
    const r = y + stray;
    return r >= 0 && r < rows && near[r * w + x] === (stray === 0 ? 0 : 1);
  };
  const limit = 2 * maxThick;
  const thick = (y: number, x: number) => {
    let n = 1;
    for (let k = y - 1; k >= 0 && src[k * w + x] === 0 && n <= limit; k--) n++;
    for (let k = y + 1; k < h && src[k * w + x] === 0 && n <= limit; k++) n++;
    return n;
  };
  let removed = 0;
  for (let i = -hi; i < h - lo; i++) {
    let x = 0;
    while (x < w) {
      if (t === 0) {
        // Not tilted: the row itself, skipped to its next black pixel in one tight loop.
        const row = i * w;
        while (x < w && near[row + x] !== 0) x++;
        if (x === w) break;
      } else if (!on(i + off[x]!, x)) {
        x++;
        continue;
      }
      const s = x;
      let end = x;
      while (x < w) {
        if (on(i + off[x]!, x)) end = x++;
        else if (x - end <= gap) x++;
        else break;
      }
      x = end + 1;
      if (end + 1 - s < minLength) continue;
      let thin = 0;
      let n = 0;
      for (let k = s; k <= end; k += 2) {
        const y = i + off[k]!;
        if (!black(y, k)) continue;
        n++;
        if (thick(y, k) <= maxThick) thin++;
      }
      if (n === 0 || thin < n * 0.7) continue;
      for (let k = s; k <= end; k++) {
        const y = i + off[k]!;
        if (!black(y, k)) continue;
        const p = y * w + k;
        if (dst[p] === 0 && thick(y, k) <= limit) {
          dst[p] = 255;
          removed++;
        }
      }
    }
  }
  return removed;
}

/**
 * The angle (degrees, clockwise) by which the lines of text of a page are tilted, within ±maxDegrees, or 0
 * when it cannot be told (no text, a page turned sideways). The black pixels (of every `step`-th row and
 * column, about 100 dpi) are projected onto rows at each angle tried; at the page's angle the projection has
 * the sharpest peaks (lines of text and the white between them): the sum of squares is largest. First in
 * half degrees, then in tenths around the best.
 */
export function skewAngle(bin: Raster, maxDegrees = 6): number {
  const { width: w, height: h, data } = bin;
  const step = Math.max(1, Math.round(bin.dpi / 100));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < h; y += step) {
    const row = y * w;
    for (let x = 0; x < w; x += step) {
      if (data[row + x] === 0) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 500) return 0;
  const bins = new Float64Array(Math.ceil((h + w) / step) + 2);
  const score = (degrees: number) => {
    bins.fill(0);
    const t = Math.tan((degrees * Math.PI) / 180);
    const off = Math.ceil((w * Math.abs(t)) / step);
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round((ys[i]! - xs[i]! * t) / step) + off;
      if (b >= 0 && b < bins.length) bins[b]!++;
    }
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  const flat = bestScore;
  for (let d = -maxDegrees; d <= maxDegrees; d += 0.5) {
    const s = score(d);
    if (s > bestScore) [best, bestScore] = [d, s];
  }
  const coarse = best;
  for (let d = coarse - 0.4; d <= coarse + 0.41; d += 0.1) {
    const s = score(d);
    if (s > bestScore) [best, bestScore] = [d, s];
  }
  // No angle clearly better than none: leave the page as it is.
  return bestScore > flat * 1.05 ? Math.round(best * 10) / 10 : 0;
}

/**
 * The grey page with what was removed from its binarised form (`before` → `after`: ruling lines) made white,
 * with the pixels around each removed one that were not black (a line's grey fringe), so that the page can be
 * turned (straightened) and binarised again without them.
 */
export function paintRemoved(grey: Raster, before: Raster, after: Raster): Raster {
  const { width: w, height: h } = grey;
  if (before.width !== w || after.width !== w || before.height !== h || after.height !== h) return grey;
  const out = grey.data.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (before.data[p] !== 0 || after.data[p] === 0) continue;
      out[p] = 255;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w && before.data[yy * w + xx] !== 0) out[yy * w + xx] = 255;
        }
      }
    }
  }
  return { ...grey, data: out };
}

/**
 * The binarised page with its dark areas made white: a letterhead's band or a logo (solid or dithered), a photo,
 * a QR code, a filled box. Text, even bold and large, leaves most of a sixth of an inch square white; these
 * leave most of it dark. Tesseract reads no white-on-black text here (its inverted pass is off) and spends
 * seconds on the patterns such an area binarises into (a dithered band becomes stripes), reading noise.
 * An area is a group of touching blocks of about 1/6 inch whose grey mean is below half the paper's, at least
 * `minBlocks` of them (a long word of heavy type does not make one). Gives the page and the blocks cleared.
 */
export function clearDarkAreas(grey: Raster, bin: Raster, minBlocks = 6): { page: Raster; grey: Raster; cleared: number } {
  const { width: w, height: h } = grey;
  const none = { page: bin, grey, cleared: 0 };
  if (bin.width !== w || bin.height !== h) return none;
  const { block, gw, gh, mean } = blockMeans(grey);
  // The paper: the brightness most blocks have (the 80th percentile of the blocks' means).
  const sorted = Float32Array.from(mean).sort();
  const paper = sorted[Math.floor(sorted.length * 0.8)] ?? 255;
  if (paper < 96) return none; // a page dark all over (a negative, a photo): left as it is
  const dark = new Uint8Array(gw * gh);
  for (let i = 0; i < dark.length; i++) dark[i] = mean[i]! < paper * 0.5 ? 1 : 0;
  // Groups of dark blocks (4-connected); large ones are cleared.
  const label = new Int32Array(gw * gh).fill(-1);
  const clear = new Uint8Array(gw * gh);
  let cleared = 0;
  const stack: number[] = [];
  const members: number[] = [];
  for (let start = 0; start < dark.length; start++) {
    if (!dark[start] || label[start]! >= 0) continue;
    stack.length = 0;
    members.length = 0;
    stack.push(start);
    label[start] = start;
    while (stack.length) {
      const b = stack.pop()!;
      members.push(b);
      const bx = b % gw;
      const by = (b - bx) / gw;
      for (const [nx, ny] of [[bx - 1, by], [bx + 1, by], [bx, by - 1], [bx, by + 1]] as const) {
        if (nx < 0 || ny < 0 || nx >= gw || ny >= gh) continue;
        const q = ny * gw + nx;
        if (dark[q] && label[q]! < 0) {
          label[q] = start;
          stack.push(q);
        }
      }
    }
    if (members.length >= minBlocks) {
      for (const b of members) clear[b] = 1;
      cleared += members.length;
    }
  }
  if (!cleared) return none;
  const out = bin.data.slice();
  const greyOut = grey.data.slice();
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      if (!clear[gy * gw + gx]) continue;
      // The block and, where the area ends, a margin of a quarter block beyond it (its edge, half dark).
      const m = Math.round(block / 4);
      const edge = (dx: number, dy: number) => {
        const x = gx + dx;
        const y = gy + dy;
        return x < 0 || y < 0 || x >= gw || y >= gh || !clear[y * gw + x];
      };
      const x0 = Math.max(0, gx * block - (edge(-1, 0) ? m : 0));
      const x1 = Math.min(w, (gx + 1) * block + (edge(1, 0) ? m : 0));
      const y0 = Math.max(0, gy * block - (edge(0, -1) ? m : 0));
      const y1 = Math.min(h, (gy + 1) * block + (edge(0, 1) ? m : 0));
      for (let y = y0; y < y1; y++) {
        out.fill(255, y * w + x0, y * w + x1);
        greyOut.fill(255, y * w + x0, y * w + x1);
      }
    }
  }
  return { page: { ...bin, data: out }, grey: { ...grey, data: greyOut }, cleared };
}
