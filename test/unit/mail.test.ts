// The outbox, the guard and delivery against a real SMTP server on loopback, in the test process.

import { readFileSync } from "node:fs";
import PDFDocument from "pdfkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MailOptions } from "../../src/mail/config.js";
import { parseSmtpUrl } from "../../src/mail/config.js";
import { draftMessage, prepareMessage, queue, queueNotice, type MessageSpec } from "../../src/mail/compose.js";
import { flushOutbox } from "../../src/mail/deliver.js";
import { namePatterns } from "../../src/core/personalNames.js";
import { findPersonalData } from "../../src/mail/guard.js";
import { Store } from "../../src/store/store.js";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { TestSmtp, freePort } from "../helpers/smtp.js";

const OPTIONS: MailOptions = { from: null, autoNotify: true, retries: 2, retryDelayMs: 5, connections: 2, timeoutSeconds: 5 };
const PNR = "19121212-1212";
const NAME = "Tolvan Tolvansson";

let s: Sandbox;
let store: Store;
let smtp: TestSmtp | null = null;
let caseId: number;

async function open(): Promise<Store> {
  return await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
}

function pdf(lines: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ info: { CreationDate: new Date("2026-03-10") } });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    for (const l of lines) doc.text(l);
    doc.end();
  });
}

const toManager = { name: "Sara Nilsson", address: "sara.nilsson@linkoping.example" };
const spec = (extra: Partial<MessageSpec> = {}): MessageSpec => ({ caseId, template: "arrived", to: [toManager], ...extra });

async function queued(extra: Partial<MessageSpec> = {}) {
  const p = await prepareMessage(store, spec(extra));
  return await store.write(async () => queue(store, p));
}

beforeEach(async () => {
  s = linkoping();
  const c = await s.cliJson([...incomingCase(["--person", `${PNR}:${NAME}`, "--ref", "synergi:45678"]), "--no-notify"]);
  store = await open();
  caseId = c.id;
});

afterEach(async () => {
  store?.close();
  await smtp?.stop();
  smtp = null;
  s?.cleanup();
});

describe("the guard", () => {
  it("finds valid personnummer, samordningsnummer and names, and lets diary numbers and masked numbers pass", () => {
    const p = namePatterns([NAME, "Anna Maria Svensson"]);
    const today = "2026-03-10";
    expect(findPersonalData("Gäller 191212121212", p, today)).toBe("personnummer");
    expect(findPersonalData("Gäller 121212-1212", p, today)).toBe("personnummer");
    expect(findPersonalData("Gäller 19121212-\n1212 (radbrytning i PDF)", p, today)).toBe("personnummer");
    expect(findPersonalData("samordningsnummer 701063-2391", p, today)).toBe("personnummer");
    expect(findPersonalData("Diarienummer 2026-000012:2, person 19121212-****", p, today)).toBeNull();
    expect(findPersonalData("Patienten TOLVAN  tolvansson föll", p, today)).toBe("name");
    expect(findPersonalData("Svensson ringde", p, today)).toBe("name");
    expect(findPersonalData("Hej Tolvan!", p, today)).toBeNull(); // a first name alone is not refused
    expect(findPersonalData("Tolvanssons", p, today)).toBe("name"); // the genitive too (issue 12)
    expect(findPersonalData("Tolvanssonberg", p, today)).toBeNull(); // whole words only
  });

  it("refuses a subject or body with personal data and stores nothing", async () => {
    const before = (await store.outbox.list()).length;
    await store.write(async () => await store.cases.update(caseId, { summary: `Fallolycka, ${NAME} skadad` }));
    await expect(prepareMessage(store, spec())).rejects.toMatchObject({ key: "mail.error.guard.name.body" });
    await expect(draftMessage(store, spec())).rejects.toThrow(expect.objectContaining({ key: "mail.error.guard.name.body" }));
    expect(await store.outbox.list()).toHaveLength(before);
  });

  it("reads PDF attachments and refuses one that holds a personnummer or a patient name", async () => {
    const clean = await pdf(["Avvikelserapport 2026-000001", "Berörd person: 19121212-****"]);
    const withPnr = await pdf(["Avvikelserapport", `Personnummer ${PNR}`]);
    const withName = await pdf(["Avvikelserapport", `Patient: ${NAME}`]);
    await expect(prepareMessage(store, spec({ attachments: [{ filename: "r.pdf", contentType: "application/pdf", content: withPnr }] }))).rejects.toMatchObject({
      key: "mail.error.guard.pnr.attachment",
      params: { name: "r.pdf" },
    });
    await expect(prepareMessage(store, spec({ attachments: [{ filename: "r.pdf", contentType: "application/pdf", content: withName }] }))).rejects.toMatchObject({
      key: "mail.error.guard.name.attachment",
    });
    await expect(prepareMessage(store, spec({ attachments: [{ filename: "bild.png", contentType: "image/png", content: Buffer.from("x") }] }))).rejects.toMatchObject({
      key: "mail.error.attachmentUnreadable",
    });
    const ok = await prepareMessage(store, spec({ attachments: [{ filename: "r.pdf", contentType: "application/pdf", content: clean }] }));
    expect(ok.attachments).toHaveLength(1);
    expect(await store.outbox.list()).toHaveLength(0);
  });
});

describe("delivery over SMTP", () => {
  it("delivers the Swedish message with its attachment and no personal data", async () => {
    smtp = await new TestSmtp().start();
    const report = await pdf(["Avvikelserapport 2026-000001", "Berörd person: 19121212-****"]);
    const m = await queued({ cc: [{ name: "Lena Berg", address: "ma@linkoping.example" }], attachments: [{ filename: "2026-000001-rapport.pdf", contentType: "application/pdf", content: report }] });
    expect(m.status).toBe("queued");
    const r = await flushOutbox(store, { smtp: parseSmtpUrl(smtp.url), options: OPTIONS });
    expect(r).toMatchObject({ transport: "smtp", sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.to.sort()).toEqual(["ma@linkoping.example", "sara.nilsson@linkoping.example"]);
    expect(got.mail.messageId).toBe(m.messageId);
    expect(got.mail.subject).toBe("Avvikelse i samverkan har inkommit och diarieförts – 2026-000001");
    expect(got.mail.text).toContain("Från vårdgivare:  Region Östergötland");
    expect(got.mail.text).toContain("Svar senast:      2026-05-21");
    expect(got.mail.text).toContain("synergi 45678");
    expect(got.mail.text).toMatch(/Vad du behöver göra:\nUtred händelsen/);
    expect(got.mail.headers.get("x-avvik-diarienummer")).toBe("2026-000001");
    expect(got.mail.attachments).toHaveLength(1);
    expect(got.mail.attachments[0]!.filename).toBe("2026-000001-rapport.pdf");
    expect(Buffer.compare(got.mail.attachments[0]!.content, report)).toBe(0);
    const everything = `${got.raw.toString("utf8")}\n${got.mail.subject}\n${got.mail.text}`;
    expect(everything).not.toContain("1212-1212");
    expect(everything).not.toMatch(/tolvansson/i);
    expect(await store.outbox.get(m.id)).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    const audit = (await store.audit.list(caseId)).map((e) => e.action);
    expect(audit).toContain("mail.queue");
    expect(audit).toContain("mail.sent");
    expect(JSON.stringify(await store.audit.list(caseId))).not.toContain("sara.nilsson");
  });

  it("delivers exactly once across a server that is down, then up, then refuses a recipient, then drops the connection", async () => {
    const port = await freePort();
    const settings = parseSmtpUrl(`smtp://127.0.0.1:${port}`);
    const a = await queued();
    const b = await queued({ template: "reminder" });

    // 1. Down: nothing is lost; both stay queued with the error, and no attempt is used up (none reached it).
    const down = await flushOutbox(store, { smtp: settings, options: OPTIONS });
    expect(down.sent).toBe(0);
    for (const id of [a.id, b.id]) {
      const m = await store.outbox.get(id);
      expect(m.status).toBe("queued");
      expect(m.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    }
    expect((await store.outbox.get(a.id)).attempts).toBe(0);
    expect(down.failed + down.skipped).toBe(2);

    // 2. Up: each is delivered once; flushing again sends nothing.
    smtp = await new TestSmtp().start(port);
    expect((await flushOutbox(store, { smtp: settings, options: OPTIONS })).sent).toBe(2);
    expect((await flushOutbox(store, { smtp: settings, options: OPTIONS })).claimed).toBe(0);
    expect(smtp.deliveriesTo(a.messageId)).toEqual(["sara.nilsson@linkoping.example"]);
    expect(smtp.deliveriesTo(b.messageId)).toEqual(["sara.nilsson@linkoping.example"]);

    // 3. A refused recipient (550, permanent): the others get it; it fails for the refused one only, and
    // `outbox retry` sends it to that one alone.
    smtp.refuse.add("ma@linkoping.example");
    const c = await queued({ cc: [{ name: "Lena Berg", address: "ma@linkoping.example" }, { name: "Johan Ek", address: "sas@linkoping.example" }] });
    await flushOutbox(store, { smtp: settings, options: OPTIONS });
    let mc = await store.outbox.get(c.id);
    expect(mc.status).toBe("failed");
    expect(mc.lastError).toMatch(/ma@linkoping\.example.*550/);
    expect(mc.deliveredTo.sort()).toEqual(["sara.nilsson@linkoping.example", "sas@linkoping.example"]);
    smtp.refuse.clear();
    expect((await flushOutbox(store, { smtp: settings, options: OPTIONS })).claimed).toBe(0);
    await store.write(async () => await store.outbox.retry(c.id));
    await flushOutbox(store, { smtp: settings, options: OPTIONS });
    mc = await store.outbox.get(c.id);
    expect(mc).toMatchObject({ status: "sent", lastError: null });
    expect(smtp.deliveriesTo(c.messageId).sort()).toEqual(["ma@linkoping.example", "sara.nilsson@linkoping.example", "sas@linkoping.example"]);

    // 4. The connection drops during DATA (here the server never accepted it, but the client cannot know): it
    // counts as an attempt, and with one allowed the message fails; `outbox retry` sends it once.
    smtp.dropNext = 1;
    const d = await queued();
    const dropped = await flushOutbox(store, { smtp: settings, options: { ...OPTIONS, retries: 1 } });
    expect(dropped.sent).toBe(0);
    expect(await store.outbox.get(d.id)).toMatchObject({ status: "failed", attempts: 1 });
    expect((await store.outbox.get(d.id)).lastError).toBeTruthy();
    expect(smtp.deliveriesTo(d.messageId)).toEqual([]);
    await store.write(async () => await store.outbox.retry(d.id));
    await flushOutbox(store, { smtp: settings, options: OPTIONS });
    expect(await store.outbox.get(d.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(smtp.deliveriesTo(d.messageId)).toEqual(["sara.nilsson@linkoping.example"]);

    // Every message arrived once per recipient, with one stable Message-ID each.
    const ids = smtp.received.map((r) => r.mail.messageId);
    expect(new Set(ids).size).toBe(4);
    expect(await store.outbox.counts()).toEqual({ queued: 0, sent: 4, failed: 0 });
  });

  it("retries within a run when the connection drops, and two runs at once never send a message twice", async () => {
    smtp = await new TestSmtp().start();
    const settings = parseSmtpUrl(smtp.url);
    smtp.dropNext = 1;
    const first = await queued();
    const r = await flushOutbox(store, { smtp: settings, options: OPTIONS });
    expect(r.sent).toBe(1);
    expect((await store.outbox.get(first.id)).attempts).toBe(2);
    expect(smtp.deliveriesTo(first.messageId)).toHaveLength(1);

    for (let i = 0; i < 20; i++) await queued();
    const other = await open();
    try {
      const [x, y] = await Promise.all([flushOutbox(store, { smtp: settings, options: OPTIONS }), flushOutbox(other, { smtp: settings, options: OPTIONS })]);
      expect(x.sent + y.sent).toBe(20);
    } finally {
      other.close();
    }
    expect(smtp.received).toHaveLength(21);
    expect(new Set(smtp.received.map((m) => m.mail.messageId)).size).toBe(21);
  });

  it("logs in with the password from the environment and keeps it out of the register", async () => {
    smtp = new TestSmtp();
    smtp.users = { registrator: "hemligt-lösen-42" };
    await smtp.start();
    const m = await queued();
    const bad = await flushOutbox(store, { smtp: { ...parseSmtpUrl(smtp.url), user: "registrator", pass: "fel" }, options: OPTIONS });
    expect(bad.sent).toBe(0);
    expect((await store.outbox.get(m.id)).lastError).toMatch(/535|EAUTH/);
    const good = await flushOutbox(store, { smtp: { ...parseSmtpUrl(smtp.url), user: "registrator", pass: "hemligt-lösen-42" }, options: OPTIONS });
    expect(good.sent).toBe(1);
    store.close();
    expect(readFileSync(Store.databaseFile(s.env.AVVIK_HOME!)).includes("hemligt")).toBe(false);
  });
});

describe("notices", () => {
  it("addresses the unit's manager with MA and SAS in copy, and the assignee once the answer is diarised", async () => {
    const arrived = (await store.write(async () => queueNotice(store, caseId, "arrived")))!;
    expect(arrived.recipients).toEqual([
      { name: "Sara Nilsson", address: "sara.nilsson@linkoping.example", kind: "to" },
      { name: "Lena Berg", address: "ma@linkoping.example", kind: "cc" },
      { name: "Johan Ek", address: "sas@linkoping.example", kind: "cc" },
    ]);
    expect(arrived.from).toEqual({ name: "Linköpings kommun", address: "registrator.vok@linkoping.example" });
    const ahmed = await store.contacts.find("ahmed.karimi@linkoping.example");
    await store.write(async () => await store.cases.assign(caseId, ahmed));
    const answered = (await store.write(async () => queueNotice(store, caseId, "answered", "Registrator <avvik@linkoping.example>")))!;
    expect(answered.recipients[0]).toMatchObject({ address: "ahmed.karimi@linkoping.example", kind: "to" });
    expect(answered.from).toEqual({ name: "Registrator", address: "avvik@linkoping.example" });
    expect(answered.subject).toBe("Svar har diarieförts i ärende 2026-000001");
  });

  it("undoes the change it belongs to when the notice is refused", async () => {
    const before = (await store.documents.forCase(caseId)).length;
    await store.write(async () => await store.cases.update(caseId, { summary: `Gäller ${NAME}` }));
    await expect(
      store.write(async () => {
        await store.documents.add(caseId, { direction: "in", subject: "Svar" });
        await queueNotice(store, caseId, "answered");
      }),
    ).rejects.toThrow(expect.objectContaining({ key: "mail.error.guard.name.body" }));
    expect(await store.documents.forCase(caseId)).toHaveLength(before);
    expect(await store.outbox.list({ caseId })).toEqual([]);
  });

  it("returns null when there is nobody to notify", async () => {
    const out = await s.cliJson(outgoingCase());
    store.close();
    store = await open();
    expect(await store.write(async () => queueNotice(store, out.id, "answered"))).toBeNull();
  });
});
