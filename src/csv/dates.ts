// Dates as the exporting systems write them: a profile lists the formats (YYYY-MM-DD, DD.MM.YYYY, D/M/YYYY …).
// A time after the date ("2026-03-01 14:30") is allowed and ignored.

import { parseIsoDate, type IsoDate } from "../core/dates.js";

export interface DateFormat {
  text: string;
  parse(value: string): IsoDate | undefined;
}

const TOKENS: Array<[string, string, "y" | "yy" | "m" | "d"]> = [
  ["YYYY", "(\\d{4})", "y"],
  ["YY", "(\\d{2})", "yy"],
  ["MM", "(\\d{2})", "m"],
  ["M", "(\\d{1,2})", "m"],
  ["DD", "(\\d{2})", "d"],
  ["D", "(\\d{1,2})", "d"],
];

/** Compiles a format such as "DD.MM.YYYY"; undefined when it lacks a year, a month or a day. */
export function compileDateFormat(text: string): DateFormat | undefined {
  let pattern = "";
  const order: Array<"y" | "yy" | "m" | "d"> = [];
  let i = 0;
  while (i < text.length) {
    const token = TOKENS.find(([t]) => text.startsWith(t, i));
    if (token) {
      pattern += token[1];
      order.push(token[2]);
      i += token[0].length;
    } else {
      const ch = text[i]!;
      if (/[A-Za-z]/.test(ch)) return undefined;
      pattern += ch.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
      i++;
    }
  }
  const has = (k: string) => order.filter((o) => o === k || (k === "y" && o === "yy")).length === 1;
  if (!has("y") || !has("m") || !has("d")) return undefined;
  const re = new RegExp(`^${pattern}(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?$`);
  return {
    text,
    parse(value: string): IsoDate | undefined {
      const m = re.exec(value.trim());
      if (!m) return undefined;
      let y = "";
      let mo = "";
      let d = "";
      order.forEach((o, k) => {
        const v = m[k + 1]!;
        if (o === "y") y = v;
        else if (o === "yy") y = `20${v}`;
        else if (o === "m") mo = v.padStart(2, "0");
        else d = v.padStart(2, "0");
      });
      return parseIsoDate(`${y}-${mo}-${d}`);
    },
  };
}

export function parseDateWith(formats: readonly DateFormat[], value: string): IsoDate | undefined {
  for (const f of formats) {
    const d = f.parse(value);
    if (d) return d;
  }
  return undefined;
}
