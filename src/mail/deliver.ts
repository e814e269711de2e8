// Delivery of the outbox: `flushOutbox` claims the queued messages, sends each with nodemailer (SMTP, or the
// stream transport writing .eml files under <home>/outbox/sent/) and records every attempt. A message is marked
// sent only after the server accepted it; its Message-ID was fixed when it was queued, so a retry is the same
// message; recipients the server has accepted are never sent to again. nodemailer is imported here, when a
// command delivers, never at start-up.

import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localTimestamp } from "../core/dates.js";
import { InterruptedError } from "../core/errors.js";
import type { OutboxMessage } from "../store/outbox.js";
import type { Store } from "../store/store.js";
import type { MailOptions, SmtpSettings } from "./config.js";

export interface FlushOptions {
  smtp: SmtpSettings | null;
  options: MailOptions;
  /** Deliver only these messages (the ones a command has just queued). */
  ids?: number[];
  /** Called after each message is done (sent, or given up for this run). */
  onProgress?: (done: number, total: number) => void;
}

export interface FlushResult {
  transport: "smtp" | "file";
  /** host:port, or the directory the .eml files go to. */
  target: string;
  /** Messages this run took (queued and not held by another run). */
  claimed: number;
  sent: number;
  /** Tried and still queued. */
  failed: number;
  /** Not tried because the server could not be reached. */
  skipped: number;
  messages: OutboxMessage[];
  /** .eml file written per message id (file transport). */
  files: Record<number, string>;
  elapsedMs: number;
}

interface SendError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
  rejectedErrors?: Array<{ recipient?: string; response?: string; message: string }>;
}

type Attempt = { accepted: string[]; error: string | null; transport: string; response: string | null };

const CONNECTION_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS", "EAUTH", "ECONNREFUSED", "EPROTOCOL", "ENOTFOUND", "EHOSTUNREACH"]);

/** The directory of the .eml fallback. */
export function sentDir(home: string): string {
  return join(home, "outbox", "sent");
}

function describe(err: SendError): string {
  const text = (err.response ?? err.message ?? String(err)).replace(/\s+/g, " ").trim();
  return (err.code && !text.includes(err.code) ? `${err.code}: ${text}` : text).slice(0, 500);
}

function connectionLevel(err: SendError): boolean {
  return CONNECTION_CODES.has(err.code ?? "") || /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND/.test(err.message ?? "");
}

function permanent(err: SendError): boolean {
  if (err.permanent === true) return true;
  return typeof err.responseCode === "number" && err.responseCode >= 500 && err.responseCode < 600;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

export async function flushOutbox(store: Store, o: FlushOptions): Promise<FlushResult> {
  const started = performance.now();
  const nodemailer = await import("nodemailer");
  const token = randomUUID();
  const until = localTimestamp(new Date(store.actor.now.getTime() + 15 * 60_000));
  const ids = store.write(() => store.outbox.claim(token, until, o.ids));
  const files: Record<number, string> = {};
  const result: FlushResult = {
    transport: o.smtp ? "smtp" : "file",
    target: o.smtp ? `${o.smtp.host}:${o.smtp.port}` : sentDir(store.home),
    claimed: ids.length,
    sent: 0,
    failed: 0,
    skipped: 0,
    messages: [],
    files,
    elapsedMs: 0,
  };
  if (ids.length === 0) {
    result.elapsedMs = performance.now() - started;
    return result;
  }
  const s = o.smtp;
  const timeout = o.options.timeoutSeconds * 1000;
  const transport = s
    ? nodemailer.createTransport({ pool: true, maxConnections: o.options.connections, maxMessages: Infinity, ...smtpOptions(s, timeout) })
    : nodemailer.createTransport({ streamTransport: true, buffer: true });
  if (!s) mkdirSync(sentDir(store.home), { recursive: true, mode: 0o700 });

  // Attempts are recorded as soon as the transport answers: results that arrive in the same turn of the event
  // loop are committed together in one transaction (one audit event per case), which keeps a run fast without
  // ever marking a message sent before the server accepted it.
  type Pending = { id: number; current: OutboxMessage; a: Attempt; resolve: (m: OutboxMessage) => void; reject: (e: unknown) => void };
  const pending: Pending[] = [];
  const commit = () => {
    const batch = pending.splice(0);
    try {
      const after = store.write(() => {
        const out = batch.map((b) => store.outbox.recordAttempt(b.id, b.a, b.current));
        const sentByCase = new Map<number | null, number[]>();
        for (const m of out) {
          if (m.status !== "sent" || batch.find((b) => b.id === m.id)!.current.status === "sent") continue;
          sentByCase.set(m.caseId, [...(sentByCase.get(m.caseId) ?? []), m.id]);
        }
        for (const [caseId, messages] of sentByCase) store.audit.record("mail.sent", caseId, { messages, transport: result.transport });
        return out;
      });
      batch.forEach((b, i) => b.resolve(after[i]!));
    } catch (err) {
      batch.forEach((b) => b.reject(err));
    }
  };
  let timer: NodeJS.Timeout | null = null;
  const commitNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length) commit();
  };
  const record = (id: number, current: OutboxMessage, a: Attempt) =>
    new Promise<OutboxMessage>((resolve, reject) => {
      pending.push({ id, current, a, resolve, reject });
      if (pending.length >= 200) commitNow();
      else timer ??= setTimeout(commitNow, 20);
    });
  const outstanding: Array<Promise<void>> = [];

  let unreachable: string | null = null;
  let next = 0;
  let done = 0;
  const finished: OutboxMessage[] = [];

  const deliverOne = async (id: number): Promise<void> => {
    let m = store.outbox.get(id);
    for (let attempt = 1; ; attempt++) {
      if (m.status === "sent") return void finished.push(m);
      if (unreachable) {
        store.write(() => store.outbox.noteError(id, unreachable!));
        result.skipped++;
        return void finished.push(store.outbox.get(id));
      }
      const delivered = new Set(m.deliveredTo.map((x) => x.toLowerCase()));
      const remaining = m.recipients.filter((r) => !delivered.has(r.address.toLowerCase())).map((r) => r.address);
      const addr = (r: { name: string | null; address: string }) => (r.name ? { name: r.name, address: r.address } : r.address);
      let message;
      try {
        message = {
          from: addr(m.from),
          to: m.recipients.filter((r) => r.kind === "to").map(addr),
          cc: m.recipients.filter((r) => r.kind === "cc").map(addr),
          subject: m.subject,
          text: m.body,
          messageId: m.messageId,
          date: new Date(m.createdAt),
          headers: m.diaryNumber ? { "X-Avvik-Diarienummer": m.diaryNumber } : {},
          envelope: { from: m.from.address, to: remaining },
          attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: store.files.read(a.fileHash) })),
          disableFileAccess: true,
          disableUrlAccess: true,
        };
      } catch (e) {
        // An attachment that can no longer be read (a purged file): the message stays queued with the reason.
        const text = e instanceof Error ? e.message : String(e);
        m = await record(id, m, { accepted: [], error: text, transport: result.transport, response: null });
        result.failed++;
        return void finished.push(m);
      }
      try {
        const info = (await transport.sendMail(message)) as {
          accepted?: Array<string | { address: string }>;
          rejected?: Array<string | { address: string }>;
          rejectedErrors?: SendError[];
          response?: string;
          message?: Buffer;
        };
        let accepted: string[];
        let error: string | null = null;
        let response: string | null = info.response ?? null;
        if (s) {
          accepted = (info.accepted ?? []).map((a) => (typeof a === "string" ? a : a.address));
          const rejected = (info.rejected ?? []).map((a) => (typeof a === "string" ? a : a.address));
          if (rejected.length) {
            const why = (info.rejectedErrors ?? []).map((e) => describe(e)).join("; ");
            error = `${rejected.join(", ")}: ${why || "avvisad"}`;
          }
        } else {
          const file = join(sentDir(store.home), `${String(m.id).padStart(6, "0")}-${safeName(m.diaryNumber ?? "utan-diarienummer")}.eml`);
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, info.message ?? Buffer.alloc(0), { mode: 0o600 });
          renameSync(tmp, file);
          files[m.id] = file;
          accepted = remaining;
          response = file;
        }
        // The acceptance is committed within a few milliseconds, together with others; the worker goes on.
        // A refused recipient would be refused again at once; it waits for the next run (or a corrected address).
        outstanding.push(
          record(id, m, { accepted, error, transport: result.transport, response }).then((after) => {
            if (after.status === "sent") result.sent++;
            else result.failed++;
            finished.push(after);
          }),
        );
        return;
      } catch (e) {
        const err = e as SendError;
        const text = describe(err);
        m = await record(id, m, { accepted: [], error: text, transport: result.transport, response: null });
        const giveUp = permanent(err) || attempt >= o.options.retries;
        if (giveUp) {
          if (connectionLevel(err)) unreachable = text;
          result.failed++;
          return void finished.push(m);
        }
        await sleep(o.options.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  };

  // Ctrl-C: take no new message, let those in flight finish and record them, then stop (exit 130).
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.once("SIGINT", onInterrupt);
  const workers = Array.from({ length: s ? Math.min(o.options.connections * 2, ids.length) : 1 }, async () => {
    while (next < ids.length && !interrupted) {
      const id = ids[next++]!;
      await deliverOne(id);
      done++;
      o.onProgress?.(done, ids.length);
    }
  });
  try {
    await Promise.all(workers);
    commitNow();
    await Promise.all(outstanding);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    commitNow();
    transport.close();
    store.write(() => store.outbox.release(token));
  }
  if (interrupted) throw new InterruptedError();
  result.messages = finished.sort((a, b) => a.id - b.id);
  result.elapsedMs = performance.now() - started;
  return result;
}
