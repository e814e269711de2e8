// The documented example (docs/exchange/) is real: the payload verifies against the example key file, and
// any change to a field that matters breaks the signature.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatFingerprint, isPayload, openPayload, type ExchangePayload } from "../../src/core/exchange.js";
import { sha256Hex } from "../../src/exchange/file.js";
import { fingerprintOf, parseKeyFile, verifyPayload } from "../../src/exchange/keys.js";

const DOCS = join(import.meta.dirname, "..", "..", "docs", "exchange");

describe("the documented example", () => {
  const text = readFileSync(join(DOCS, "example-case.json"), "utf8");
  const key = parseKeyFile(readFileSync(join(DOCS, "example-linkoping.avvik-key")));

  it("verifies against the example key, and the key file carries the fingerprint the docs give", () => {
    if ("problem" in key) throw new Error(key.problem);
    expect(key.orgId).toBe("linkoping");
    expect(key.fingerprint).toBe(fingerprintOf(key.publicKey));
    expect(readFileSync(join(DOCS, "signing.md"), "utf8")).toContain(key.fingerprint);
    const opened = openPayload(text, sha256Hex);
    if (!isPayload(opened)) throw new Error(JSON.stringify(opened));
    expect(verifyPayload(opened, key.publicKey)).toBe(true);
  });

  it("does not verify once a field that matters is changed, even with the checksum recomputed", () => {
    if ("problem" in key) throw new Error(key.problem);
    const p = JSON.parse(text) as ExchangePayload;
    const changes: Array<(q: ExchangePayload) => void> = [
      (q) => (q.case.dueDate = "2026-12-31"),
      (q) => (q.sender.orgId = "norrkoping"),
      (q) => (q.recipient.name = "Region Östergötland"),
      (q) => (q.case.summary += "."),
      (q) => (q.type = "answer"),
    ];
    for (const change of changes) {
      const q = structuredClone(p);
      change(q);
      expect(verifyPayload(q, key.publicKey)).toBe(false);
    }
    // White space and key order do not matter: the canonical form is what is signed.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(p).reverse())));
    expect(verifyPayload(reordered, key.publicKey)).toBe(true);
  });

  it("formats a fingerprint as eight groups of four upper-case hex digits", () => {
    expect(formatFingerprint("ab12cd34ef56a7b8c9d0e1f2a3b4c5d6ffffffffffffffffffffffffffffffff")).toBe("AB12 CD34 EF56 A7B8 C9D0 E1F2 A3B4 C5D6");
  });
});
