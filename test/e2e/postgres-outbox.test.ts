// The outbox on a register shared by hosts (issue 18): PostgreSQL. Two processes with data directories of their
// own ("two hosts": each only the key in common) flush one register against one real SMTP server on loopback;
// a flusher is killed with SIGKILL mid-run; a run on another host, played by a session of the test's own on the
// server (all another host is to the register), holds claims whose holder is alive, gone, or frozen past its
// lease; a session outside the tool holds a row lock. The built CLI in processes of their own where the process
// is the point (two hosts flushing at once, a flusher killed), else in this process (`flushHere`): a run that a
// session of the test's own blocks, breaks or ends is the same run either way, the server does not know the
// difference.
//
// As in outbox-safety.test.ts nothing depends on when a kill lands: a message may arrive twice only if it was
// the last one begun on its connection when the process died.

import { mapInOrder } from "../../src/core/sequence.js";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { draftMessage, queue } from "../../src/mail/compose.js";
import { CLAIM_LOCK, claimLockKey } from "../../src/store/outbox.js";
import { Store } from "../../src/store/store.js";
import { BIN, incomingCase, linkopingOnPostgres, sandbox, type RunResult, type Sandbox } from "../helpers/cli.js";
import { TestSmtp } from "../helpers/smtp.js";

let hosts: Sandbox[] = [];
let url = "";
let smtp: TestSmtp | null = null;
const children: ChildProcess[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  await smtp?.stop();
  smtp = null;
  for (const h of hosts.splice(0)) h.cleanup();
});

const CONNECTIONS = 4;

/** The register on PostgreSQL with one case, and two "hosts": data directories of their own, the key copied. */
async function setup(): Promise<[Sandbox, Sandbox]> {
  const a = await linkopingOnPostgres();
  url = a.databaseUrl;
  const b = sandbox({ env: { AVVIK_DATABASE_URL: url } });
  cpSync(a.env.AVVIK_HOME!, b.env.AVVIK_HOME!, { recursive: true });
  hosts = [a, b];
  const c = await a.cli([...incomingCase(), "--no-notify"]);
  expect(c.code, c.stderr).toBe(0);
  for (const h of hosts) writeFileSync(join(h.env.AVVIK_HOME!, "config.json"), JSON.stringify({ mail: { connections: CONNECTIONS, retryDelayMs: 10 } }));
  return [a, b];
}

/**
 * `n` messages about case 1 queued through the outbox's own code; their Message-IDs. The same reminder each
 * time: drafted once (the case, its persons, the sender read once), queued `n` times, each with a Message-ID
 * of its own made as the draft's is.
 */
async function queueMessages(n: number): Promise<string[]> {
  const h = hosts[0]!;
  const store = await Store.open({ home: h.env.AVVIK_HOME!, databaseUrl: url, actor: { user: "test", now: new Date("2026-03-10T09:00:00") } });
  try {
    return await store.write(async () => {
      const draft = await draftMessage(store, { caseId: 1, template: "reminder", to: [{ name: "Sara Nilsson", address: "sara.nilsson@linkoping.example" }] });
      return mapInOrder(Array.from({ length: n }), async () => (await queue(store, { ...draft, messageId: draft.messageId.replace(/^<[^@]+@/, `<${randomUUID()}@`) })).messageId);
    });
  } finally {
    store.close();
  }
}

function startFlush(h: Sandbox, args: string[] = []): { child: ChildProcess; done: Promise<RunResult & { signal: string | null }> } {
  return start(h, ["outbox", "flush", ...args]);
}

/** `outbox flush` in this process (the bundle's main()), against the test's SMTP server. */
function flushHere(h: Sandbox, args: string[] = []): Promise<RunResult> {
  return h.cli(["outbox", "flush", ...args], { env: { AVVIK_SMTP_URL: smtp!.url } });
}

/** Starts a command as its own process. */
function start(h: Sandbox, args: string[]): { child: ChildProcess; done: Promise<RunResult & { signal: string | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...h.env, AVVIK_SMTP_URL: smtp!.url }, cwd: h.home });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<RunResult & { signal: string | null }>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? -1, stdout, stderr, signal })));
  return { child, done };
}

const list = (): Promise<Array<{ id: number; status: string; messageId: string }>> => hosts[0]!.cliJson(["outbox", "list"]);

/** A session of the test's own on the server: another host's run, or an administrator's psql. */
async function session(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}

describe("the outbox of a register on PostgreSQL", () => {
  it("is flushed by two hosts at once, every message delivered exactly once", async () => {
    const [a, b] = await setup();
    smtp = await new TestSmtp().start();
    smtp.holdAnswers = true; // the first run keeps its messages until both have claimed
    const first = await queueMessages(20);
    const runs = [startFlush(a, ["--json"]), startFlush(b, ["--json"])];
    // One of the two claims all 20; the other finds them held by a run that still runs and is done at once.
    const loser = await Promise.race(runs.map(async (r, i) => ((await r.done), i)));
    const idle = await runs[loser]!.done;
    expect(idle.code, idle.stderr).toBe(0);
    expect(JSON.parse(idle.stdout)).toMatchObject({ sent: 0, held: 20, heldBy: [{ pid: runs[1 - loser]!.child.pid, count: 20 }] });
    // Meanwhile 20 more are queued: the host that was idle flushes them while the other still sends its own.
    const second = await queueMessages(20);
    const again = startFlush(hosts[loser]!, ["--json"]);
    await smtp.waitForReceived(2 * CONNECTIONS); // each run has a message on every connection
    smtp.release();
    const [busy, late] = [await runs[1 - loser]!.done, await again.done];
    expect(busy.code, busy.stderr).toBe(0);
    expect(late.code, late.stderr).toBe(0);
    expect(JSON.parse(busy.stdout)).toMatchObject({ sent: 20 }); // the other host may still be sending its own
    expect(JSON.parse(late.stdout)).toMatchObject({ sent: 20 });
    const copies = smtp.copies();
    expect([...first, ...second].map((id) => copies.get(id))).toEqual(Array.from({ length: 40 }, () => 1));
    expect((await list()).every((m) => m.status === "sent")).toBe(true);
    const v = await a.cliJson(["audit", "verify"]);
    expect(v.problems).toEqual([]);
  });

  it("doubles only messages in flight when a flusher is killed (at most one per connection); the other host sends the rest at once", async () => {
    const [a, b] = await setup();
    smtp = await new TestSmtp().start();
    smtp.answerDelayMs = 25;
    const trials: string[] = [];
    for (let trial = 0; trial < 2; trial++) {
      const ids = await queueMessages(30);
      const before = smtp.received.length;
      const opened = smtp.sessions.length;
      const killAfter = 1 + Math.floor(Math.random() * 24);
      smtp.holdFrom = before + killAfter + 1 + Math.floor(Math.random() * 5); // never all 30 before the kill
      const run = startFlush(a, ["--json"]);
      await smtp.waitForReceived(before + killAfter);
      run.child.kill("SIGKILL");
      const killed = await run.done;
      expect(killed.signal, `${trials.join("; ")}; killed run: ${killed.code} ${killed.stderr}`).toBe("SIGKILL");
      await smtp.settled();
      smtp.release();
      const killedSessions = new Set(smtp.sessions.slice(opened));
      const queued = (await list()).filter((m) => m.status === "queued").length;

      // The other host takes the dead run's claims at once (its process is gone, and so is its session).
      const next = await startFlush(b).done;
      const context = `${trials.join("; ")}; trial ${trial}: kill after ${killAfter}, ${queued} queued; next: ${next.stdout} ${next.stderr}`;
      expect(next.code, context).toBe(0);
      expect(next.stdout, context).toMatch(new RegExp(`^${queued} skickade`));
      expect((await list()).every((m) => m.status === "sent"), context).toBe(true);

      const copies = smtp.copies();
      const doubled = ids.filter((id) => copies.get(id)! > 1);
      trials.push(`trial ${trial}: kill after ${killAfter}, ${queued} left, ${doubled.length} doubled`);
      for (const id of ids) expect(copies.get(id), trials.join("; ")).toBeGreaterThanOrEqual(1);
      for (const id of doubled) {
        expect(copies.get(id), trials.join("; ")).toBe(2);
        const firstCopy = smtp.received.slice(before).find((r) => r.mail.messageId === id)!;
        expect(killedSessions.has(firstCopy.session), trials.join("; ")).toBe(true);
        expect(smtp.transactions.get(firstCopy.session), `${id} was not the last message of its connection; ${trials.join("; ")}`).toBe(firstCopy.seq);
      }
      expect(doubled.length, trials.join("; ")).toBeLessThanOrEqual(CONNECTIONS);
    }
  });

  it("leaves another host's claims to it while its session lives and its lease lasts; takes them when either ends", async () => {
    const [a] = await setup();
    smtp = await new TestSmtp().start();
    const ids = await queueMessages(3);
    // Two runs on another host: X renews its lease, Y's lease ran out (its host frozen); both sessions still live.
    const x = await session();
    const y = await session();
    const claimAs = async (c: pg.Client, id: number, pid: number, lease: string) => {
      const token = randomUUID();
      await c.query("SELECT pg_advisory_lock($1, $2)", [CLAIM_LOCK, claimLockKey(token)]);
      await c.query(
        `UPDATE outbox SET claimed_by = $1, claim_pid = $2, claim_host = 'andra-datorn.kommun.se', claim_start = NULL,
                claimed_until = to_char((clock_timestamp() + CAST($3 AS interval)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') WHERE id = $4`,
        [token, pid, lease, id],
      );
    };
    await claimAs(x, 1, 4242, "2 minutes");
    await claimAs(y, 2, 4343, "-1 second");
    const r = await flushHere(a, ["--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 2, remaining: 1, held: 1, heldBy: [{ pid: 4242, host: "andra-datorn.kommun.se", count: 1 }] });
    const human = await flushHere(a);
    expect(human.stdout).toContain("1 meddelande skickas just nu av en annan körning (pid 4242");
    // X's host dies: the server ends its session, and its lock with it. Its message is taken at once.
    await x.end();
    const after = await flushHere(a, ["--json"]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ sent: 1, remaining: 0, held: 0 });
    expect(ids.map((id) => smtp!.copies().get(id))).toEqual([1, 1, 1]);
  });

  it("skips a message that a session outside the tool has locked, instead of waiting for it", async () => {
    const [a] = await setup();
    smtp = await new TestSmtp().start();
    const ids = await queueMessages(3);
    const admin = await session();
    await admin.query("BEGIN");
    await admin.query("SELECT id FROM outbox WHERE id = 2 FOR UPDATE");
    const r = await flushHere(a, ["--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 2, remaining: 1 });
    expect(ids.map((id) => smtp!.copies().get(id) ?? 0)).toEqual([1, 0, 1]);
    await admin.query("COMMIT");
    const rest = await flushHere(a, ["--json"]);
    expect(JSON.parse(rest.stdout)).toMatchObject({ sent: 1, remaining: 0 });
    expect(ids.map((id) => smtp!.copies().get(id))).toEqual([1, 1, 1]);
  });
});

/** Resolves once a session of the tool waits for a lock `admin` holds; its backend's pid. */
async function blockedBy(admin: pg.Client): Promise<number> {
  const me = (await admin.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
  for (;;) {
    // Inside a transaction the server keeps one snapshot of its activity statistics unless told to drop it.
    await admin.query("SELECT pg_stat_clear_snapshot()");
    const r = await admin.query("SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", [me]);
    if (r.rows.length) return r.rows[0].pid as number;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An administrator's session that holds the audit chain's head row (the last statement of every recorded change). */
async function adminHoldingHead(): Promise<pg.Client> {
  const admin = await session();
  // The tool's session, which waits first, is the one the server's deadlock check ends.
  await admin.query("SET deadlock_timeout = '20s'");
  await admin.query("BEGIN");
  await admin.query("UPDATE settings SET value = value WHERE key = 'audit_head'");
  return admin;
}

describe("a transaction the server breaks (PostgreSQL)", () => {
  it("records an acceptance again after a deadlock with an outside session: the message is sent and recorded once", async () => {
    const [a] = await setup();
    smtp = await new TestSmtp().start();
    smtp.holdAnswers = true;
    const [id] = await queueMessages(1);
    const run = flushHere(a, ["--json"]);
    await smtp.waitForReceived(1);
    const admin = await adminHoldingHead();
    smtp.release(); // accepted: the flush records it, locks the message's row, and waits for the head
    await blockedBy(admin);
    // The administrator now wants the message's row: a deadlock, which the server ends in the tool's session
    // (this statement returning proves it: else it would fail itself, after its own 20 s).
    await admin.query("UPDATE outbox SET last_error = last_error WHERE id = 1");
    await admin.query("COMMIT");
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 1, remaining: 0 });
    expect(smtp.copies().get(id!)).toBe(1);
    expect((await list())[0]).toMatchObject({ status: "sent" });
    expect((await a.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "mail.sent")).toHaveLength(1);
    expect((await a.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("records it again on a new connection when the server ends the session mid-transaction", async () => {
    const [a] = await setup();
    smtp = await new TestSmtp().start();
    smtp.holdAnswers = true;
    const ids = await queueMessages(2);
    const run = flushHere(a, ["--json"]);
    await smtp.waitForReceived(2);
    const admin = await adminHoldingHead();
    smtp.release();
    const victim = await blockedBy(admin);
    await admin.query("SELECT pg_terminate_backend($1)", [victim]);
    await admin.query("ROLLBACK");
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 2, remaining: 0 });
    expect(ids.map((id) => smtp!.copies().get(id))).toEqual([1, 1]);
    expect((await a.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("ends a change that may not run again in one line, exit 1, nothing changed: a deadlock, a lost connection", async () => {
    const [a] = await setup();
    smtp = await new TestSmtp().start();
    for (const end of ["deadlock", "terminate"] as const) {
      const admin = await adminHoldingHead();
      const run = a.cli(["case", "update", "2026-000001", "--severity", "gul"]);
      const victim = await blockedBy(admin);
      if (end === "deadlock") await admin.query("UPDATE cases SET updated_at = updated_at WHERE id = 1");
      else await admin.query("SELECT pg_terminate_backend($1)", [victim]);
      await admin.query("ROLLBACK");
      const r = await run;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(end === "deadlock" ? /^Databasservern avbröt ändringen 1 gång i rad: den krockade med en annan sessions lås \(SQLSTATE 40P01\)/ : /^Förbindelsen med databasservern bröts \(.*\)\. Ändringen som pågick sparades inte/);
      expect((await a.cliJson(["case", "show", "2026-000001"])).severity).not.toBe("gul");
    }
    expect((await a.cliJson(["audit", "verify"])).problems).toEqual([]);
  });
});
