// Numbers as a Swedish document prints them (the board report): decimal comma, one fixed number of decimals
// for every non-whole figure, a real minus sign (U+2212), a narrow no-break space (U+202F) between groups of
// thousands, a no-break space before "%". Pure functions: the same number always gives the same text.

const MINUS = "\u2212";
const GROUP = "\u202f";
const NBSP = "\u00a0";

/** The decimals of every percentage, day count and difference in the report. */
export const DECIMALS = 1;

function digits(n: number, decimals: number): string {
  const fixed = Math.abs(n).toFixed(decimals);
  const [whole, frac] = fixed.split(".") as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
  return frac ? `${grouped},${frac}` : grouped;
}

/** A number with `decimals` decimals (0 for counts): "1 234", "12,5", "−3,0"; "–" for none. */
export function svNumber(n: number | null, decimals = 0): string {
  if (n === null || !Number.isFinite(n)) return "–";
  const text = digits(n, decimals);
  // −0,0 is zero
  return n < 0 && /[1-9]/.test(text) ? `${MINUS}${text}` : text;
}

/** A count. */
export function svCount(n: number | null): string {
  return svNumber(n, 0);
}

/** A measured value (days) with the report's decimals. */
export function svValue(n: number | null): string {
  return svNumber(n, DECIMALS);
}

/** A share 0..1 as a percentage with the report's decimals: "91,7 %". */
export function svPercent(share: number | null): string {
  if (share === null) return "–";
  return `${svNumber(share * 100, DECIMALS)}${NBSP}%`;
}

/** A difference with its sign: "+5", "−5", "±0" (counts), "+0,6", "−2,5" (`decimals`). */
export function svSigned(n: number | null, decimals = 0): string {
  if (n === null || !Number.isFinite(n)) return "–";
  const text = svNumber(n, decimals);
  if (!/[1-9]/.test(text)) return "±0";
  return n > 0 ? `+${text}` : text;
}

/** Reads a number printed by these functions back (for tests and checks): "1 234,5" → 1234.5, "−3" → -3. */
export function parseSvNumber(text: string): number {
  return Number(text.replace(/[\u202f\u00a0 ]/g, "").replace(MINUS, "-").replace(",", "."));
}
