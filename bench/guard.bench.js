// The personnummer guard and the terminal filter on typical text: microseconds per call of findPersonalNumbers
// (every CSV cell, every summary and diary subject goes through it) for plain Swedish text, text with dates and
// phone numbers, text holding a number, and obfuscated spellings; and of jsonVisible over a 200,000-case listing.
// Best of five rounds. Prints figures; asserts nothing.
import { findPersonalNumbers } from "../dist/core/personnummer.js";
import { jsonVisible, visible } from "../dist/cli/terminal.js";

const TODAY = "2026-03-10";
const texts = {
  "plain Swedish, no digits": "Utskriven från sjukhus utan läkemedelslista, hemtjänsten fick ingen överrapportering",
  "dates, a phone number, a diary number":
    "Patienten skrevs ut från avd. 12 den 2026-02-21; ring 013-20 60 00 eller 070-123 45 67. Dnr 2026-000012.",
  "a number (19121212-1212)": "Gäller patient 19121212-1212, utskriven 2026-02-21",
  "an obfuscated number (en dash, zero-width, full-width)": "Gäller patient １９１２\u200B1212\u20131212, utskriven",
};

function best(fn, n) {
  let min = Infinity;
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    min = Math.min(min, (performance.now() - t) / n);
  }
  return min;
}

for (const [name, text] of Object.entries(texts)) {
  const us = best(() => findPersonalNumbers(text, TODAY), 50_000) * 1000;
  console.log(`findPersonalNumbers, ${name}: ${us.toFixed(2)} µs/call`);
}

const item = JSON.stringify({ id: 1, diaryNumber: "2026-000001", summary: texts["dates, a phone number, a diary number"], counterpart: { id: "region-ostergotland", name: "Region Östergötland" } });
const listing = Array.from({ length: 200_000 }, () => item).join(",");
console.log(`jsonVisible, 200,000-case listing (${(listing.length / 1e6).toFixed(1)} M characters): ${best(() => jsonVisible(listing), 1).toFixed(0)} ms`);
console.log(`visible, one card line: ${(best(() => visible(texts["plain Swedish, no digits"]), 50_000) * 1000).toFixed(2)} µs/call`);
