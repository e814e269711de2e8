// Diary numbers from a configured template. Tokens:
//   {year}  four-digit year          {yy}  two-digit year
//   {seq}   sequence, unpadded       {seq:N}  sequence zero-padded to N digits
// Everything else is literal text: "VOK {year}-{seq}", "KS/{year}/{seq:4}", "SN {year}/{seq:4}".
// A document of a case is numbered "<case number>:<n>".

export const DEFAULT_DIARY_FORMAT = "{year}-{seq:6}";

type Part = { literal: string } | { token: "year" | "yy" } | { token: "seq"; width: number };

export class DiaryTemplate {
  private constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {}

  /** Parses a template; returns an error code string when it is not usable. */
  static parse(source: string): DiaryTemplate | { error: "empty" | "token" | "no-seq" | "no-year" | "colon" } {
    if (!source.trim()) return { error: "empty" };
    if (source.includes(":") && !/^[^:]*(\{seq:\d+\}[^:]*)?$/.test(source)) return { error: "colon" };
    const parts: Part[] = [];
    const re = /\{([^}]*)\}/g;
    let last = 0;
    for (let m = re.exec(source); m; m = re.exec(source)) {
      if (m.index > last) parts.push({ literal: source.slice(last, m.index) });
      const tok = m[1] ?? "";
      if (tok === "year" || tok === "yy") parts.push({ token: tok });
      else if (tok === "seq") parts.push({ token: "seq", width: 0 });
      else if (/^seq:\d+$/.test(tok)) parts.push({ token: "seq", width: Math.min(Number(tok.slice(4)), 12) });
      else return { error: "token" };
      last = re.lastIndex;
    }
    if (last < source.length) parts.push({ literal: source.slice(last) });
    if (!parts.some((p) => "token" in p && p.token === "seq")) return { error: "no-seq" };
    if (!parts.some((p) => "token" in p && (p.token === "year" || p.token === "yy"))) return { error: "no-year" };
    return new DiaryTemplate(source, parts);
  }

  format(year: number, seq: number): string {
    return this.parts
      .map((p) => {
        if ("literal" in p) return p.literal;
        if (p.token === "year") return String(year);
        if (p.token === "yy") return String(year % 100).padStart(2, "0");
        if (p.token === "seq") return String(seq).padStart(p.width, "0");
        return "";
      })
      .join("");
  }

  /**
   * A regular expression source that finds numbers of this template in running text, tolerant of what
   * scanners and other writers do: spaces or line breaks around separators, en and em dashes for hyphens,
   * and any number of leading zeros in the sequence. Groups: year, seq. `slashForDash`: a slash too where the
   * template has a hyphen ("2026/000012", as a number is retyped by hand after "Er ref.").
   */
  searchPattern(options: { slashForDash?: boolean } = {}): string {
    const sep = "[\\s]*";
    const dash = options.slashForDash ? "[-\u2010-\u2015\u2212/]" : "[-\u2010-\u2015\u2212]";
    return this.parts
      .map((p) => {
        if ("literal" in p) {
          return p.literal
            .split("")
            .map((ch) => {
              if (ch === "-") return `${sep}${dash}${sep}`;
              if (/\s/.test(ch)) return "\\s*";
              if (ch === "/") return `${sep}/${sep}`;
              return ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            })
            .join("");
        }
        if (p.token === "year") return "(?<year>(?:19|20)\\d{2})";
        if (p.token === "yy") return "(?<yy>\\d{2})";
        return "(?<seq>\\d{1,12})";
      })
      .join("");
  }
}

export function documentNumber(caseNumber: string, seq: number): string {
  return `${caseNumber}:${seq}`;
}

/** Splits "2026-000012:3" into the case number and the document sequence. */
export function splitDocumentNumber(text: string): { caseNumber: string; seq: number } | undefined {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || !m[1]) return undefined;
  return { caseNumber: m[1], seq: Number(m[2]) };
}

/**
 * How a case is named to the user: its diary number, else (a case imported without one) its internal id as
 * plain digits, which `REF` accepts and a shell keeps as typed (a leading '#' would start a comment).
 */
export function caseLabel(diaryNumber: string | null | undefined, id: number): string {
  return diaryNumber ?? String(id);
}

/** A diary number (or any label) as part of a file name: `VOK 2026-1` → `VOK-2026-1`. */
export function fileNameOf(text: string): string {
  return text.replace(/[\\/:*?"<>|\s]+/g, "-").replace(/^-+|-+$/g, "");
}
