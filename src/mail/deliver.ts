// Delivery of the outbox. `flushOutbox` claims the queued messages, sends each with nodemailer (SMTP, or the
// stream transport writing .eml files under <home>/outbox/sent/) and records every attempt. nodemailer is
// imported here, when a command delivers, never at start-up.
//
// What "delivered once" can mean over SMTP, and how close this comes:
// - A message is marked sent only after the server accepted it (250 after DATA), and each acceptance is
//   committed in its own transaction as soon as the transport reports it, before the connection takes the next
//   message (nodemailer releases a pooled connection only on the turn of the event loop after the callback; on
//   PostgreSQL, where a commit is a round trip, each connection is one worker's own: `openTransports`).
//   So a process killed at any moment leaves at most one accepted-but-unrecorded message per open connection;
//   the next run sends those again, with the same Message-ID.
// - A claim names the claiming process (src/mail/claimant.ts): the next run takes a dead run's messages at once.
// - On PostgreSQL (a register shared by hosts) a run also holds a session-level advisory lock named by its claim
//   token while it runs, and renews its lease (on the server's clock) a third of the lease apart: a run on another
//   host takes its messages at once when that lock is free (the holder's session ended: killed, crashed, host
//   gone), else only when the lease ran out unrenewed (its host frozen or cut off). Before each message is sent
//   the run checks that it still holds it, so a holder that comes back after its lease ran out sends nothing
//   that another run took.
// - Attempts are counted per message across all runs and capped by the `retries` setting. An attempt is any try
//   in which the message may have reached the server: the server's answer to it (a 4xx counts; a 5xx fails the
//   message at once), or a connection lost or timed out after the session began, which is ambiguous (the server
//   may have accepted the message and the answer was lost). A server that cannot be reached at all (refused,
//   DNS, TLS, login, connect or greeting timeout) costs no attempt; the message waits for the next run.
// - Recipients the server accepted are never sent to again.

import { mapInOrder } from "../core/sequence.js";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { InterruptedError } from "../core/errors.js";
import type { AttemptRecord, OutboxMessage } from "../store/outbox.js";
import { writeFileAtomic } from "../store/outputFile.js";
import type { Store } from "../store/store.js";
import { claimantState, currentClaimant } from "./claimant.js";
import type { MailOptions, SmtpSettings } from "./config.js";

export interface FlushOptions {
  smtp: SmtpSettings | null;
  options: MailOptions;
  /** Deliver only these messages (the ones a command has just queued). */
  ids?: number[];
  /** Called after each message is done (sent, or given up for this run). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Interrupts the run (Ctrl-C): no new message is started, those in flight finish and are recorded, claims are
   * given back, then `flushOutbox` throws InterruptedError.
   */
  signal?: AbortSignal;
}

export interface FlushResult {
  transport: "smtp" | "file";
  /** host:port, or the directory the .eml files go to. */
  target: string;
  /** Messages this run took (queued and not held by another run). */
  claimed: number;
  sent: number;
  /** Tried and not delivered: still queued, or failed for good. */
  failed: number;
  /** Of those, the ones that failed for good in this run (status `failed`). */
  gaveUp: number;
  /** Not tried because the server could not be reached. */
  skipped: number;
  /** Queued messages another run that still runs holds, per process. */
  heldElsewhere: Array<{ pid: number | null; host: string | null; count: number }>;
  messages: OutboxMessage[];
  /** .eml file written per message id (file transport). */
  files: Record<number, string>;
  elapsedMs: number;
}

interface SendError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  rejectedErrors?: SendError[];
}

/** What one try came to, as the outbox records it (plus whether the server is out of reach for this run). */
type Outcome = Omit<AttemptRecord, "maxAttempts"> & { unreachable: boolean };

interface Transport {
  sendMail(message: object): Promise<unknown>;
  close(): void;
}

/** One run's state, shared by the small steps below. */
interface Run {
  store: Store;
  o: FlushOptions;
  /** The transports the workers send through: worker i uses `transports[i % length]`. */
  transports: Transport[];
  result: FlushResult;
  /** Set once the server proved unreachable: the remaining messages are not tried in this run. */
  unreachable: string | null;
  /** The run's claim token. */
  token: string;
}

const SETUP_CODES = new Set(["EDNS", "ETLS", "EAUTH", "ENOAUTH", "EREQUIRETLS", "ECONFIG", "EPROXY"]);
const UNREACHABLE_SOCKET = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EADDRNOTAVAIL"]);
const CONNECTION_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EPROTOCOL", ...SETUP_CODES]);

/**
 * The outbox's own transactions only read and write the database (the mail was sent before, or is sent after):
 * on PostgreSQL one the server breaks (a deadlock with an outside session, a lost connection) runs again. The
 * one after an acceptance matters most: not recorded, the message would be sent again by the next run.
 */
const RETRY = { retry: true } as const;

/** The directory of the .eml fallback. */
export function sentDir(home: string): string {
  return join(home, "outbox", "sent");
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
}

/** The connection settings of an SMTP server, shared by delivery and `doctor`'s check. */
export function smtpOptions(s: SmtpSettings, timeoutMs: number) {
  return {
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.pass ?? "" } } : {}),
    ...(s.requireTLS !== undefined ? { requireTLS: s.requireTLS } : {}),
    ...(s.ignoreTLS !== undefined ? { ignoreTLS: s.ignoreTLS } : {}),
    ...(s.rejectUnauthorized !== undefined ? { tls: { rejectUnauthorized: s.rejectUnauthorized } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 2,
  };
}

/** Connects to the server and logs in if a user is set; sends nothing. Throws with the server's or socket's error. */
export async function verifySmtp(s: SmtpSettings, timeoutMs: number): Promise<void> {
  const nodemailer = (await import("nodemailer")).default;
  const transport = nodemailer.createTransport(smtpOptions(s, timeoutMs));
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}

function describe(err: SendError): string {
  const text = (err.response ?? err.message ?? String(err)).replace(/\s+/g, " ").trim();
  return (err.code && !text.includes(err.code) ? `${err.code}: ${text}` : text).slice(0, 500);
}

/** The server could not be reached or would not start a session: the message never got to it. */
function beforeSession(err: SendError): boolean {
  const code = err.code ?? "";
  const message = err.message ?? "";
  if (SETUP_CODES.has(code)) return true;
  if (UNREACHABLE_SOCKET.has(err.originalCode ?? code)) return true;
  if (code === "ETIMEDOUT" && /^(Connection timeout|Greeting never received)/.test(message)) return true;
  if (code === "EPROTOCOL" && message.startsWith("Invalid greeting")) return true;
  return /ECONNREFUSED|EHOSTUNREACH|ENOTFOUND/.test(message);
}

/** The server answered about this message (MAIL, RCPT, DATA or the end of data), as opposed to the connection. */
const aboutMessage = (err: SendError) => err.code === "EENVELOPE" || err.code === "EMESSAGE";

/** A permanent refusal (RFC 5321: 5yz, except 503, a bad sequence of commands). */
const permanentCode = (code: number | undefined) => typeof code === "number" && code >= 500 && code < 600 && code !== 503;

/** Sorts a transport error into what the outbox records: counted or not, final or not. */
export function classifyError(err: SendError, transport: string): Outcome {
  const error = describe(err);
  if (aboutMessage(err)) return { accepted: [], error, transport, response: null, counted: true, permanent: permanentCode(err.responseCode), unreachable: false };
  const unreached = beforeSession(err);
  // A connection lost or timed out mid-session is ambiguous: the server may have accepted the message.
  return { accepted: [], error, transport, response: null, counted: !unreached, permanent: false, unreachable: CONNECTION_CODES.has(err.code ?? "") || unreached };
}

/** The nodemailer message of an outbox message, to the recipients not yet delivered to. */
async function composeMessage(store: Store, m: OutboxMessage) {
  const attachments = await mapInOrder(m.attachments, async (a) => ({ filename: a.filename, contentType: a.contentType, content: await store.files.read(a.fileHash) }));
  const delivered = new Set(m.deliveredTo.map((x) => x.toLowerCase()));
  const remaining = m.recipients.filter((r) => !delivered.has(r.address.toLowerCase())).map((r) => r.address);
  const addr = (r: { name: string | null; address: string }) => (r.name ? { name: r.name, address: r.address } : r.address);
  return {
    remaining,
    message: {
      from: addr(m.from),
      to: m.recipients.filter((r) => r.kind === "to").map(addr),
      cc: m.recipients.filter((r) => r.kind === "cc").map(addr),
      subject: m.subject,
      text: m.body,
      messageId: m.messageId,
      date: new Date(m.createdAt),
      headers: m.diaryNumber ? { "X-Avvik-Diarienummer": m.diaryNumber } : {},
      envelope: { from: m.from.address, to: remaining },
      attachments,
      disableFileAccess: true,
      disableUrlAccess: true,
    },
  };
}

type SendInfo = {
  accepted?: Array<string | { address: string }>;
  rejected?: Array<string | { address: string }>;
  rejectedErrors?: SendError[];
  response?: string;
  message?: Buffer;
};

const addressOf = (a: string | { address: string }) => (typeof a === "string" ? a : a.address);

/** The outcome of a send the server answered with 250: the recipients it accepted, and why it refused others. */
function acceptedOutcome(run: Run, m: OutboxMessage, remaining: string[], info: SendInfo): Outcome {
  const transport = run.result.transport;
  if (!run.o.smtp) {
    const file = join(sentDir(run.store.home), `${String(m.id).padStart(6, "0")}-${safeName(m.diaryNumber ?? "utan-diarienummer")}.eml`);
    writeFileAtomic(file, info.message ?? Buffer.alloc(0), 0o600);
    run.result.files[m.id] = file;
    return { accepted: remaining, error: null, transport, response: file, unreachable: false };
  }
  const accepted = (info.accepted ?? []).map(addressOf);
  const rejected = (info.rejected ?? []).map(addressOf);
  if (!rejected.length) return { accepted, error: null, transport, response: info.response ?? null, unreachable: false };
  const errors = info.rejectedErrors ?? [];
  const why = errors.map((e) => describe(e)).join("; ");
  return {
    accepted,
    error: `${rejected.join(", ")}: ${why || "avvisad"}`,
    transport,
    response: info.response ?? null,
    // Refused recipients: final when every refusal was permanent (a 4xx may pass next time).
    permanent: errors.length > 0 && errors.every((e) => permanentCode(e.responseCode)),
    unreachable: false,
  };
}

/**
 * Records one attempt in its own transaction, with its audit event when the message is now sent or failed.
 * Synchronous: it is called in the continuation of the send, before the connection can take the next message.
 */
async function recordOutcome(run: Run, m: OutboxMessage, outcome: Outcome): Promise<OutboxMessage> {
  const { store, result } = run;
  return await store.write(async () => {
    const after = await store.outbox.recordAttempt(m.id, { ...outcome, maxAttempts: run.o.options.retries }, m);
    if (after.status === "sent" && m.status !== "sent") await store.audit.record("mail.sent", after.caseId, { messages: [after.id], transport: result.transport });
    if (after.status === "failed") await store.audit.record("mail.failed", after.caseId, { message: after.id, attempts: after.attempts, error: after.lastError });
    return after;
  }, RETRY);
}

/** One try of one message: compose, send, classify, record. Returns the message as recorded. */
async function attempt(run: Run, transport: Transport, m: OutboxMessage): Promise<{ after: OutboxMessage; outcome: Outcome }> {
  let composed;
  try {
    composed = await composeMessage(run.store, m);
  } catch (e) {
    // An attachment that can no longer be read (a purged file) will not come back: the message fails.
    const error = e instanceof Error ? e.message : String(e);
    const outcome: Outcome = { accepted: [], error, transport: run.result.transport, response: null, counted: false, permanent: true, unreachable: false };
    return { after: await recordOutcome(run, m, outcome), outcome };
  }
  let outcome: Outcome;
  try {
    const info = (await transport.sendMail(composed.message)) as SendInfo;
    outcome = acceptedOutcome(run, m, composed.remaining, info);
  } catch (e) {
    outcome = run.o.smtp
      ? classifyError(e as SendError, run.result.transport)
      : { accepted: [], error: describe(e as SendError), transport: run.result.transport, response: null, counted: false, unreachable: true };
  }
  // Nothing but the write lock between the transport's answer and this commit.
  return { after: await recordOutcome(run, m, outcome), outcome };
}

/** Pauses before the next try; false when the run was interrupted meanwhile. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * Delivers one message: tries until it is sent, fails, or this run gives up on it (the attempts left across all
 * runs, or `retries` tries in this run when the server cannot be reached at all).
 */
async function deliverOne(run: Run, transport: Transport, id: number): Promise<OutboxMessage> {
  const { store, result, o } = run;
  let m = await store.outbox.get(id);
  for (let tries = 1; ; tries++) {
    if (m.status !== "queued") return m;
    if (run.unreachable) {
      await store.write(async () => await store.outbox.noteError(id, run.unreachable!), RETRY);
      result.skipped++;
      return await store.outbox.get(id);
    }
    // PostgreSQL: a run on another host may have taken the message over (this run's lease ran out): not sent here.
    if (run.store.sql.engine === "postgres" && !(await store.outbox.stillClaimed(id, run.token))) return m;
    const { after, outcome } = await attempt(run, transport, m);
    m = after;
    if (m.status === "sent") {
      result.sent++;
      return m;
    }
    if (m.status === "failed") {
      result.failed++;
      result.gaveUp++;
      return m;
    }
    // Accepted with refused recipients that may pass later (4xx): they wait for the next run.
    const partial = outcome.accepted.length > 0 || outcome.error === null;
    if (partial || tries >= o.options.retries || o.signal?.aborted) {
      if (outcome.unreachable) run.unreachable = outcome.error;
      result.failed++;
      return m;
    }
    if (!(await pause(o.options.retryDelayMs * 2 ** (tries - 1), o.signal))) {
      result.failed++;
      return m;
    }
  }
}

/** Runs `work` over the ids with `width` workers; a worker takes no new id once the signal is aborted. */
async function eachInParallel(ids: number[], width: number, signal: AbortSignal | undefined, work: (id: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (_: unknown, i: number) => {
    while (next < ids.length && !signal?.aborted) await work(ids[next++]!, i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, ids.length)) }, worker));
}

/**
 * The run's transports and how many workers send through them. SQLite: one pool of `connections` connections
 * and twice as many workers, so that no connection waits for the next message; an acceptance is committed
 * synchronously, in the continuation of the send, before the pool gives that connection its next message.
 * PostgreSQL: a commit is a round trip to the server, during which a shared pool would give the connection
 * another message; so each worker has a connection of its own (a pool of one) and sends its next message only
 * after the last one is recorded: an accepted message left unrecorded by a kill is still the last one begun on
 * its connection, as on SQLite.
 */
async function openTransports(store: Store, o: FlushOptions): Promise<{ transports: Transport[]; width: number }> {
  const nodemailer = await import("nodemailer");
  if (!o.smtp) {
    mkdirSync(sentDir(store.home), { recursive: true, mode: 0o700 });
    return { transports: [nodemailer.createTransport({ streamTransport: true, buffer: true })], width: 1 };
  }
  const timeout = o.options.timeoutSeconds * 1000;
  const pool = (connections: number) => nodemailer.createTransport({ pool: true, maxConnections: connections, maxMessages: Infinity, ...smtpOptions(o.smtp!, timeout) });
  if (store.sql.engine === "postgres") return { transports: Array.from({ length: o.options.connections }, () => pool(1)), width: o.options.connections };
  return { transports: [pool(o.options.connections)], width: o.options.connections * 2 };
}

/** How long a claim lasts for a run on another host: on SQLite, fixed; on PostgreSQL, renewed while the run lasts. */
const SQLITE_LEASE_MS = 15 * 60_000;
const POSTGRES_LEASE_MS = 2 * 60_000;

/** Claims what this run may deliver, in one transaction; the claim names this process. */
async function claim(store: Store, token: string, ids: number[] | undefined): Promise<number[]> {
  const me = currentClaimant();
  // The lease matters only to a run on another host, which cannot look at this process.
  return await store.write(async () => {
    const { until } = await store.outbox.leaseTimes(store.sql.engine === "postgres" ? POSTGRES_LEASE_MS : SQLITE_LEASE_MS);
    return await store.outbox.claim(token, { ...me, until }, claimantState, ids);
  }, RETRY);
}

/**
 * PostgreSQL: keeps this run's lease fresh (a third of the lease apart), so that a run on another host takes its
 * messages only when it has stopped renewing (its host cut off or frozen) or its session is gone.
 */
function keepLease(store: Store, token: string): () => Promise<void> {
  if (store.sql.engine !== "postgres") return async () => undefined;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      try {
        await store.write(async () => void (await store.outbox.renew(token, (await store.outbox.leaseTimes(POSTGRES_LEASE_MS)).until)), RETRY);
      } catch {
        // Not renewed this time: the next tick tries again; each message is checked to be ours before it is sent.
      }
    });
  }, POSTGRES_LEASE_MS / 3);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}

/** The run was interrupted (FlushOptions.signal); `result` tells what was done and recorded before it stopped. */
export class FlushInterrupted extends InterruptedError {
  constructor(readonly result: FlushResult) {
    super();
  }
}

export async function flushOutbox(store: Store, o: FlushOptions): Promise<FlushResult> {
  const started = performance.now();
  const token = randomUUID();
  await store.outbox.holdClaims(token);
  const stopLease = keepLease(store, token);
  let ids: number[];
  try {
    ids = await claim(store, token, o.ids);
  } catch (e) {
    await stopLease();
    await store.outbox.unholdClaims(token);
    throw e;
  }
  const result: FlushResult = {
    transport: o.smtp ? "smtp" : "file",
    target: o.smtp ? `${o.smtp.host}:${o.smtp.port}` : sentDir(store.home),
    claimed: ids.length,
    sent: 0,
    failed: 0,
    gaveUp: 0,
    skipped: 0,
    heldElsewhere: [],
    messages: [],
    files: {},
    elapsedMs: 0,
  };
  const finished: OutboxMessage[] = [];
  try {
    if (ids.length > 0 && !o.signal?.aborted) {
      const { transports, width } = await openTransports(store, o);
      const run: Run = { store, o, transports, result, unreachable: null, token };
      try {
        await eachInParallel(ids, width, o.signal, async (id, worker) => {
          finished.push(await deliverOne(run, transports[worker % transports.length]!, id));
          o.onProgress?.(finished.length, ids.length);
        });
      } finally {
        for (const t of transports) t.close();
      }
    }
  } finally {
    await stopLease();
    await store.write(async () => await store.outbox.release(token), RETRY);
    await store.outbox.unholdClaims(token);
  }
  result.heldElsewhere = (await store.outbox.heldByOthers(token)).map((h) => ({ pid: h.pid, host: h.host, count: h.count }));
  result.messages = finished.sort((a, b) => a.id - b.id);
  result.elapsedMs = performance.now() - started;
  if (o.signal?.aborted) throw new FlushInterrupted(result);
  return result;
}
