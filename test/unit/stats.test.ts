import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchDuplicate, textSimilarity, type DuplicateCandidate } from "../../src/core/duplicates.js";
import {
  histogramOf,
  marginsFromCube,
  median,
  parsePeriod,
  percentileNearestRank,
  periodFigures,
  previousPeriod,
  rangePeriod,
  share,
  type CubeRow,
} from "../../src/core/stats.js";

describe("periods", () => {
  it("parses half-years and years", () => {
    expect(parsePeriod("2026H1")).toEqual({ from: "2026-01-01", to: "2026-06-30", label: "2026H1", kind: "half" });
    expect(parsePeriod("2026h2")).toEqual({ from: "2026-07-01", to: "2026-12-31", label: "2026H2", kind: "half" });
    expect(parsePeriod("2026")).toEqual({ from: "2026-01-01", to: "2026-12-31", label: "2026", kind: "year" });
    for (const bad of ["2026H3", "26H1", "2026-H1", "H1", "2026H", ""]) expect(parsePeriod(bad)).toBeUndefined();
  });

  it("recognises a range that is a half-year or a year, and refuses a reversed one", () => {
    expect(rangePeriod("2026-01-01", "2026-06-30")).toEqual(parsePeriod("2026H1"));
    expect(rangePeriod("2026-07-01", "2026-12-31")).toEqual(parsePeriod("2026H2"));
    expect(rangePeriod("2026-01-01", "2026-12-31")).toEqual(parsePeriod("2026"));
    expect(rangePeriod("2026-03-01", "2026-03-31")?.kind).toBe("range");
    expect(rangePeriod("2026-04-01", "2026-03-31")).toBeUndefined();
    expect(rangePeriod("2026-02-30", "2026-03-31")).toBeUndefined();
  });

  it("gives the period before for the trend", () => {
    expect(previousPeriod(parsePeriod("2026H1")!).label).toBe("2025H2");
    expect(previousPeriod(parsePeriod("2026H2")!).label).toBe("2026H1");
    expect(previousPeriod(parsePeriod("2026")!).label).toBe("2025");
    // whole months: the same number of months before
    expect(previousPeriod(rangePeriod("2026-01-01", "2026-03-31")!)).toMatchObject({ from: "2025-10-01", to: "2025-12-31" });
    expect(previousPeriod(rangePeriod("2026-03-01", "2026-03-31")!)).toMatchObject({ from: "2026-02-01", to: "2026-02-28" });
    // any other range: the same number of days, ending the day before
    expect(previousPeriod(rangePeriod("2026-03-10", "2026-03-19")!)).toMatchObject({ from: "2026-02-28", to: "2026-03-09" });
  });
});

describe("median and 90th percentile", () => {
  it("know their answers on small lists", () => {
    expect(median(histogramOf([]))).toBeNull();
    expect(median(histogramOf([7]))).toBe(7);
    expect(median(histogramOf([3, 1, 2]))).toBe(2);
    expect(median(histogramOf([20, 40, 101, 30]))).toBe(35); // mean of the two middle values
    expect(median(histogramOf([10, 100]))).toBe(55);
    // nearest rank: the value at rank ceil(0.9 n)
    expect(percentileNearestRank(histogramOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 90)).toBe(9);
    expect(percentileNearestRank(histogramOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 90)).toBe(10);
    expect(percentileNearestRank(histogramOf([20, 40, 101, 30]), 90)).toBe(101);
    expect(percentileNearestRank(histogramOf([5]), 90)).toBe(5);
    expect(percentileNearestRank(histogramOf([]), 90)).toBeNull();
    expect(percentileNearestRank(histogramOf([4, 1, 9]), 100)).toBe(9);
  });

  it("agree with the definitions on sorted lists (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 400 }), { minLength: 1, maxLength: 200 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const n = sorted.length;
        const h = histogramOf(values);
        const expectedMedian = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
        expect(median(h)).toBe(expectedMedian);
        const p90 = percentileNearestRank(h, 90)!;
        expect(p90).toBe(sorted[Math.ceil((9 * n) / 10) - 1]);
        expect(p90).toBeGreaterThanOrEqual(expectedMedian);
        // at least 90 % of the values are at most p90
        expect(sorted.filter((v) => v <= p90).length / n).toBeGreaterThanOrEqual(0.9);
      }),
    );
  });

  it("shares are fractions rounded to four decimals, none when nothing is due", () => {
    expect(share(3, 5)).toBe(0.6);
    expect(share(2, 3)).toBe(0.6667);
    expect(share(0, 0)).toBeNull();
  });
});

describe("figures of a period from the store's aggregates", () => {
  const row = (over: Partial<CubeRow>): CubeRow => ({
    area: "lakemedel",
    kind: "tillbud",
    severity: null,
    counterpartId: "region",
    unitId: null,
    count: 1,
    answered: 0,
    answeredOnTime: 0,
    unansweredOverdue: 0,
    ...over,
  });
  it("adds up the margins, the deadline share and the most frequent pairs", () => {
    const f = periodFigures(
      parsePeriod("2026H1")!,
      marginsFromCube([
        row({ count: 3, answered: 2, answeredOnTime: 2, severity: "rod" }),
        row({ area: "information", counterpartId: "kommun", count: 2, answered: 1, answeredOnTime: 0, unansweredOverdue: 1, unitId: "enhet" }),
        row({ area: "information", count: 1 }),
      ]),
      { region: histogramOf([10, 20, 30]) },
    );
    expect(f.total).toBe(6);
    expect(f.byArea).toMatchObject({ lakemedel: 3, information: 3, bemotande: 0 });
    expect(f.bySeverity).toEqual({ gron: 0, gul: 0, rod: 3, "-": 3 });
    expect(f.byCounterpart).toEqual({ region: 4, kommun: 2 });
    expect(f.byUnit).toEqual({ "-": 4, enhet: 2 });
    expect(f.answeredWithinDeadline).toBe(0.5); // 2 on time / (3 answered + 1 overdue)
    expect(f.withinDeadlineByCounterpart).toEqual({ kommun: 0, region: 1 });
    expect(f.handlingDays).toEqual({ median: 20, p90: 30, count: 3 });
    expect(f.topPairs[0]).toEqual({ area: "lakemedel", counterpart: "region", count: 3 });
    expect(f.topPairs).toHaveLength(3);
  });
});

describe("double reporting", () => {
  const base: DuplicateCandidate = {
    id: 1,
    counterpartId: "region-ostergotland",
    eventDate: "2026-03-01",
    area: "lakemedel",
    summary: "Utskriven från sjukhus utan läkemedelslista",
    description: null,
    personHashes: ["h1"],
  };
  const other = (over: Partial<DuplicateCandidate>): DuplicateCandidate => ({ ...base, id: 2, ...over });

  it("pairs the same person, close dates and the same providers, with the reasons", () => {
    expect(matchDuplicate(base, other({ eventDate: "2026-03-03", summary: "Patienten kom hem utan läkemedelslista från sjukhuset" }))).toMatchObject({
      reasons: ["samePerson", "closeDates", "sameProviders", "sameArea", "similarText"],
      days: 2,
    });
    // same person, other area but similar text
    expect(matchDuplicate(base, other({ area: "information" }))?.reasons).toEqual(["samePerson", "closeDates", "sameProviders", "similarText"]);
    // nobody named in one of them: area and text both needed
    expect(matchDuplicate(base, other({ personHashes: [] }))?.reasons).toEqual(["closeDates", "sameProviders", "sameArea", "similarText"]);
  });

  it("does not pair near misses", () => {
    expect(matchDuplicate(base, other({ eventDate: "2026-03-05" }))).toBeNull(); // four days apart
    expect(matchDuplicate(base, other({ counterpartId: "norrkoping" }))).toBeNull(); // other providers
    expect(matchDuplicate(base, other({ personHashes: ["h2"] }))).toBeNull(); // different persons
    expect(matchDuplicate(base, other({ area: "bemotande", summary: "Otrevligt bemötande i telefon" }))).toBeNull(); // same person, nothing else alike
    expect(matchDuplicate(base, other({ personHashes: [], summary: "Fallolycka i badrummet" }))).toBeNull(); // nobody named, text differs
    expect(matchDuplicate(base, { ...base })).toBeNull(); // a case is not its own duplicate
  });

  it("measures text similarity on word stems", () => {
    expect(textSimilarity("Utskriven utan läkemedelslista", "utskriven UTAN läkemedelslistan")).toBe(1);
    expect(textSimilarity("Fallolycka i badrummet", "Utskriven utan läkemedelslista")).toBe(0);
    expect(textSimilarity("", "något")).toBe(0);
  });
});
