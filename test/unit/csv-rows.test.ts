import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import iconv from "iconv-lite";
import { stringify } from "csv-stringify/sync";
import { afterAll, describe, expect, it } from "vitest";
import { AREAS, KINDS } from "../../src/core/codes.js";
import type { Org } from "../../src/core/types.js";
import { checkProfile } from "../../src/csv/profile.js";
import { detect, readRecords, type CsvRecord } from "../../src/csv/read.js";
import { RowReader, directoryOf, indexColumns } from "../../src/csv/rows.js";
import { fingerprintOf, fingerprintSalt } from "../../src/csv/check.js";
import { FieldCipher } from "../../src/store/crypto.js";

const TODAY = "2026-03-10";
const org = (id: string, name: string, extra: Partial<Org> = {}): Org => ({ id, name, kind: "region", parentId: null, address: null, deadlineMonths: null, deviationRecipientId: null, self: false, ...extra });
const directory = directoryOf([
  org("linkoping", "Linköpings kommun", { kind: "municipality", self: true }),
  org("linkoping-hemtjanst-ryd", "Hemtjänsten Ryd", { kind: "municipality", parentId: "linkoping" }),
  org("region-ostergotland", "Region Östergötland"),
  org("ro-viss", "Vrinnevisjukhuset, medicinkliniken", { parentId: "region-ostergotland" }),
  org("norrkoping", "Norrköpings kommun", { kind: "municipality" }),
]);
const profileSource = {
    system: "test",
    direction: "in",
    dateFormats: ["YYYY-MM-DD", "DD.MM.YYYY"],
    columns: { externalId: "Nr", eventDate: "Händelsedatum", summary: "Rubrik", description: "Beskrivning", area: "Område", kind: "Typ", counterpart: "Motpart", unit: "Enhet", personnummer: "Personnummer", personName: "Namn" },
    values: { area: { "Läkemedel": "lakemedel" } },
};
const profile = checkProfile(profileSource, "test.json", iconv.encodingExists);
const HEADER = ["Nr", "Händelsedatum", "Rubrik", "Beskrivning", "Område", "Typ", "Motpart", "Enhet", "Personnummer", "Namn"];

function reader(header = HEADER): RowReader {
  return new RowReader(profile, indexColumns(profile, header).index, directory, TODAY);
}

describe("a row of an export", () => {
  it("is turned into a case: codes, dates, counterpart by name, unit of the counterpart, person", () => {
    const r = reader().read(["A-1", "01.03.2026", " Rubrik ", "", "Läkemedel", "Tillbud", "Vrinnevisjukhuset, medicinkliniken", "", "19121212-1212", "Tolvan"]);
    expect(r).toEqual({
      ok: true,
      row: {
        externalId: "A-1",
        fields: { eventDate: "2026-03-01", discoveredDate: "2026-03-01", receivedDate: null, summary: "Rubrik", description: null, area: "lakemedel", kind: "tillbud", severity: null, counterpartId: "region-ostergotland", unitId: "ro-viss", status: null },
        persons: [{ digits: "191212121212", name: "Tolvan" }],
      },
    });
  });

  it("names every problem with its column, value and what was expected", () => {
    const r = reader().read(["", "2026-04-01", "Fel 19121212-1212", "", "Okänt", "tillbud", "Linköpings kommun", "Hemtjänsten Ryd", "19121212-1213", ""]);
    expect(r.ok).toBe(false);
    const keys = r.ok ? [] : r.problems.map((p) => `${p.key}:${p.params.column ?? ""}`);
    expect(keys).toEqual([
      "csv.row.required:Nr",
      "csv.row.futureDate:Händelsedatum",
      "csv.row.pnrInText:Rubrik",
      "csv.row.badCode:Område",
      "csv.row.counterpartSelf:Motpart",
      "csv.row.badPnr:Personnummer",
    ]);
    const unit = reader().read(["1", "2026-03-01", "R", "", "ovrigt", "risk", "norrkoping", "ro-viss", "", ""]);
    expect(unit.ok ? [] : unit.problems.map((p) => p.key)).toEqual(["csv.row.unitNotOfParties"]);
  });
});

// The row parser on generated rows: whatever the text (delimiters, quotes, line breaks, Swedish letters), the
// delimiter, the line ending and the encoding, every row reads back as written, on the line where it starts.
const dir = mkdtempSync(join(tmpdir(), "avvik-csv-prop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const letters = fc.constantFrom(..."abcåäöÅÄÖéü xyz;,\t\"'\n-=+@/().".split(""));
const text = fc
  .array(letters, { minLength: 1, maxLength: 40 })
  .map((a) => a.join("").trim())
  .filter((t) => t.length > 0);
const date = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2026-03-09T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const row = fc.record({
  id: fc.stringMatching(/^[A-Z0-9-]{1,12}$/),
  eventDate: date,
  dotted: fc.boolean(),
  summary: text,
  description: fc.option(text, { nil: null }),
  area: fc.constantFrom(...AREAS),
  kind: fc.constantFrom(...KINDS),
});

async function readBack(file: string): Promise<CsvRecord[]> {
  const d = await detect(file, profile);
  const out: CsvRecord[] = [];
  await readRecords(file, d, (r) => void out.push(r), () => undefined, () => undefined).done;
  return out;
}

describe("the row parser (property)", () => {
  it("reads every generated row back exactly, with its line number", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(row, { minLength: 1, maxLength: 15, selector: (r) => r.id }),
        fc.constantFrom(";", ",", "\t"),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("utf-8", "utf-8-bom", "windows-1252"),
        async (rows, delimiter, eol, encoding) => {
          const records = rows.map((r) => {
            const [y, m, d] = r.eventDate.split("-");
            return [r.id, r.dotted ? `${d}.${m}.${y}` : r.eventDate, r.summary, r.description ?? "", r.area, r.kind, "Region Östergötland", "", "", ""];
          });
          const csv = stringify([HEADER, ...records], { delimiter, record_delimiter: eol === "\n" ? "unix" : "windows" });
          const body = encoding === "windows-1252" ? iconv.encode(csv, "windows-1252") : Buffer.from(csv, "utf8");
          const file = join(dir, "p.csv");
          writeFileSync(file, encoding === "utf-8-bom" ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
          const [header, ...read] = await readBack(file);
          expect(header!.cells).toEqual(HEADER);
          expect(read).toHaveLength(rows.length);
          let line = 2;
          read.forEach((rec, i) => {
            const g = rows[i]!;
            expect(rec.line).toBe(line);
            line += 1 + records[i]!.join("").split("\n").length - 1;
            const r = reader().read(rec.cells);
            if (!r.ok) throw new Error(JSON.stringify(r.problems));
            expect(r.row.externalId).toBe(g.id);
            expect(r.row.fields).toMatchObject({ eventDate: g.eventDate, summary: g.summary, description: g.description, area: g.area, kind: g.kind, counterpartId: "region-ostergotland" });
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("a row's fingerprint (its raw cells)", () => {
  const cipher = new FieldCipher(Buffer.alloc(32, 7));
  const salt = fingerprintSalt(cipher, profile);
  const cells = ["A-1", "2026-03-01", "Rubrik", "Text", "Läkemedel", "tillbud", "Region Östergötland", "", "191212121212", "Tolvan"];
  const all = cells.map((_, i) => i);

  it("is the same for the same cells and changes with any cell the profile reads or the organisation resolved", () => {
    expect(fingerprintOf(salt, cells, all, "region-ostergotland", null)).toBe(fingerprintOf(salt, [...cells], all, "region-ostergotland", null));
    for (let i = 0; i < cells.length; i++) {
      const changed = [...cells];
      changed[i] += " ";
      expect(fingerprintOf(salt, changed, all, "region-ostergotland", null)).not.toBe(fingerprintOf(salt, cells, all, "region-ostergotland", null));
    }
    expect(fingerprintOf(salt, cells, all, "region-ostergotland", "ro-viss")).not.toBe(fingerprintOf(salt, cells, all, "region-ostergotland", null));
    // A column the profile does not read is no part of it.
    expect(fingerprintOf(salt, [...cells, "extra"], all, "region-ostergotland", null)).toBe(fingerprintOf(salt, cells, all, "region-ostergotland", null));
  });

  it("tells cells apart however they hold the separator", () => {
    const a = ["x\0", "y"];
    const b = ["x", "\0y"];
    expect(fingerprintOf(salt, a, [0, 1], "o", null)).not.toBe(fingerprintOf(salt, b, [0, 1], "o", null));
    expect(fingerprintOf(salt, ["x\0y"], [0], "o", null)).not.toBe(fingerprintOf(salt, ["x", "y"], [0, 1], "o", null));
  });

  it("is salted by the key and by what of the profile turns cells into a case", () => {
    expect(fingerprintSalt(new FieldCipher(Buffer.alloc(32, 8)), profile)).not.toBe(salt);
    const remapped = checkProfile({ ...JSON.parse(JSON.stringify(profileSource)), values: { area: { "Läkemedel": "omvardnad" } } }, "test.json", iconv.encodingExists);
    expect(fingerprintSalt(cipher, remapped)).not.toBe(salt);
    expect(fingerprintSalt(cipher, checkProfile(JSON.parse(JSON.stringify(profileSource)), "other.json", iconv.encodingExists))).toBe(salt);
  });
});
