import { describe, expect, it } from "vitest";
import { DiaryTemplate, splitDocumentNumber } from "../../src/core/diaryNumber.js";
import { allowedNext, checkTransition } from "../../src/core/workflow.js";

function template(source: string): DiaryTemplate {
  const t = DiaryTemplate.parse(source);
  if (!(t instanceof DiaryTemplate)) throw new Error(t.error);
  return t;
}

describe("diary number templates", () => {
  it("formats the forms real registers use", () => {
    expect(template("{year}-{seq:6}").format(2026, 12)).toBe("2026-000012");
    expect(template("VOK {year}-{seq}").format(2026, 123)).toBe("VOK 2026-123");
    expect(template("KS/{year}/{seq:4}").format(2026, 12)).toBe("KS/2026/0012");
    expect(template("SN {year}/{seq:4}").format(2026, 132)).toBe("SN 2026/0132");
    expect(template("{yy}-{seq:3}").format(2026, 7)).toBe("26-007");
  });

  it("refuses templates that cannot number a register", () => {
    expect(DiaryTemplate.parse("")).toEqual({ error: "empty" });
    expect(DiaryTemplate.parse("{year}")).toEqual({ error: "no-seq" });
    expect(DiaryTemplate.parse("{seq:6}")).toEqual({ error: "no-year" });
    expect(DiaryTemplate.parse("{year}-{nr}")).toEqual({ error: "token" });
    expect(DiaryTemplate.parse("A:{year}-{seq}")).toEqual({ error: "colon" });
  });

  it("finds its numbers in scanned text despite line breaks, en dashes and spaces", () => {
    const re = new RegExp(template("{year}-{seq:6}").searchPattern(), "g");
    const text = "Ert dnr 2026 – 000012 och 2026-\n000013 samt 2026‐14";
    expect([...text.matchAll(re)].map((m) => `${m.groups!.year}/${Number(m.groups!.seq)}`)).toEqual(["2026/12", "2026/13", "2026/14"]);
  });

  it("splits document numbers", () => {
    expect(splitDocumentNumber("2026-000012:3")).toEqual({ caseNumber: "2026-000012", seq: 3 });
    expect(splitDocumentNumber("2026-000012")).toBeUndefined();
  });
});

describe("workflow", () => {
  it("walks an outgoing case", () => {
    expect(allowedNext("out", "registered")).toEqual(["sent"]);
    expect(allowedNext("out", "sent")).toEqual(["answered"]);
    expect(allowedNext("out", "answered")).toEqual(["followed_up", "closed"]);
    expect(allowedNext("out", "closed")).toEqual([]);
  });

  it("walks an incoming case", () => {
    expect(allowedNext("in", "registered")).toEqual(["assigned"]);
    expect(allowedNext("in", "assigned")).toEqual(["investigating", "answered"]);
    expect(allowedNext("in", "investigating")).toEqual(["answered"]);
  });

  it("refuses what makes no sense, naming the allowed steps", () => {
    expect(checkTransition("out", "closed", "closed")).toEqual({ ok: false, reason: "same", allowed: [] });
    expect(checkTransition("out", "registered", "answered")).toEqual({ ok: false, reason: "not-allowed", allowed: ["sent"] });
    expect(checkTransition("in", "registered", "sent")).toEqual({ ok: false, reason: "not-allowed", allowed: ["assigned"] });
    expect(checkTransition("out", "sent", "answered")).toEqual({ ok: true });
  });
});

describe("migrations", () => {
  it("are numbered strictly increasing, so that every one runs on every register", async () => {
    const { MIGRATIONS } = await import("../../src/store/migrations/index.js");
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });
});
