// Actions (åtgärder) with an owner and a due date, closing tied to them, the owner told through the outbox, and
// reopening a finished case (CLI.md section 8, issue 19). Each refusal: one line, exit 1 or 2, nothing changed.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { TestSmtp } from "../helpers/smtp.js";

let s: Sandbox;
let smtp: TestSmtp | null = null;
afterEach(async () => {
  await smtp?.stop();
  smtp = null;
  s?.cleanup();
});

const PERSON = ["--person", "19121212-1212:Tolvan Tolvansson"];
const OWNER = "sara.nilsson@linkoping.example";
const fast = { AVVIK_MAIL_RETRIES: "2", AVVIK_MAIL_RETRY_DELAY_MS: "10" };

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await s.cli(args, { env });
  if (r.code !== 0) throw new Error(`avvik ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** What a refused command must leave as it was: the case, its actions, the outbox, the diary, the audit trail. */
async function snapshot(ref = "2026-000001"): Promise<unknown> {
  const c = await s.cliJson(["case", "show", ref]);
  return {
    status: c.status,
    closedAt: c.closedAt,
    documents: c.documents,
    actions: await s.cliJson(["action", "list"]),
    outbox: (await s.cliJson(["outbox", "list"])).length,
    audit: (await s.cliJson(["audit", "list"])).length,
  };
}

/** An incoming case answered (assigned → answered), ready to be closed. */
async function answeredIncoming(extra: string[] = []): Promise<void> {
  await s.cliJson(incomingCase(extra));
  await ok(["case", "assign", "2026-000001", "--to", OWNER]);
  await ok(["case", "status", "2026-000001", "answered"]);
}

describe("action add / list / done", () => {
  it("adds an action with its owner and date, lists it in the contract's shape and tells the owner by e-mail", async () => {
    s = linkoping();
    smtp = await new TestSmtp().start();
    await s.cliJson(incomingCase(PERSON));
    const before = (await s.cliJson(["outbox", "list"])).length;
    const a = await s.cliJson(["action", "add", "2026-000001", "--text", "Inför checklista vid utskrivning", "--owner", OWNER, "--due", "2026-04-15"]);
    expect(a).toMatchObject({ id: 1, caseId: 1, diaryNumber: "2026-000001", text: "Inför checklista vid utskrivning", due: "2026-04-15", doneAt: null, overdue: false });
    expect(a.owner).toMatchObject({ name: "Sara Nilsson", email: OWNER });

    const listed = await s.cliJson(["action", "list"]);
    expect(listed).toHaveLength(1);
    for (const key of ["id", "caseId", "diaryNumber", "text", "owner", "due", "doneAt"]) expect(listed[0]).toHaveProperty(key);
    expect(await s.cliJson(["action", "list", "--case", "2026-000001"])).toEqual(listed);

    // The notice is queued with the action, and delivered to the owner alone, with no personal data.
    const outbox = await s.cliJson(["outbox", "list"]);
    expect(outbox).toHaveLength(before + 1);
    expect(outbox[outbox.length - 1]).toMatchObject({ to: OWNER, status: "queued" });
    const flushed = await s.cli(["outbox", "flush", "--json"], { env: { ...fast, AVVIK_SMTP_URL: smtp.url } });
    expect(flushed.code).toBe(0);
    const got = smtp.received.find((m) => m.to.includes(OWNER) && /Åtgärd/.test(m.mail.subject ?? ""));
    expect(got, "the owner's notice").toBeDefined();
    expect(got!.mail.subject).toBe("Åtgärd att genomföra senast 2026-04-15 – ärende 2026-000001");
    expect(got!.mail.text).toContain("Inför checklista vid utskrivning");
    expect(got!.mail.text).toContain("Klar senast:      2026-04-15");
    expect(got!.raw.toString()).not.toMatch(/1212-?1212|Tolvan/);

    // The audit trail says which action, whose and by when; the free text stays out of it.
    const audit = await s.cliJson(["audit", "list", "--case", "2026-000001"]);
    const added = audit.find((e: any) => e.action === "action.add");
    expect(added.details).toMatchObject({ action: 1, due: "2026-04-15" });
    expect(JSON.stringify(added.details)).not.toContain("checklista");

    const text = await ok(["action", "list"]);
    expect(text).toMatch(/1\s+2026-000001\s+Inför checklista vid utskrivning\s+Sara Nilsson\s+2026-04-15\s+öppen/);
  });

  it("queues no notice with --no-notify or mail.autoNotify false, and accepts the owner by name", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const before = (await s.cliJson(["outbox", "list"])).length;
    await s.cliJson(["action", "add", "2026-000001", "--text", "Stickprov", "--owner", "Sara Nilsson", "--due", "2026-03-10", "--no-notify"]);
    await ok(["config", "set", "mail.autoNotify", "false"]);
    await s.cliJson(["action", "add", "2026-000001", "--text", "Utbildning", "--owner", OWNER, "--due", "2026-05-01"]);
    expect(await s.cliJson(["outbox", "list"])).toHaveLength(before);
    expect((await s.cliJson(["action", "list"])).map((a: any) => a.owner.email)).toEqual([OWNER, OWNER]);
  });

  it("refuses bad input with one line and the right exit code, and changes nothing", async () => {
    s = linkoping();
    await s.cliJson(incomingCase(PERSON));
    await s.cliJson(["action", "add", "2026-000001", "--text", "Första", "--owner", OWNER, "--due", "2026-04-01"]);
    const before = await snapshot();
    const cases: Array<[string[], number, RegExp]> = [
      [["action", "add", "2026-000001", "--text", "Sent", "--owner", OWNER, "--due", "2026-03-09"], 1, /2026-03-09 i --due har redan passerat/],
      [["action", "add", "2026-000001", "--text", "Fel datum", "--owner", OWNER, "--due", "2026-13-01"], 2, /--due/],
      [["action", "add", "2026-000001", "--owner", OWNER, "--due", "2026-04-01"], 2, /--text/],
      [["action", "add", "2026-000001", "--text", "  ", "--owner", OWNER, "--due", "2026-04-01"], 2, /--text/],
      [["action", "add", "2026-000001", "--text", "Ring 19121212-1212", "--owner", OWNER, "--due", "2026-04-01"], 1, /personnummer/],
      [["action", "add", "2026-000001", "--text", "Samtal med Tolvanssons anhöriga", "--owner", OWNER, "--due", "2026-04-01"], 1, /namnet på en person/],
      [["action", "add", "2026-000001", "--text", "Okänd ägare", "--owner", "nobody@example.org", "--due", "2026-04-01"], 1, /nobody@example.org/],
      [["action", "add", "2026-009999", "--text", "Inget ärende", "--owner", OWNER, "--due", "2026-04-01"], 1, /2026-009999/],
      [["action", "done", "99"], 1, /ingen åtgärd med nummer 99/],
      [["action", "done", "abc"], 2, /'abc'/],
      [["action", "list", "--case", "2026-009999"], 1, /2026-009999/],
    ];
    for (const [args, code, message] of cases) {
      const r = await s.cli(args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/Error|at .*\.js/);
      expect(r.stdout).toBe("");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("keeps a case with an open action from being closed, naming the actions, until they are done", async () => {
    s = linkoping();
    await answeredIncoming();
    await s.cliJson(["action", "add", "2026-000001", "--text", "Inför checklista vid utskrivning", "--owner", OWNER, "--due", "2026-04-01", "--no-notify"]);
    await s.cliJson(["action", "add", "2026-000001", "--text", "Utbilda personalen", "--owner", OWNER, "--due", "2026-05-01", "--no-notify"]);
    const before = await snapshot();
    for (const args of [["case", "close", "2026-000001"], ["case", "status", "2026-000001", "closed"]]) {
      const r = await s.cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("Ärende 2026-000001 kan inte avslutas: 2 åtgärder är inte genomförda");
      expect(r.stderr).toContain("#1 Inför checklista vid utskrivning (Sara Nilsson, 2026-04-01)");
      expect(r.stderr).toContain("#2 Utbilda personalen");
    }
    expect(await snapshot()).toEqual(before);

    const done = await s.cliJson(["action", "done", "1"]);
    expect(done).toMatchObject({ id: 1, doneAt: "2026-03-10T09:00:00+01:00" });
    const again = await s.cli(["action", "done", "1"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Åtgärd 1 är redan genomförd \(2026-03-10 09:00\)/);
    const still = await s.cli(["case", "close", "2026-000001"]);
    expect(still.code).toBe(1);
    expect(still.stderr).toContain("1 åtgärd är inte genomförd: #2 Utbilda personalen");
    expect(await ok(["action", "done", "2"])).toContain("Alla åtgärder i ärendet är genomförda");
    expect((await s.cliJson(["case", "close", "2026-000001"])).status).toBe("closed");
    // A closed case takes no new action.
    const late = await s.cli(["action", "add", "2026-000001", "--text", "För sent", "--owner", OWNER, "--due", "2026-04-01"]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/avslutat/);
  });

  it("shows overdue actions in action list --overdue, on the case card and in the morning summary", async () => {
    s = linkoping();
    await s.cliJson(incomingCase(PERSON));
    await s.cliJson(["action", "add", "2026-000001", "--text", "Ny rutin för läkemedelslistor", "--owner", OWNER, "--due", "2026-03-20", "--no-notify"]);
    await s.cliJson(["action", "add", "2026-000001", "--text", "Uppföljande stickprov", "--owner", OWNER, "--due", "2026-06-01", "--no-notify"]);
    const later = { AVVIK_NOW: "2026-03-25T08:00:00" };
    expect(await s.cliJson(["action", "list", "--overdue"])).toEqual([]);
    const overdue = await s.cliJson(["action", "list", "--overdue"], { env: later });
    expect(overdue.map((a: any) => [a.id, a.overdue])).toEqual([[1, true]]);

    const c = await s.cliJson(["case", "show", "2026-000001"], { env: later });
    expect(c.actionItems.map((a: any) => [a.id, a.overdue])).toEqual([[1, true], [2, false]]);
    const card = (await s.cli(["case", "show", "2026-000001"], { env: later })).stdout;
    expect(card).toMatch(/Åtgärder att genomföra\n\s+#1\s+2026-03-20\s+försenad\s+Sara Nilsson: Ny rutin för läkemedelslistor\n\s+#2\s+2026-06-01\s+öppen/);

    const summary = await s.cliJson(["summary", "--peek"], { env: later });
    expect(summary.overdueActions.map((a: any) => [a.id, a.diaryNumber, a.due])).toEqual([[1, "2026-000001", "2026-03-20"]]);
    const text = (await s.cli(["summary", "--peek"], { env: later })).stdout;
    expect(text).toMatch(/Åtgärder vars datum har passerat \(1\)\n\s+Sara Nilsson <sara.nilsson@linkoping.example>\n\s+2026-000001\s+åtgärd 1, klar senast 2026-03-20 \(5 dagar försenad\): Ny rutin/);

    // Mailed (no SMTP server: the .eml file of the outbox), the overdue action is in the body, the person is not.
    const mailed = await s.cli(["summary", "--peek", "--email", "mas"], { env: later });
    expect(mailed.code, mailed.stderr).toBe(0);
    const sent = join(s.env.AVVIK_HOME!, "outbox", "sent");
    const eml = (await simpleParser(readFileSync(join(sent, readdirSync(sent).filter((f) => f.endsWith(".eml")).at(-1)!)))).text ?? "";
    expect(eml).toMatch(/Åtgärder vars datum har passerat \(1\)\n\s+Sara Nilsson <sara.nilsson@linkoping.example>\n\s+2026-000001\s+åtgärd 1, klar senast 2026-03-20/);
    expect(eml).not.toMatch(/1212-?1212|Tolvan/);

    await ok(["action", "done", "1"], later);
    expect((await s.cliJson(["summary", "--peek"], { env: later })).overdueActions).toEqual([]);
  });
});

describe("closing and adding at the same time", () => {
  it("never leaves a closed case with an open action, whichever process wins the write lock", async () => {
    s = linkoping();
    for (let i = 1; i <= 4; i++) {
      await s.cliJson(incomingCase());
      const ref = `2026-00000${i}`;
      await ok(["case", "assign", ref, "--to", OWNER]);
      await ok(["case", "status", ref, "answered"]);
      // Two processes: one closes, one adds an action; each decides on what it reads under the lock.
      const [close, add] = await Promise.all([
        s.spawn(["case", "close", ref]),
        s.spawn(["action", "add", ref, "--text", `Åtgärd ${i}`, "--owner", OWNER, "--due", "2026-04-01", "--no-notify"]),
      ]);
      const c = await s.cliJson(["case", "show", ref]);
      const open = c.actionItems.filter((a: any) => a.doneAt === null);
      // Exactly one of them did its job: closed without actions, or an open action on a case still open.
      expect([close.code, add.code].sort(), `${close.stderr}${add.stderr}`).toEqual([0, 1]);
      if (close.code === 0) {
        expect(c.status).toBe("closed");
        expect(open).toEqual([]);
        expect(add.stderr).toMatch(/avslutat/);
      } else {
        expect(c.status).toBe("answered");
        expect(open).toHaveLength(1);
        expect(close.stderr).toMatch(/kan inte avslutas: 1 åtgärd är inte genomförd/);
      }
    }
  });
});

describe("case reopen", () => {
  it("takes a closed incoming case back to investigating, audited with the reason and diarised as an internal note", async () => {
    s = linkoping();
    await answeredIncoming();
    await ok(["case", "close", "2026-000001"]);
    const june = { AVVIK_NOW: "2026-06-15T10:00:00" };
    const statsBefore = await s.cliJson(["stats", "--period", "2026H1"], { env: june });
    const r = await s.cliJson(["case", "reopen", "2026-000001", "--reason", "Uppföljningen visar att listorna fortfarande saknas"], { env: june });
    expect(r).toMatchObject({ status: "investigating", closedAt: null, reopened: { from: "closed", to: "investigating", document: "2026-000001:2" } });
    // Its deadline was met by the first answer: a reopened case is not overdue, and its answer date stays.
    expect(r.overdue).toBe(false);
    expect(r.answeredAt).toMatch(/^2026-03-10/);
    expect(r.documents[1]).toMatchObject({ number: "2026-000001:2", direction: "internal", date: "2026-06-15", subject: "Ärendet återöppnat: Uppföljningen visar att listorna fortfarande saknas" });
    const audit = await s.cliJson(["audit", "list", "--case", "2026-000001"]);
    expect(audit.find((e: any) => e.action === "case.reopen")).toMatchObject({ details: { from: "closed", to: "investigating", reason: "Uppföljningen visar att listorna fortfarande saknas" } });
    expect((await s.cliJson(["case", "list", "--overdue"], { env: { AVVIK_NOW: "2026-06-15T10:00:00" } })).length).toBe(0);
    // Statistics count it once: the same case, the same first answer (handled, and within the deadline). It is
    // open again, past its due date, but not overdue.
    const statsAfter = await s.cliJson(["stats", "--period", "2026H1"], { env: june });
    expect(statsAfter.total).toBe(1);
    for (const key of ["total", "byArea", "byKind", "bySeverity", "byCounterpart", "byMonth", "byDirection", "handlingDays", "answeredWithinDeadline"]) {
      expect(statsAfter[key], key).toEqual(statsBefore[key]);
    }
    expect(statsBefore.open).toMatchObject({ open: 0, overdue: 0 });
    expect(statsAfter.open).toMatchObject({ open: 1, overdue: 0 });
    // The workflow continues from there.
    await ok(["case", "status", "2026-000001", "answered"]);
    await ok(["case", "close", "2026-000001"]);
    expect((await s.cli(["audit", "verify"])).code).toBe(0);
  });

  it("takes an outgoing case back to sent (the other party acts again) and refuses one that is not finished", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const early = await s.cli(["case", "reopen", "2026-000001", "--reason", "För tidigt"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/Ärende 2026-000001 är registrerat och kan inte återöppnas/);
    await ok(["case", "status", "2026-000001", "sent"]);
    await ok(["case", "status", "2026-000001", "answered"]);
    await ok(["case", "status", "2026-000001", "followed_up"]);
    const r = await s.cliJson(["case", "reopen", "2026-000001", "--reason", "Uppföljningen visar ingen förbättring"]);
    expect(r.reopened).toMatchObject({ from: "followed_up", to: "sent" });
  });

  it("refuses a case delivered to the e-archive: the matter is finished in the register", async () => {
    s = linkoping();
    await answeredIncoming();
    await ok(["case", "close", "2026-000001"]);
    await ok(["archive", "export", "--closed-before", "2026-03-11", "-o", "arkiv"]);
    const before = await snapshot();
    const r = await s.cli(["case", "reopen", "2026-000001", "--reason", "Uppföljningen visar brister"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Ärende 2026-000001 är levererat till e-arkivet och kan inte återöppnas; registrera ett nytt ärende och hänvisa till det här.");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an empty reason, one with personal data, or an unknown case, and changes nothing", async () => {
    s = linkoping();
    await answeredIncoming(PERSON);
    await ok(["case", "close", "2026-000001"]);
    const before = await snapshot();
    const cases: Array<[string[], number, RegExp]> = [
      [["case", "reopen", "2026-000001"], 2, /--reason/],
      [["case", "reopen", "2026-000001", "--reason", ""], 2, /--reason/],
      [["case", "reopen", "2026-000001", "--reason", "   "], 2, /--reason/],
      [["case", "reopen", "2026-000001", "--reason", "x".repeat(251)], 2, /250/],
      [["case", "reopen", "2026-000001", "--reason", "Gäller 191212121212"], 1, /personnummer/],
      [["case", "reopen", "2026-000001", "--reason", "Tolvan Tolvansson har fått fel dos igen"], 1, /namnet på en person/],
      [["case", "reopen", "2026-009999", "--reason", "Finns inte"], 1, /2026-009999/],
    ];
    for (const [args, code, message] of cases) {
      const r = await s.cli(args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });
});
