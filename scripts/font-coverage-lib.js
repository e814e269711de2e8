// The code points the three document faces all draw, as sorted inclusive ranges (shared by the generator
// and its test). Control characters, private use and right-to-left scripts (Hebrew, Arabic: pdfkit lays out
// left to right only, so such a name would print reversed) are left out.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as fontkit from "fontkit";

const RTL = [[0x0590, 0x08ff], [0xfb1d, 0xfdff], [0xfe70, 0xfeff], [0x10800, 0x10fff], [0x1e800, 0x1efff]];

export const FACES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"];

export async function coverageRanges() {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  const sets = FACES.map((f) => new Set(fontkit.create(readFileSync(join(dir, f))).characterSet));
  const points = [...sets[0]].filter((cp) => sets.every((s) => s.has(cp)) && cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0) && !(cp >= 0xe000 && cp <= 0xf8ff) && !RTL.some(([a, b]) => cp >= a && cp <= b)).sort((a, b) => a - b);
  const ranges = [];
  for (const cp of points) {
    const last = ranges.at(-1);
    if (last && last[1] === cp - 1) last[1] = cp;
    else ranges.push([cp, cp]);
  }
  return ranges;
}
