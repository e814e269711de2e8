import { describe, expect, it } from "vitest";
import { addDays, addMonths, daysBetween, parseIsoDate } from "../../src/core/dates.js";
import { dueDate, isDueWithin, isOverdue } from "../../src/core/deadline.js";

describe("calendar dates", () => {
  it("accepts real dates only", () => {
    expect(parseIsoDate("2026-03-14")).toBe("2026-03-14");
    expect(parseIsoDate("2024-02-29")).toBe("2024-02-29");
    expect(parseIsoDate("2026-02-29")).toBeUndefined();
    expect(parseIsoDate("2026-13-01")).toBeUndefined();
    expect(parseIsoDate("2026-04-31")).toBeUndefined();
    expect(parseIsoDate("14/3/2026")).toBeUndefined();
    expect(parseIsoDate("2026-3-14")).toBeUndefined();
  });

  it("adds months, clamping to the last day of shorter months", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonths("2026-03-31", 3)).toBe("2026-06-30");
    expect(addMonths("2026-11-15", 2)).toBe("2027-01-15");
    expect(addMonths("2026-12-31", 2)).toBe("2027-02-28");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  });

  it("counts days across month ends, leap days and daylight saving", () => {
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2026-02-28", "2026-03-01")).toBe(1);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-03-10", "2026-03-01")).toBe(-9);
  });
});

describe("deadlines", () => {
  it("runs from the discovered date by the agreement's months", () => {
    expect(dueDate("2026-03-02", 2)).toBe("2026-05-02");
    expect(dueDate("2026-03-02", 3)).toBe("2026-06-02");
    expect(dueDate("2025-11-30", 3)).toBe("2026-02-28");
    expect(dueDate("2027-11-30", 3)).toBe("2028-02-29");
  });

  it("is overdue only while unanswered and after the due date", () => {
    expect(isOverdue("sent", "2026-05-02", "2026-05-03")).toBe(true);
    expect(isOverdue("sent", "2026-05-02", "2026-05-02")).toBe(false);
    expect(isOverdue("answered", "2026-05-02", "2026-06-01")).toBe(false);
    expect(isOverdue("closed", "2026-05-02", "2026-06-01")).toBe(false);
    expect(isDueWithin("registered", "2026-05-10", "2026-05-01", 14)).toBe(true);
    expect(isDueWithin("registered", "2026-05-16", "2026-05-01", 14)).toBe(false);
    expect(isDueWithin("registered", "2026-04-30", "2026-05-01", 14)).toBe(false);
    expect(isDueWithin("answered", "2026-05-10", "2026-05-01", 14)).toBe(false);
  });
});
