// Errors of the file system and the network in the reader's words, through one mapping (src/core/errors.ts):
// real errors made here (a missing file, a refused connection, a name that does not resolve, broken JSON) and
// an e-mail's stored last error, as nodemailer words it.

import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { reasonOf, reasonOfText, type MessageRef } from "../../src/core/errors.js";
import { translate, type MessageKey, type Params } from "../../src/i18n/index.js";
import { freePort } from "../helpers/smtp.js";

const sv = (r: MessageRef) => translate("sv", r.key as MessageKey, r.params as Params);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

describe("system errors in words", () => {
  it("a missing file, a directory where a file was wanted, JSON that is not JSON", () => {
    expect(sv(reasonOf(thrown(() => readFileSync("/nonexistent/avvik.json"))))).toBe("filen eller katalogen /nonexistent/avvik.json finns inte");
    expect(sv(reasonOf(thrown(() => readFileSync("/tmp")), { path: "/tmp" }))).toBe("/tmp är en katalog, inte en fil");
    expect(sv(reasonOf(thrown(() => JSON.parse('{"a": 1,}'))))).toMatch(/^filen är inte giltig JSON( \(fel (vid tecken \d+|på rad \d+, kolumn \d+)\))?$/);
    expect(sv(reasonOf(thrown(() => JSON.parse("{"))))).toMatch(/^filen är inte giltig JSON/);
  });

  it("a refused connection, as Node gives it and as nodemailer wraps it", async () => {
    const port = await freePort();
    const err = await new Promise<unknown>((resolve) => connect(port, "127.0.0.1").on("error", resolve));
    expect(sv(reasonOf(err))).toBe(`servern 127.0.0.1:${port} svarar inte (anslutningen nekades)`);
    const wrapped = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: "ESOCKET" });
    expect(sv(reasonOf(wrapped, { host: `127.0.0.1:${port}` }))).toBe(`servern 127.0.0.1:${port} svarar inte (anslutningen nekades)`);
  });

  it("an e-mail's stored last error; a server's own answer stays as it is", () => {
    expect(sv(reasonOfText("ESOCKET: connect ECONNREFUSED 127.0.0.1:2525"))).toBe("servern 127.0.0.1:2525 svarar inte (anslutningen nekades)");
    expect(sv(reasonOfText("EDNS: getaddrinfo ENOTFOUND smtp.kommun.invalid"))).toBe("servernamnet smtp.kommun.invalid finns inte (namnet kunde inte slås upp)");
    expect(sv(reasonOfText("ETIMEDOUT: Connection timeout"))).toBe("servern svarar inte (tidsgränsen nåddes)");
    expect(sv(reasonOfText("554 5.7.1 Message refused"))).toBe("554 5.7.1 Message refused");
  });

  it("a name that does not resolve is named without its port", () => {
    const e = Object.assign(new Error("getaddrinfo ENOTFOUND smtp.kommun.invalid"), { code: "EDNS" });
    expect(sv(reasonOf(e, { host: "smtp.kommun.invalid:25" }))).toBe("servernamnet smtp.kommun.invalid finns inte (namnet kunde inte slås upp)");
  });
});
