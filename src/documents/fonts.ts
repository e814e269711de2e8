// The fonts of every document: DejaVu Sans (regular, bold, oblique) from the package `dejavu-fonts-ttf`,
// embedded as subsets, so that every name a Swedish register meets (Polish, Baltic, Balkan, Turkish,
// Hungarian, Sámi) and clinical signs (→ ≥ ±) print as written, also in the archive (PDF/A needs embedded fonts).
//
// The font files are read and parsed once per process (fontkit, pdfkit's own font engine), and their text
// shaping (kerning, ligatures: the costly part of a page) is kept per process too: each document gets its own
// subset of the same parsed font through pdfkit's public `registerFont(name, fontObject)`.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TrueTypeSource } from "./subset.js";

/** The names documents use with `doc.font(...)`. */
export const FONT = { regular: "avvik-regular", bold: "avvik-bold", oblique: "avvik-oblique" } as const;
export type FontName = (typeof FONT)[keyof typeof FONT];

/** The TrueType files, in the package `dejavu-fonts-ttf` (the same three faces the coverage table in core is made from). */
export const FONT_FILES: Record<FontName, string> = {
  [FONT.regular]: "DejaVuSans.ttf",
  [FONT.bold]: "DejaVuSans-Bold.ttf",
  [FONT.oblique]: "DejaVuSans-Oblique.ttf",
};

/** The folder holding the font files. */
export function fontDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
}

/** What pdfkit reads of a fontkit font (pdfkit accepts any object with `layout`). */
interface GlyphRun {
  glyphs: unknown[];
  positions: unknown[];
}
export interface FontkitFont {
  layout(text: string, features?: unknown, ...rest: unknown[]): GlyphRun;
  hasGlyphForCodePoint(codePoint: number): boolean;
  characterSet: number[];
  postscriptName: string;
}

let loaded: Promise<Record<FontName, FontkitFont>> | undefined;

/** The three faces, parsed once per process. */
export function loadFonts(): Promise<Record<FontName, FontkitFont>> {
  loaded ??= (async () => {
    const fontkit = (await import("fontkit")) as unknown as { create(data: Uint8Array): FontkitFont };
    const dir = fontDirectory();
    const out = {} as Record<FontName, FontkitFont>;
    for (const [name, file] of Object.entries(FONT_FILES) as Array<[FontName, string]>) {
      const data = readFileSync(join(dir, file));
      out[name] = memoised(fontkit.create(data), new TrueTypeSource(data));
    }
    return out;
  })();
  return loaded;
}

/** Words shaped per face before the shared layouts start afresh (a bound on memory in a long run). */
const MAX_RUNS = 50_000;

/**
 * pdfkit keeps the shaped words of an embedded font in `layoutCache`, one per document; the runs depend only
 * on the font (glyphs, and positions in the font's units scaled to 1000), so all documents of a process share
 * one per face. So do the laid-out lines (`layout(text)`: the words' glyphs and positions joined, read by
 * `encode` and `widthOfString`, which never change them): letter and form texts repeat from packet to packet.
 * Glyph ids of a document's subset are still given per document, by `encode`.
 */
interface Shared {
  words: Record<string, unknown>;
  lines: Map<string, unknown>;
  shaped: number;
}
const shared = new WeakMap<object, Shared>();

function memoised(font: FontkitFont, source: TrueTypeSource): FontkitFont {
  const wrapper = Object.create(font) as FontkitFont & { createSubset(): unknown };
  const state: Shared = { words: Object.create(null) as Record<string, unknown>, lines: new Map(), shaped: 0 };
  shared.set(wrapper, state);
  // Our subsetter (src/documents/subset.ts) instead of fontkit's.
  wrapper.createSubset = () => source.createSubset();
  const layout = font.layout;
  const shape = (text: string, rest: unknown[]): GlyphRun => {
    if (++state.shaped > MAX_RUNS) {
      // a bound on memory in a long run: later documents start afresh
      state.words = Object.create(null) as Record<string, unknown>;
      state.lines = new Map();
      state.shaped = 0;
    }
    return layout.call(font, text, ...rest);
  };
  const singles = new Map<string, GlyphRun>();
  wrapper.layout = function (text: string, ...rest: unknown[]): GlyphRun {
    if (text.length > 1 && sharing && rest.every((r) => r === undefined) && UNSHAPED.test(text)) {
      // Joined from the characters' own runs: what shaping the word gives (see UNSHAPED), without shaping it.
      const glyphs: unknown[] = [];
      const positions: Array<{ xAdvance: number }> = [];
      for (const c of text) {
        let run = singles.get(c);
        if (!run) singles.set(c, (run = shape(c, [])));
        glyphs.push(...run.glyphs);
        // pdfkit scales the positions it is given in place: each run gets its own
        for (const p of run.positions as object[]) positions.push(Object.assign(Object.create(Object.getPrototypeOf(p) as object) as { xAdvance: number }, p));
      }
      return {
        glyphs,
        positions,
        get advanceWidth() {
          let w = 0;
          for (const p of positions) w += p.xAdvance;
          return w;
        },
      } as GlyphRun;
    }
    return shape(text, rest);
  };
  return wrapper;
}

/**
 * Words of these characters only (dates, diary numbers, references, amounts) shape as their characters one by one
 * in the three faces: no kerning pair, ligature or contextual form joins them (test/unit/pdfkit-fonts.test.ts
 * compares every pair and triple, and longer random words, with fontkit's shaping). Diary numbers are new words
 * in every document, and shaping one costs as much as a line of text.
 */
export const UNSHAPED = /^[0-9\-.,:;()/+%§#&*_ ]+$/;

/** How many words each face has shaped in this process (for the test that sharing works). */
export async function shapedWords(): Promise<number> {
  const fonts = await loadFonts();
  return Object.values(fonts).reduce((a, f) => a + (shared.get(f)?.shaped ?? 0), 0);
}

let sharing = true;

/** For the test that proves sharing changes no byte: documents made after `false` share nothing. */
export function setFontSharing(on: boolean): void {
  sharing = on;
}

type LayoutFn = (text: string, features?: unknown, onlyWidth?: boolean) => unknown;
interface PdfKitEmbeddedFont {
  font?: object;
  widths?: number[];
  scale?: number;
  __avvikWidth0?: true;
  layoutCache?: unknown;
  layout?: LayoutFn;
  __avvikShared?: true;
}

/**
 * When pdfkit opens one of our faces in a document (pdfkit 0.20, pinned: its EmbeddedFont keeps `font`, the
 * object given to registerFont, `layoutCache` and `layout(text, features, onlyWidth)`; the test
 * test/unit/pdfkit-fonts.test.ts fails when that changes), the document's font gets the process's shaped
 * words and lines.
 */
function shareLayouts(doc: PDFKit.PDFDocument): void {
  const d = doc as unknown as { font: (...args: unknown[]) => unknown; _font?: PdfKitEmbeddedFont };
  const open = d.font;
  d.font = function (this: typeof d, ...args: unknown[]) {
    const r = open.apply(this, args);
    const f = this._font;
    if (!f || f.__avvikShared || !f.font) return r;
    // pdfkit 0.20 gives glyph 0 (.notdef) its width in font units, not in the thousandths of the others: the
    // width in the font dictionary then disagrees with the program (a PDF/A rule; test/e2e/pdfa-checks.test.ts)
    if (Array.isArray(f.widths) && typeof f.scale === "number" && f.widths.length >= 1 && f.__avvikWidth0 === undefined) {
      f.__avvikWidth0 = true;
      f.widths[0] = (f.font as unknown as { getGlyph(id: number): { advanceWidth: number } }).getGlyph(0).advanceWidth * f.scale;
    }
    if (!sharing) return r;
    const s = shared.get(f.font);
    if (!s || typeof f.layoutCache !== "object" || typeof f.layout !== "function") return r;
    f.__avvikShared = true;
    f.layoutCache = s.words;
    const layout = f.layout;
    f.layout = function (this: PdfKitEmbeddedFont, text: string, features?: unknown, onlyWidth?: boolean) {
      if (features !== undefined) return layout.call(this, text, features, onlyWidth);
      // words shaped before a reset stay valid; the document keeps the cache it was given
      let line = s.lines.get(text);
      if (line === undefined) {
        line = layout.call(this, text, undefined, false);
        if (s.lines.size >= MAX_RUNS) s.lines.clear();
        s.lines.set(text, line);
      }
      return line;
    };
    return r;
  };
}

/** Gives a new document the three faces (each document embeds its own subset). */
export async function registerFonts(doc: PDFKit.PDFDocument): Promise<void> {
  const fonts = await loadFonts();
  for (const [name, font] of Object.entries(fonts)) doc.registerFont(name, font as unknown as string);
  shareLayouts(doc);
}
