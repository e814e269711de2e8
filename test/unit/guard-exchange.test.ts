// Exchange import records the other provider's case and answer through the same guard: a spelt personnummer in
// the summary, the description, the causes, the actions or their diary number is refused and nothing changes.
// (The payload is handed to importPayload directly, signed with a key recorded for the region: what comes
// before it, reading and verifying the file, is tested in test/e2e/exchange.test.ts and exchange-signing.test.ts.)

import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXCHANGE_VERSION, type ExchangePayload, type SealedPayload } from "../../src/core/exchange.js";
import { importPayload } from "../../src/exchange/import.js";
import { fingerprintOf, signPayload, type SigningKey } from "../../src/exchange/keys.js";
import { Store } from "../../src/store/store.js";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
let store: Store;
let regionKey: SigningKey;

beforeEach(async () => {
  s = linkoping();
  await s.cliJson([...outgoingCase(), "--no-notify"]);
  store = await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
  // The region's key, recorded as `org key import` would.
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x!, "base64url");
  regionKey = { file: "", privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
  await store.write(async () => await store.orgKeys.set("region-ostergotland", publicKey, regionKey.fingerprint));
});

afterEach(() => {
  store?.close();
  s?.cleanup();
});

function payload(type: "case" | "answer", change: { case?: Partial<ExchangePayload["case"]>; answer?: Partial<NonNullable<ExchangePayload["answer"]>> }): ExchangePayload {
  const sealed: SealedPayload = {
    format: "avvik-exchange",
    version: EXCHANGE_VERSION,
    type,
    createdAt: "2026-03-10T08:00:00",
    sender: { orgId: "region-ostergotland", name: "Region Östergötland", kind: "region" },
    recipient: { orgId: "linkoping", name: "Linköpings kommun", kind: "municipality" },
    case: {
      diaryNumber: "RÖ 2026-77",
      eventDate: "2026-03-01",
      discoveredDate: "2026-03-02",
      dueDate: "2026-05-02",
      kind: "tillbud",
      area: "lakemedel",
      severity: null,
      summary: "Läkemedelslista saknades",
      description: null,
      unit: null,
      refs: [],
      ...change.case,
    },
    ...(type === "answer"
      ? { answer: { inReplyTo: { orgId: "linkoping", diaryNumber: "2026-000001" }, causes: null, actions: null, followUp: null, answeredOn: "2026-03-09", ...change.answer } }
      : {}),
    checksum: "sha256:not-checked-here",
  };
  return signPayload(sealed, regionKey);
}

const PNR = ["19121212\u20131212", "1912-12-12-1212", "12 12 12-1212", "1912\u200B1212\u00AD1212", "\uFF11\uFF19\uFF11\uFF12\uFF11\uFF12\uFF11\uFF12\uFF0D\uFF11\uFF12\uFF11\uFF12"];

describe("exchange import and the personnummer guard", () => {
  it("refuses a case whose summary, description or diary number holds a spelt number", async () => {
    const before = (await store.cases.list({})).length;
    for (const pnr of PNR) {
      for (const change of [{ summary: `Gäller ${pnr}` }, { description: `Patient ${pnr} utskriven` }, { diaryNumber: pnr }]) {
        await expect(importPayload(store, payload("case", { case: change }), Buffer.from(`case ${pnr} ${JSON.stringify(change)}`)), JSON.stringify(change)).rejects.toThrow(
          expect.objectContaining({ key: "error.personalNumberInText" }),
        );
      }
    }
    expect((await store.cases.list({})).length).toBe(before);
    // The same payload without a number goes in.
    expect((await importPayload(store, payload("case", {}), Buffer.from("clean"))).type).toBe("case");
  });

  it("refuses an answer whose causes, actions or follow-up hold a spelt number, and the case stays as it was", async () => {
    const before = JSON.stringify(await store.cases.get(1, { documents: true }));
    for (const pnr of PNR) {
      for (const change of [{ causes: `Orsak ${pnr}` }, { actions: `Åtgärd ${pnr}` }, { followUp: `Uppföljning ${pnr}` }]) {
        await expect(importPayload(store, payload("answer", { answer: change }), Buffer.from(`answer ${pnr} ${JSON.stringify(change)}`)), JSON.stringify(change)).rejects.toThrow(
          expect.objectContaining({ key: "error.personalNumberInText" }),
        );
      }
    }
    expect(JSON.stringify(await store.cases.get(1, { documents: true }))).toBe(before);
  });
});
