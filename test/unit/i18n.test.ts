import { describe, expect, it } from "vitest";
import { codeFromWord, codesWithWords, foldWord, KINDS, AREAS, DIRECTIONS, ROLES, STATUSES } from "../../src/core/codes.js";
import { en } from "../../src/i18n/en.js";
import { loadLanguage, msg, translate } from "../../src/i18n/index.js";
import { sv } from "../../src/i18n/sv.js";

describe("plural forms", () => {
  it("picks the singular for one and the plural otherwise, in both languages", async () => {
    await loadLanguage("en");
    expect(translate("sv", "common.daysOverdue", { n: 1 })).toBe("1 dag försenad");
    expect(translate("sv", "common.daysOverdue", { n: 3 })).toBe("3 dagar försenad");
    expect(translate("sv", "common.daysLeft", { n: 0 })).toBe("0 dagar kvar");
    expect(translate("en", "common.daysLeft", { n: 1 })).toBe("1 day left");
    expect(translate("en", "common.daysLeft", { n: 2 })).toBe("2 days left");
    expect(translate("sv", "csv.import.failed", { rejected: 1 })).toMatch(/^Inget lästes in: 1 rad är felaktig\./);
    expect(translate("sv", "csv.import.failed", { rejected: 2 })).toMatch(/^Inget lästes in: 2 rader är felaktiga\./);
    expect(translate("sv", "org.imported", { name: "X", created: 1, updated: 1, unchanged: 2, contacts: 1 })).toBe(
      "Katalogen X: 1 ny, 1 ändrad, 2 oförändrade organisationer; 1 ny kontakt.",
    );
    expect(translate("sv", "mail.flushFailed", { n: 1 })).toMatch(/^1 meddelande ligger kvar/);
    expect(translate("sv", "reply.inboxSummary", { n: 1, attached: 1, left: 0 })).toBe("1 fil: 1 kopplad, 0 kvar.");
  });

  it("every plural form in the catalogues names a parameter of its own message and has two forms", () => {
    for (const [name, cat] of [["sv", sv], ["en", en]] as const) {
      for (const [key, text] of Object.entries(cat)) {
        for (const m of (text as string).matchAll(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g)) {
          expect(m[2]!.length > 0 && m[3]!.length > 0, `${name} ${key}`).toBe(true);
          expect((text as string).includes(`{${m[1]}}`), `${name} ${key}: {${m[1]}} counted but not shown`).toBe(true);
        }
      }
    }
  });

  it("no count in the Swedish catalogue is followed by a bare plural noun", () => {
    const plurals = ["dagar", "ärenden", "filer", "sidor", "rader", "meddelanden", "händelser", "personer", "kontakter", "månader", "träffar"];
    for (const [key, text] of Object.entries(sv)) {
      for (const m of (text as string).matchAll(/\{(\w+)\} ([a-zåäö]+)/g)) {
        expect(plurals.includes(m[2]!) ? `${key}: {${m[1]}} ${m[2]}` : "", key).toBe("");
      }
    }
  });
});

describe("messages inside messages", () => {
  it("translates a message parameter and a list of them in the same language", async () => {
    await loadLanguage("en");
    const params = { case: "2026-000001", from: msg("statusWord.registered"), to: msg("statusWord.answered"), allowed: [msg("statusWord.sent")] };
    expect(translate("sv", "error.statusNotAllowed", params)).toBe("Ärende 2026-000001 kan inte gå från registrerat till besvarat. Tillåtna nästa steg: skickat.");
    expect(translate("en", "error.statusNotAllowed", params)).toBe("Case 2026-000001 cannot go from registered to answered. Allowed next steps: sent.");
  });
});

describe("Swedish words for codes", () => {
  it("folds case, diacritics, hyphens and underscores", () => {
    expect(foldWord(" Läkemedel ")).toBe("lakemedel");
    expect(foldWord("followed_up")).toBe(foldWord("Followed-Up"));
  });

  it("maps words to codes and nothing else", () => {
    expect(codeFromWord(DIRECTIONS, "ut")).toBe("out");
    expect(codeFromWord(DIRECTIONS, "UTGÅENDE")).toBe("out");
    expect(codeFromWord(DIRECTIONS, "in")).toBe("in");
    expect(codeFromWord(AREAS, "läkemedel")).toBe("lakemedel");
    expect(codeFromWord(AREAS, "Omvårdnad")).toBe("omvardnad");
    expect(codeFromWord(KINDS, "Tillbud")).toBe("tillbud");
    expect(codeFromWord(STATUSES, "besvarad")).toBe("answered");
    expect(codeFromWord(STATUSES, "Under utredning")).toBe("investigating");
    expect(codeFromWord(STATUSES, "followed-up")).toBe("followed_up");
    expect(codeFromWord(ROLES, "chef")).toBe("manager");
    expect(codeFromWord(ROLES, "samordnare")).toBe("coordinator");
    expect(codeFromWord(ROLES, "ut")).toBeUndefined();
    expect(codeFromWord(["text", "json"] as const, "JSON")).toBe("json");
  });

  it("no Swedish word names two codes of one group", () => {
    for (const list of [KINDS, AREAS, DIRECTIONS, ROLES, STATUSES]) {
      const seen = new Map<string, string>();
      for (const code of list) {
        for (const w of codesWithWords([code]).split(" (")) {
          const folded = foldWord(w.replace(/\)$/, ""));
          const other = seen.get(folded);
          expect(other === undefined || other === code, `${folded}: ${other} and ${code}`).toBe(true);
          seen.set(folded, code);
        }
      }
    }
  });
});
