// E-mail sent more than once (issue 12): a flush killed with SIGKILL, a flush that another run is still doing,
// a server that answers after the client's timeout, a server that refuses for good, and Ctrl-C. The built CLI
// against a real SMTP server on loopback (a flush that is killed, interrupted or must be seen running by another
// run is a process of its own; the other flushes and commands run in-process); the messages are queued through
// the outbox's own code.
//
// Nothing here depends on when a kill lands. The server numbers every message on its connection; a message
// may only arrive twice if it was the last one begun on its connection when the process died (the client
// records an acceptance before that connection starts the next message), so at most one per connection. The
// server stops answering a few messages after the chosen kill point, so that a slow test process can never
// find the flush already finished.

import { mapInOrder } from "../../src/core/sequence.js";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { draftMessage, queue } from "../../src/mail/compose.js";
import { Store } from "../../src/store/store.js";
import { BIN, incomingCase, linkoping, type RunResult, type Sandbox } from "../helpers/cli.js";
import { TestSmtp } from "../helpers/smtp.js";

let s: Sandbox;
let smtp: TestSmtp | null = null;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await smtp?.stop();
  smtp = null;
  s?.cleanup();
});

const CONNECTIONS = 4;

/** A register with one case, and `n` messages about it queued; returns their Message-IDs. */
async function queueMessages(n: number): Promise<string[]> {
  const store = await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
  try {
    return await store.write(async () =>
      mapInOrder(Array.from({ length: n }), async () => (await queue(store, await draftMessage(store, { caseId: 1, template: "reminder", to: [{ name: "Sara Nilsson", address: "sara.nilsson@linkoping.example" }] }))).messageId),
    );
  } finally {
    store.close();
  }
}

async function setup(mail: Record<string, unknown> = {}): Promise<void> {
  s = linkoping();
  const c = await s.cli([...incomingCase(), "--no-notify"]);
  expect(c.code, c.stderr).toBe(0);
  writeFileSync(join(s.env.AVVIK_HOME!, "config.json"), JSON.stringify({ mail: { connections: CONNECTIONS, retryDelayMs: 10, ...mail } }));
}

/** Starts `avvik outbox flush` as its own process (so that it can be killed). */
function startFlush(args: string[] = []): { child: ChildProcess; done: Promise<RunResult & { signal: string | null }>; stderrMatches(re: RegExp): Promise<void> } {
  const child = spawn(process.execPath, [BIN, "outbox", "flush", ...args], { env: { ...s.env, AVVIK_SMTP_URL: smtp!.url }, cwd: s.home });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<RunResult & { signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? -1, stdout, stderr, signal })),
  );
  const stderrMatches = (re: RegExp) =>
    new Promise<void>((resolve) => {
      if (re.test(stderr)) return resolve();
      const check = () => re.test(stderr) && (child.stderr!.off("data", check), resolve());
      child.stderr!.on("data", check);
    });
  return { child, done, stderrMatches };
}

/** `avvik outbox flush` in this process: for every flush that is not killed, interrupted or watched as another run. */
const flush = (args: string[] = []): Promise<RunResult> => s.cli(["outbox", "flush", ...args], { env: { AVVIK_SMTP_URL: smtp!.url } });
const list = (): Promise<Array<{ id: number; status: string; attempts: number; lastError: string | null; messageId: string }>> => s.cliJson(["outbox", "list"]);

describe("a flush killed with SIGKILL", () => {
  it("doubles only messages in flight at the kill (at most one per connection), and the next flush sends the rest at once", async () => {
    await setup();
    smtp = await new TestSmtp().start();
    smtp.answerDelayMs = 25; // each acceptance takes a while: several messages are always in flight
    const trials: string[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const ids = await queueMessages(30);
      const before = smtp.received.length;
      const opened = smtp.sessions.length;
      const killAfter = 1 + Math.floor(Math.random() * 24);
      const extraMs = Math.floor(Math.random() * 40);
      smtp.holdFrom = before + killAfter + 1 + Math.floor(Math.random() * 5); // <= 29 of the 30: never all done
      const run = startFlush(["--json"]);
      await smtp.waitForReceived(before + killAfter);
      await new Promise((r) => setTimeout(r, extraMs));
      run.child.kill("SIGKILL");
      const killed = await run.done;
      expect(killed.signal, `${trials.join("; ")}; killed run: ${killed.code} ${killed.stderr}`).toBe("SIGKILL");
      await smtp.settled(); // what the killed run had written before it died has been read
      smtp.release();
      // The killed run's connections: opened after the trial began, before the next flush. What the dead client
      // wrote may be read and recorded late, so copies are told apart by connection, not by time.
      const killedSessions = new Set(smtp.sessions.slice(opened));
      const queued = (await list()).filter((m) => m.status === "queued").length;

      // (b) The dead run's claim is taken over at once: the next flush sends everything still queued.
      const next = await flush();
      const context = `${trials.join("; ")}; trial ${trial}: kill after ${killAfter} + ${extraMs} ms, ${queued} queued; next: ${next.stdout} ${next.stderr}`;
      expect(next.code, context).toBe(0);
      expect(next.stdout, context).not.toMatch(/Inget att skicka/);
      expect(next.stdout, context).toMatch(new RegExp(`^${queued} skickade`));
      expect((await list()).every((m) => m.status === "sent")).toBe(true);

      // (a) Every message arrived; a message arrived twice only if it was the last one begun on its connection.
      const copies = smtp.copies();
      const doubled = ids.filter((id) => copies.get(id)! > 1);
      trials.push(`trial ${trial}: kill after ${killAfter} received + ${extraMs} ms, ${queued} left, ${doubled.length} doubled`);
      for (const id of ids) expect(copies.get(id), trials.join("; ")).toBeGreaterThanOrEqual(1);
      for (const id of doubled) {
        expect(copies.get(id), trials.join("; ")).toBe(2);
        const first = smtp.received.slice(before).find((r) => r.mail.messageId === id)!;
        expect(killedSessions.has(first.session), `${id} arrived twice but not first from the killed run; ${trials.join("; ")}`).toBe(true);
        expect(smtp.transactions.get(first.session), `${id} was not the last message of its connection; ${trials.join("; ")}`).toBe(first.seq);
      }
      expect(doubled.length, trials.join("; ")).toBeLessThanOrEqual(CONNECTIONS);
      expect(killedSessions.size).toBeLessThanOrEqual(CONNECTIONS);
    }
  });

  it("never says there is nothing to send while another run that still runs holds the messages", async () => {
    await setup();
    smtp = await new TestSmtp().start();
    smtp.holdAnswers = true;
    const ids = await queueMessages(6);
    const first = startFlush(["--json"]);
    await smtp.waitForReceived(1);
    const second = await flush();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toMatch(/Inget att skicka/);
    expect(second.stdout).toContain(`6 meddelanden skickas just nu av en annan körning (pid ${first.child.pid})`);
    const json = await flush(["--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ sent: 0, remaining: 6, held: 6, heldBy: [{ pid: first.child.pid, count: 6 }] });
    smtp.release();
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ sent: 6, remaining: 0 });
    expect(ids.map((id) => smtp!.copies().get(id))).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe("a server that answers after the client's timeout", () => {
  it("gets at most `retries` copies of a message over five flushes; the message is then failed, with the reason", async () => {
    await setup({ timeoutSeconds: 0.5, retries: 3 }); // the client waits 1 s for an answer
    smtp = await new TestSmtp().start();
    smtp.answerDelayMs = 1500;
    const ids = await queueMessages(4);
    for (let i = 0; i < 5; i++) await flush(["--json"]);
    const copies = smtp.copies();
    for (const id of ids) {
      expect(copies.get(id)).toBeGreaterThanOrEqual(1);
      expect(copies.get(id)).toBeLessThanOrEqual(3);
    }
    for (const m of await list()) {
      expect(m).toMatchObject({ status: "failed", attempts: 3 });
      expect(m.lastError).toMatch(/Timeout|ETIMEDOUT/);
    }
  });
});

describe("a server that refuses for good (5xx)", () => {
  it("fails the message after one attempt, shows it in list, show, doctor and the summary, and retry queues it again", async () => {
    await setup();
    smtp = await new TestSmtp().start();
    smtp.refuseData = { code: 554, message: "5.7.1 Meddelandet avvisas" };
    const id = (await queueMessages(1))[0]!;
    const r = await flush(["--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 0, failed: 1, gaveUp: 1, remaining: 0, outbox: { queued: 0, sent: 0, failed: 1 } });
    expect(r.stderr).toMatch(/misslyckades och skickas inte mer/);
    expect(smtp.refused).toEqual([id]);

    const [m] = await list();
    expect(m).toMatchObject({ id: 1, status: "failed", attempts: 1, lastError: expect.stringMatching(/554/) });
    const table = await s.cli(["outbox", "list"]);
    expect(table.stdout).toMatch(/misslyckad/);
    expect(table.stdout).toMatch(/0 köade, 0 skickade, 1 misslyckat\./);
    const shown = await s.cli(["outbox", "show", "1"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Status\s+misslyckad/);
    expect(shown.stdout).toMatch(/Försök\s+1 av högst 3/);
    expect(shown.stdout).toMatch(/Senaste fel\s+.*554 5\.7\.1 Meddelandet avvisas/);
    expect(shown.stdout).toContain(id);
    expect(await s.cliJson(["outbox", "show", "1"])).toMatchObject({ status: "failed", attempts: 1, maxAttempts: 3, failedAt: "2026-03-10T09:00:00+01:00" });

    const doctor = JSON.parse((await s.cli(["doctor", "--json"])).stdout);
    expect(doctor.findings.find((f: { check: string }) => f.check === "outbox")).toMatchObject({ status: "warn", message: expect.stringMatching(/^1 e-postmeddelande har misslyckats/) });
    const summary = await s.cliJson(["summary", "--peek"]);
    expect(summary.failedMail).toEqual([expect.objectContaining({ id: 1, attempts: 1, lastError: expect.stringMatching(/554/) })]);
    expect((await s.cli(["summary", "--peek"])).stdout).toMatch(/E-post som inte kunde skickas \(1\)[^\n]*\n\s+1\s+2026-000001\s+Påminnelse.*554/);

    // Not tried again by later flushes; a flush with nothing queued says so and names the failed one.
    const again = await flush();
    expect(again.stdout).toMatch(/^Inget att skicka\. 1 misslyckat meddelande skickas inte mer/);
    expect(smtp.refused).toHaveLength(1);

    // Only a failed message can be retried; retry resets the attempts and is audited.
    const notFailed = await s.cli(["outbox", "retry", "9"]);
    expect(notFailed.code).toBe(1);
    const retried = await s.cli(["outbox", "retry", "1"]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/Meddelande 1 ligger i kön igen/);
    expect((await list())[0]).toMatchObject({ status: "queued", attempts: 0 });
    const twice = await s.cli(["outbox", "retry", "1"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toBe("Meddelande 1 har inte misslyckats (status: köad); bara misslyckade meddelanden kan köas igen.");
    const actions = (await s.cliJson(["audit", "list"])).map((e: { action: string }) => e.action);
    expect(actions).toContain("mail.failed");
    expect(actions).toContain("mail.retry");

    smtp.refuseData = null;
    const sent = await flush(["--json"]);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 1, remaining: 0 });
    expect(smtp.copies().get(id)).toBe(1);
    expect((await s.cliJson(["doctor"])).findings.some((f: { check: string }) => f.check === "outbox")).toBe(false);
  });
});

describe("Ctrl-C during a flush", () => {
  it("lets the messages in flight finish, records them, and exits 130; nothing arrives twice", async () => {
    await setup();
    smtp = await new TestSmtp().start();
    smtp.answerDelayMs = 30;
    smtp.holdFrom = 5; // the flush cannot finish before Ctrl-C reaches it
    const ids = await queueMessages(30);
    const run = startFlush();
    await smtp.waitForReceived(5);
    run.child.kill("SIGINT");
    await run.stderrMatches(/Avbryter: inga fler meddelanden påbörjas/);
    smtp.release(); // the messages in flight get their answers now
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/Avbrutet: \d+ skickade och registrerade/);
    const sentBefore = (await list()).filter((m) => m.status === "sent").length;
    expect(sentBefore).toBe(smtp.received.length);
    expect(sentBefore).toBeLessThan(30);
    const rest = await flush(["--json"]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ sent: 30 - sentBefore, remaining: 0 });
    expect(ids.map((id) => smtp!.copies().get(id))).toEqual(ids.map(() => 1));
  });
});
