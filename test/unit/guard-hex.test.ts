// A hash printed in a summary (the audit head) is not a personnummer, even when twelve of its digits are one.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findPersonalNumbers } from "../../src/core/personnummer.js";

const TODAY = "2026-03-10";

describe("personnummer in hexadecimal words", () => {
  it("ignores a valid number that stands inside a long hash, and still finds one written beside letters", () => {
    const hash = `9f3cab${"d".repeat(8)}191212121212ab${"e".repeat(20)}`;
    expect(findPersonalNumbers(`Granskningsloggens huvud: 42:${hash}`, TODAY)).toEqual([]);
    expect(findPersonalNumbers("pnr191212121212", TODAY)).toEqual(["191212121212"]);
    expect(findPersonalNumbers("abc 19121212-1212 def", TODAY)).toEqual(["19121212-1212"]);
    // Short hex-like words are ordinary text: a number there still counts.
    expect(findPersonalNumbers("id ab191212121212", TODAY)).toEqual(["191212121212"]);
  });

  it("finds no number in any of 20,000 SHA-256 hashes", () => {
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const h = createHash("sha256").update(String(i)).digest("hex");
      if (findPersonalNumbers(`${i}:${h}`, TODAY).length) hits++;
    }
    expect(hits).toBe(0);
  });
});
