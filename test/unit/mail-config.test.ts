import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadMailOptions, parseSmtpUrl, redact, resolveSmtp } from "../../src/mail/config.js";
import { fill } from "../../src/mail/templates.js";

/** The directories a test made (a test may make several): removed after it. */
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function withConfig(config: unknown): string {
  const home = mkdtempSync(join(tmpdir(), "avvik-mailcfg-"));
  homes.push(home);
  writeFileSync(join(home, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  return home;
}

describe("mail settings", () => {
  it("reads smtp:// and smtps:// URLs with credentials and TLS options", () => {
    expect(parseSmtpUrl("smtp://127.0.0.1:2525")).toMatchObject({ host: "127.0.0.1", port: 2525, secure: false });
    expect(parseSmtpUrl("smtps://reg%40k.se:p%C3%A5ss@mail.k.se")).toMatchObject({ host: "mail.k.se", port: 465, secure: true, user: "reg@k.se", pass: "påss" });
    expect(parseSmtpUrl("smtp://mail.k.se?requireTLS=true&rejectUnauthorized=false")).toMatchObject({ port: 587, requireTLS: true, rejectUnauthorized: false });
    for (const bad of ["http://mail.k.se", "mail.k.se:25", "smtp://"]) expect(() => parseSmtpUrl(bad)).toThrow(expect.objectContaining({ key: "mail.error.smtpUrl" }));
    expect(redact("smtp://user:hemligt@host:25")).toBe("smtp://user:***@host:25");
  });

  it("prefers AVVIK_SMTP_URL to the config file, takes the password from the named variable, and defaults to files", () => {
    const h = withConfig({ smtp: { host: "mail.k.se", port: 25, user: "avvik", passwordEnv: "MY_PASS" }, mail: { from: "Reg <reg@k.se>", autoNotify: false, retries: 5 } });
    expect(resolveSmtp(h, { MY_PASS: "x" })).toMatchObject({ host: "mail.k.se", port: 25, user: "avvik", pass: "x", source: join(h, "config.json") });
    expect(resolveSmtp(h, { MY_PASS: "x", AVVIK_SMTP_URL: "smtp://other:2525" })).toMatchObject({ host: "other", port: 2525 });
    expect(() => resolveSmtp(h, {})).toThrow(expect.objectContaining({ key: "mail.error.passwordEnv" }));
    expect(loadMailOptions(h, {})).toMatchObject({ from: "Reg <reg@k.se>", autoNotify: false, retries: 5 });
    expect(loadMailOptions(h, { AVVIK_MAIL_FROM: "x@k.se", AVVIK_MAIL_RETRIES: "2" })).toMatchObject({ from: "x@k.se", retries: 2 });
    expect(resolveSmtp(withConfig({ mail: {} }), {})).toBeNull();
    expect(() => loadMailOptions(withConfig("{not json"), {})).toThrow(expect.objectContaining({ key: "mail.error.config" }));
  });

  it("takes timeoutSeconds in whole or decimal seconds within 0.1-600, else the default 30", () => {
    const timeout = (v: unknown) => loadMailOptions(withConfig({ mail: { timeoutSeconds: v } }), {}).timeoutSeconds;
    expect([timeout(12), timeout("12"), timeout(0.5), timeout("0.5"), timeout(600)]).toEqual([12, 12, 0.5, 0.5, 600]);
    expect([timeout(0.05), timeout(0), timeout(-1), timeout(601), timeout("1,5"), timeout(".5"), timeout("snabbt"), timeout(null)]).toEqual([30, 30, 30, 30, 30, 30, 30, 30]);
  });

  it("fills templates, with a dash for empty values and unknown placeholders left visible", () => {
    expect(fill("Ärende {diaryNumber}: {unit} {typo}", { diaryNumber: "2026-000001", unit: null })).toBe("Ärende 2026-000001: – {typo}");
  });
});
