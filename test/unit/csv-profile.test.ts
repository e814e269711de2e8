import { readFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { compileDateFormat, parseDateWith } from "../../src/csv/dates.js";
import { BUILTIN_PROFILES, checkProfile, loadProfile } from "../../src/csv/profile.js";
import { detectDelimiter, detectEncoding } from "../../src/csv/read.js";
import { TEMPLATES_DIR } from "../../src/paths.js";
import { MessageError } from "../../src/core/errors.js";

const exists = (e: string) => iconv.encodingExists(e);

function problem(raw: unknown): string {
  try {
    checkProfile(raw, "p.json", exists);
  } catch (e) {
    if (e instanceof MessageError) return `${e.key} ${JSON.stringify(e.params)}`;
    throw e;
  }
  return "accepted";
}

function without<T extends Record<string, unknown>>(o: T, key: string): T {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

const base = {
  system: "synergi",
  direction: "in",
  dateFormats: ["YYYY-MM-DD"],
  columns: { externalId: "Nr", eventDate: "Datum", summary: "Rubrik", area: "Område", kind: "Typ", counterpart: "Motpart" },
};

describe("profiles", () => {
  it("loads the three built-in profiles", () => {
    for (const name of BUILTIN_PROFILES) {
      const p = loadProfile(name, TEMPLATES_DIR, exists, process.cwd());
      expect(p.system).toBe(name);
      expect(p.columns.externalId).toBeTruthy();
    }
    expect(loadProfile("treserva", TEMPLATES_DIR, exists, process.cwd()).values.severity?.get("röd")).toBe("rod");
  });

  it("refuses each kind of mistake with the problem named", () => {
    expect(problem(base)).toBe("accepted");
    expect(problem([])).toMatch(/notObject/);
    expect(problem({ ...base, colums: {} })).toMatch(/unknownKey.*colums/);
    expect(problem({ ...base, direction: "inbound" })).toMatch(/badDirection.*inbound/);
    expect(problem({ ...base, system: "" })).toMatch(/badSystem/);
    expect(problem({ ...base, columns: { ...base.columns, patient: "P" } })).toMatch(/unknownField.*patient.*columns/);
    expect(problem({ ...base, columns: without(base.columns, "externalId") })).toMatch(/noExternalId/);
    expect(problem({ ...base, columns: without(base.columns, "summary") })).toMatch(/required.*summary/);
    expect(problem({ ...base, columns: without(base.columns, "counterpart"), defaults: { counterpart: "region-ostergotland" } })).toBe("accepted");
    expect(problem({ ...base, values: { area: { Läkemedel: "medicine" } } })).toMatch(/badCode.*Läkemedel.*medicine/);
    expect(problem({ ...base, values: { colour: {} } })).toMatch(/unknownField.*colour.*values/);
    expect(problem({ ...base, dateFormats: ["YYYY-MM"] })).toMatch(/badDateFormat/);
    expect(problem({ ...base, encoding: "klingon" })).toMatch(/badEncoding/);
    expect(problem({ ...base, delimiter: ":" })).toMatch(/badDelimiter/);
    expect(problem({ ...base, defaults: { externalId: "1" } })).toMatch(/unknownField.*externalId.*defaults/);
  });

  it("reads dates in the profile's formats, with or without a time", () => {
    const formats = ["YYYY-MM-DD", "DD.MM.YYYY", "D/M/YYYY", "YYYYMMDD"].map((f) => compileDateFormat(f)!);
    expect(parseDateWith(formats, "2026-03-01")).toBe("2026-03-01");
    expect(parseDateWith(formats, "01.03.2026")).toBe("2026-03-01");
    expect(parseDateWith(formats, "1/3/2026")).toBe("2026-03-01");
    expect(parseDateWith(formats, "20260301")).toBe("2026-03-01");
    expect(parseDateWith(formats, "2026-03-01 14:30")).toBe("2026-03-01");
    expect(parseDateWith(formats, "2026-03-01T14:30:00")).toBe("2026-03-01");
    expect(parseDateWith(formats, "2026-02-30")).toBeUndefined();
    expect(parseDateWith(formats, "mars 2026")).toBeUndefined();
    expect(compileDateFormat("MM/YYYY")).toBeUndefined();
  });
});

describe("detection", () => {
  it("tells UTF-8, UTF-8 with BOM and Windows-1252 apart", () => {
    const text = "Ärendenr;Händelsedatum\r\n1;Åsa Öberg\r\n";
    expect(detectEncoding(Buffer.from(text, "utf8"), true)).toEqual({ encoding: "utf-8", bom: false });
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), true)).toEqual({ encoding: "utf-8", bom: true });
    expect(detectEncoding(iconv.encode(text, "windows-1252"), true)).toEqual({ encoding: "windows-1252", bom: false });
    expect(detectEncoding(iconv.encode(text, "iso-8859-1"), true).encoding).toBe("windows-1252");
    expect(detectEncoding(iconv.encode(text, "utf-16le", { addBOM: true }), true)).toEqual({ encoding: "utf-16le", bom: true });
    // A sample cut inside a two-byte character is still UTF-8.
    const cut = Buffer.from("a;b\nÅ", "utf8");
    expect(detectEncoding(cut.subarray(0, cut.length - 1), false).encoding).toBe("utf-8");
  });

  it("finds the delimiter of the header line, ignoring quoted ones", () => {
    expect(detectDelimiter("a;b;c\n1,2,3,4,5")).toBe(";");
    expect(detectDelimiter("a,b,c\n")).toBe(",");
    expect(detectDelimiter("a\tb\tc\r\n")).toBe("\t");
    expect(detectDelimiter('"x;y;z",b,c\n')).toBe(",");
  });

  it("the fixtures are what they claim to be", () => {
    const fix = (n: string) => readFileSync(join(TEMPLATES_DIR, "..", "fixtures", "exports", n));
    expect(detectEncoding(fix("synergi-vecka10.csv"), true)).toEqual({ encoding: "utf-8", bom: true });
    expect(detectEncoding(fix("treserva-mars.csv"), true).encoding).toBe("windows-1252");
    expect(detectDelimiter(fix("medcontrol-mars.txt").toString("utf8"))).toBe("\t");
  });
});
