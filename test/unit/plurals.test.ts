// Plural forms a registrar would correct, beyond the nouns that test/unit/i18n.test.ts looks for: a count
// followed by a Swedish participle or adjective in the plural ("1 ändrade", "1 nya"), or in English by a
// plural noun ("1 fields"). Each must be a {n|one|other} form.

import { describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { sv } from "../../src/i18n/sv.js";
import { loadLanguage, translate } from "../../src/i18n/index.js";

const SV_PLURALS = ["nya", "ändrade", "oförändrade", "borttagna", "avvisade", "kopplade", "sparade", "skickade", "köade", "misslyckade", "försökta", "försenade", "öppna", "stängda", "gallrade", "lästa", "kvarvarande"];
const EN_PLURALS = ["fields", "lines", "files", "cases", "days", "rows", "messages", "pages", "contacts", "codes", "entries", "actions", "months", "documents", "people", "persons", "errors"];

function bare(catalogue: Record<string, string>, words: string[]): string[] {
  const found: string[] = [];
  for (const [key, text] of Object.entries(catalogue)) {
    for (const m of text.matchAll(/\{(\w+)\} ([a-zA-ZåäöÅÄÖ]+)/g)) if (words.includes(m[2]!)) found.push(`${key}: {${m[1]}} ${m[2]}`);
  }
  return found;
}

describe("plural forms of counts", () => {
  it("no Swedish count is followed by a bare plural participle or adjective", () => {
    expect(bare(sv, SV_PLURALS)).toEqual([]);
  });

  it("no English count is followed by a bare plural noun", () => {
    expect(bare(en as Record<string, string>, EN_PLURALS)).toEqual([]);
  });

  it("the forms read right for one and for many", async () => {
    await loadLanguage("en");
    expect(translate("sv", "classification.imported", { file: "k.csv", total: 1, added: 1, changed: 1, removed: 1 })).toBe("Klassificeringsstrukturen är inläst från k.csv: 1 kod (1 ny, 1 ändrad, 1 borttagen).");
    expect(translate("sv", "classification.imported", { file: "k.csv", total: 3, added: 2, changed: 0, removed: 3 })).toBe("Klassificeringsstrukturen är inläst från k.csv: 3 koder (2 nya, 0 ändrade, 3 borttagna).");
    expect(translate("en", "csv.row.fieldCount", { found: 1, expected: 3 })).toMatch(/^the row has 1 field but/);
    expect(translate("sv", "mail.count.files", { n: 1 })).toBe("1 sparat som .eml-fil (inte skickat)");
    expect(translate("sv", "mail.count.files", { n: 2 })).toBe("2 sparade som .eml-filer (inte skickade)");
  });
});
