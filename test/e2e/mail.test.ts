// The mail commands run as the built CLI: .eml files without a server, a real SMTP server with AVVIK_SMTP_URL.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { pdfText } from "../../src/mail/guard.js";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { TestSmtp, freePort } from "../helpers/smtp.js";

let s: Sandbox;
let smtp: TestSmtp | null = null;
afterEach(async () => {
  await smtp?.stop();
  smtp = null;
  s?.cleanup();
});

const PERSON = ["--person", "19121212-1212:Tolvan Tolvansson"];
const fast = { AVVIK_MAIL_RETRIES: "2", AVVIK_MAIL_RETRY_DELAY_MS: "10" };

async function runJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; value: any; stderr: string }> {
  const r = await s.cli([...args, "--json"], { env: { ...fast, ...env } });
  return { code: r.code, value: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

describe("without a mail server", () => {
  it("queues a notice when an incoming deviation is registered and writes it as an .eml file on flush", async () => {
    s = linkoping();
    const r = await s.cli([...incomingCase(PERSON), "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).diaryNumber).toBe("2026-000001");
    expect(r.stderr).toMatch(/Avisering 1 till sara\.nilsson@linkoping\.example köad/);
    const queued = await s.cliJson(["outbox", "list"]);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ id: 1, to: "sara.nilsson@linkoping.example", status: "queued", attempts: 0, lastError: null });
    expect(Object.keys(queued[0]).slice(0, 6)).toEqual(["id", "to", "subject", "status", "attempts", "lastError"]);
    expect(existsSync(join(s.env.AVVIK_HOME!, "outbox", "sent"))).toBe(false);

    const flushed = await s.cliJson(["outbox", "flush"]);
    expect(flushed).toMatchObject({ transport: "file", sent: 1, failed: 0, remaining: 0 });
    const dir = join(s.env.AVVIK_HOME!, "outbox", "sent");
    const files = readdirSync(dir);
    expect(files).toEqual(["000001-2026-000001.eml"]);
    const raw = readFileSync(join(dir, files[0]!));
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe("Avvikelse i samverkan har inkommit och diarieförts – 2026-000001");
    expect(mail.text).toContain("Svar senast:      2026-05-21");
    expect((mail.cc as { text: string }).text).toContain("ma@linkoping.example");
    expect(raw.toString()).not.toContain("1212-1212");
    expect(raw.toString()).not.toMatch(/tolvansson/i);

    // Nothing is sent twice.
    const again = await s.cli(["outbox", "flush"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Inget att skicka/);
    expect(readdirSync(dir)).toHaveLength(1);
    expect((await s.cliJson(["outbox", "list"]))[0]).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("notifies with a template and writes the .eml at once; --queue-only leaves it queued", async () => {
    s = linkoping();
    await s.cliJson([...incomingCase(), "--no-notify"]);
    expect(await s.cliJson(["outbox", "list"])).toEqual([]);
    const m = await s.cliJson(["notify", "2026-000001", "--to", "manager", "--template", "reminder"]);
    expect(m).toMatchObject({ status: "sent", subject: "Påminnelse: svar senast 2026-05-21 i ärende 2026-000001", to: "sara.nilsson@linkoping.example" });
    expect(existsSync(m.file)).toBe(true);
    const text = await s.cli(["notify", "2026-000001", "--to", "mas", "--queue-only"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Meddelande 2 köat till Maria Holm <mas@linkoping\.example>/);
    expect((await s.cliJson(["outbox", "list", "--status", "queued"])).map((x: any) => x.id)).toEqual([2]);
    const shown = await s.cli(["outbox", "show", "2"]);
    expect(shown.stdout).toMatch(/Till\s+Maria Holm <mas@linkoping\.example>/);
    expect(shown.stdout).toContain("Vad du behöver göra:");
    expect((await s.cli(["outbox", "show", "9"])).stderr).toMatch(/Inget meddelande 9 i utkorgen/);
    const en = await s.cli(["outbox", "list", "--lang", "en"]);
    expect(en.stdout).toMatch(/1 queued, 1 saved as an .eml file \(not sent\)\./);
  });

  it("turns notices off with the config file", async () => {
    s = linkoping();
    writeFileSync(join(s.env.AVVIK_HOME!, "config.json"), JSON.stringify({ mail: { autoNotify: false } }));
    await s.cliJson(incomingCase());
    expect(await s.cliJson(["outbox", "list"])).toEqual([]);
  });

  it("refuses with one line, and queues nothing, when the message would carry personal data or has nobody to go to", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase([...PERSON, "--description", "Tolvansson fick fel dos"]));
    const cases: Array<[string[], number, RegExp]> = [
      [["send", "2026-000001", "--to", "coordinator"], 1, /texten innehåller en berörd persons namn/],
      [["notify", "2026-000001", "--to", "mar"], 1, /ingen kontakt har rollen MAR/],
      [["notify", "2026-000001", "--to", "chefen"], 2, /--to: 'chefen' är okänt/],
      [["notify", "2026-000001"], 2, /--to saknas/],
      [["notify", "2026-000001", "--to", "manager", "--template", "hej"], 2, /--template: 'hej' är okänt/],
      [["send", "2026-000099", "--to", "coordinator"], 1, /Inget ärende matchar/],
    ];
    for (const [args, code, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(await s.cliJson(["outbox", "list"])).toEqual([]);
    expect((await s.cliJson(["case", "show", "2026-000001"])).status).toBe("registered");
  });
});

describe("with AVVIK_SMTP_URL", () => {
  it("sends a case to the region's coordinator, diarises it and moves the case to sent", async () => {
    s = linkoping();
    smtp = await new TestSmtp().start();
    // the coordinator's own unit concerned (by e-mail --to coordinator goes to the unit's coordinator)
    await s.cliJson(outgoingCase([...PERSON, "--ref", "treserva:991", "--unit", "ro-ps-oster"]));
    const r = await runJson(["send", "2026-000001", "--to", "coordinator"], { AVVIK_SMTP_URL: smtp.url });
    expect(r.code).toBe(0);
    expect(r.value).toMatchObject({ status: "sent", to: "karin.lindqvist@regionostergotland.example", document: "2026-000001:2", caseStatus: "sent" });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.from).toBe("registrator.vok@linkoping.example");
    expect(got.mail.subject).toBe("Avvikelse i samverkan från Linköpings kommun – vårt diarienummer 2026-000001");
    expect(got.mail.text).toContain("Referens: 2026-000001");
    expect(got.mail.text).toContain("Utskriven från sjukhus utan läkemedelslista");
    expect(got.raw.toString()).not.toContain("1212-1212");
    const c = await s.cliJson(["case", "show", "2026-000001"]);
    expect(c.status).toBe("sent");
    expect(c.documents[1]).toMatchObject({ number: "2026-000001:2", direction: "out", party: "Region Östergötland", subject: "Avvikelse i samverkan skickad per e-post" });
  });

  it("keeps everything queued while the server is down and delivers each message once when it is up", async () => {
    s = linkoping();
    const port = await freePort();
    const url = `smtp://127.0.0.1:${port}`;
    await s.cliJson(incomingCase());
    await s.cliJson(incomingCase(["--unit", "linkoping-sabo-ekholmen"]));
    const down = await runJson(["outbox", "flush"], { AVVIK_SMTP_URL: url });
    expect(down.code).toBe(1);
    expect(down.value).toMatchObject({ transport: "smtp", sent: 0, remaining: 2 });
    expect(down.stderr).toMatch(/ligger kvar i utkorgen/);
    const listed = await s.cliJson(["outbox", "list"]);
    expect(listed.every((m: any) => m.status === "queued" && m.lastError)).toBe(true);
    // A server that cannot be reached costs no attempt (the message never got to it): nothing is used up.
    expect(listed[0].attempts).toBe(0);

    // notify while down: queued, a warning, exit 0 (the message is safe in the outbox).
    const n = await s.cli(["notify", "2026-000001", "--to", "manager", "--template", "reminder"], { env: { ...fast, AVVIK_SMTP_URL: url } });
    expect(n.code).toBe(0);
    expect(n.stderr).toMatch(/kunde inte skickas nu: .*ligger kvar i utkorgen/);

    smtp = await new TestSmtp().start(port);
    const up = await runJson(["outbox", "flush"], { AVVIK_SMTP_URL: url });
    expect(up.code).toBe(0);
    expect(up.value).toMatchObject({ sent: 3, remaining: 0 });
    const again = await runJson(["outbox", "flush"], { AVVIK_SMTP_URL: url });
    expect(again.value).toMatchObject({ sent: 0, remaining: 0, messages: [] });
    expect(smtp.received).toHaveLength(3);
    expect(new Set(smtp.received.map((r) => r.mail.messageId)).size).toBe(3);
    expect(smtp.received.map((r) => r.to[0]).sort()).toEqual([
      "ahmed.karimi@linkoping.example",
      "sara.nilsson@linkoping.example",
      "sara.nilsson@linkoping.example",
    ]);
  });

  it("reads the server from config.json with the password from the named environment variable", async () => {
    s = linkoping();
    smtp = new TestSmtp();
    smtp.users = { registrator: "s3cret-från-miljön" };
    await smtp.start();
    writeFileSync(
      join(s.env.AVVIK_HOME!, "config.json"),
      JSON.stringify({ smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: "registrator", passwordEnv: "AVVIK_TEST_SMTP_PASSWORD" }, mail: { from: "Registrator VOK <vok@linkoping.example>" } }),
    );
    await s.cliJson(incomingCase());
    const missing = await runJson(["outbox", "flush"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/AVVIK_TEST_SMTP_PASSWORD/);
    const ok = await runJson(["outbox", "flush"], { AVVIK_TEST_SMTP_PASSWORD: "s3cret-från-miljön" });
    expect(ok.value).toMatchObject({ transport: "smtp", sent: 1 });
    expect(smtp.received[0]!.from).toBe("vok@linkoping.example");
    expect(readFileSync(join(s.env.AVVIK_HOME!, "avvik.db")).includes("s3cret")).toBe(false);
  });

  it("attaches the masked report with --report, read back masked", async () => {
    s = linkoping();
    smtp = await new TestSmtp().start();
    await s.cliJson(outgoingCase(PERSON));
    const r = await s.cli(["send", "2026-000001", "--to", "coordinator", "--report"], { env: { AVVIK_SMTP_URL: smtp.url } });
    expect(r.code).toBe(0);
    const att = smtp.received[0]!.mail.attachments;
    expect(att).toHaveLength(1);
    expect(att[0]!.contentType).toBe("application/pdf");
    const text = await pdfText(att[0]!.content);
    expect(text).toContain("2026-000001");
    expect(text).toContain("19121212-****");
    expect(text).not.toContain("1212-1212");
    expect(text).not.toMatch(/tolvan/i);
    const doc = (await s.cliJson(["case", "show", "2026-000001"])).documents[1];
    expect(doc).toMatchObject({ subject: "Avvikelserapport skickad per e-post", direction: "out" });
    expect(doc.file).toBeTruthy();
  });
});
