import { localTimestamp } from "../core/dates.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import type { AuditRepo } from "./audit.js";
import type { PostgresSql } from "./postgres.js";
import type { Clock, Sql } from "./sql.js";

/**
 * PostgreSQL: the first key of the session-level advisory locks by which delivery runs show that they still
 * hold their claims (the second key is `claimLockKey` of the run's token). Two int4 keys: never the same lock as
 * the register's write lock (one bigint key, postgres.ts).
 */
export const CLAIM_LOCK = 0x6176766f; // "avvo"

/** The second key of a run's claim lock: 32 bits of its token (a UUID), as a signed int4. */
export function claimLockKey(token: string): number {
  return Number.parseInt(token.replaceAll("-", "").slice(0, 8), 16) | 0;
}

/**
 * `queued` waits for delivery; `sent` was accepted by the server for every recipient; `failed` was refused for
 * good (5xx) or used up its attempts (the `retries` setting, across all runs) and waits for `outbox retry`.
 */
export type OutboxStatus = "queued" | "sent" | "failed";

/** The process holding a claim (see src/mail/claimant.ts); null fields for a claim that names no process. */
export interface ClaimHolder {
  pid: number | null;
  host: string | null;
  start: string | null;
}

export interface MailAddress {
  name: string | null;
  address: string;
}

export interface Recipient extends MailAddress {
  kind: "to" | "cc";
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  fileHash: string;
}

/** A message as stored in the outbox. */
export interface OutboxMessage {
  id: number;
  messageId: string;
  caseId: number | null;
  diaryNumber: string | null;
  template: string;
  from: MailAddress;
  recipients: Recipient[];
  subject: string;
  body: string;
  status: OutboxStatus;
  /** Tries in which the message reached the server, or may have (all runs together). */
  attempts: number;
  lastError: string | null;
  /** Addresses the server has accepted; a retry never goes to them again. */
  deliveredTo: string[];
  createdAt: string;
  createdBy: string;
  lastAttemptAt: string | null;
  sentAt: string | null;
  failedAt: string | null;
  transport: string | null;
  response: string | null;
  attachments: OutboxAttachment[];
}

/** One delivery attempt as the transport reported it (see `recordAttempt`). */
export interface AttemptRecord {
  accepted: string[];
  error: string | null;
  transport: string;
  response: string | null;
  /** False when the message never reached the server (it could not be reached): not an attempt. Default true. */
  counted?: boolean;
  /** The server refused for good (5xx): the message fails at once. */
  permanent?: boolean;
  /** The message fails when its attempts reach this number without being accepted. */
  maxAttempts?: number;
}

export interface NewOutboxMessage {
  messageId: string;
  caseId: number | null;
  template: string;
  from: MailAddress;
  recipients: Recipient[];
  subject: string;
  body: string;
  attachments: OutboxAttachment[];
}

interface Row {
  id: number;
  message_id: string;
  case_id: number | null;
  diary_number: string | null;
  template: string;
  sender: string;
  recipients: string;
  subject: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  delivered_to: string;
  created_at: string;
  created_by: string;
  last_attempt_at: string | null;
  sent_at: string | null;
  failed_at: string | null;
  transport: string | null;
  response: string | null;
}

const SELECT = `SELECT o.*, c.diary_number FROM outbox o LEFT JOIN cases c ON c.id = o.case_id`;

/** The outbox's storage. Every method that changes something must be called inside `store.write`. */
export class OutboxRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
  ) {}

  /** Stores a message as queued; returns its id. */
  async add(m: NewOutboxMessage): Promise<number> {
    const info = (await this.db.run(`INSERT INTO outbox (message_id, case_id, template, sender, recipients, subject, body, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, [m.messageId, m.caseId, m.template, JSON.stringify(m.from), JSON.stringify(m.recipients), m.subject, m.body, this.clock.now, this.clock.actor.user]));
    const id = info.lastId!;
    for (const [i, a] of m.attachments.entries()) {
      await this.db.run("INSERT INTO outbox_attachments (outbox_id, seq, filename, content_type, file_hash) VALUES (?, ?, ?, ?, ?)", [id, i + 1, a.filename, a.contentType, a.fileHash]);
    }
    return id;
  }

  async get(id: number): Promise<OutboxMessage> {
    const r = (await this.db.get(`${SELECT} WHERE o.id = ?`, [id])) as Row | undefined;
    if (!r) throw new NotFoundError("mail.error.messageNotFound", { id });
    return this.toMessage(r, (await this.attachmentsOf([id])).get(id) ?? []);
  }

  async list(filter: { status?: OutboxStatus; caseId?: number; ids?: number[] } = {}): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push("o.status = ?");
      params.push(filter.status);
    }
    if (filter.caseId !== undefined) {
      where.push("o.case_id = ?");
      params.push(filter.caseId);
    }
    if (filter.ids) {
      if (filter.ids.length === 0) return [];
      where.push(`o.id IN (${filter.ids.map(() => "?").join(",")})`);
      params.push(...filter.ids);
    }
    const rows = (await this.db.all(`${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY o.id`, params)) as Row[];
    const attachments = rows.length ? await this.attachmentsOf(rows.map((r) => r.id)) : new Map<number, OutboxAttachment[]>();
    return rows.map((r) => this.toMessage(r, attachments.get(r.id) ?? []));
  }

  async counts(): Promise<{ queued: number; sent: number; failed: number }> {
    const rows = (await this.db.all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")) as Array<{ status: OutboxStatus; n: number }>;
    const out = { queued: 0, sent: 0, failed: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Messages "sent" only as .eml files (no mail server was set up when they were delivered): nothing left. */
  async savedAsFiles(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent' AND transport = 'file'"))!.n;
  }

  /**
   * Claims queued messages for one delivery run, so that two runs at once never send the same message. A
   * message is taken when nobody holds it, when its holder is known to be gone (the process died, e.g. killed),
   * or when its holder cannot be looked at (another host) and the lease has run out. A holder that runs keeps its
   * messages however long it takes. Call inside `store.write`.
   *
   * On PostgreSQL, for a holder on another host: its run holds a session-level advisory lock named by its token
   * (`holdClaims`) for as long as its connection lives, so a holder whose lock can be taken is gone (its process
   * or host died, its connection ended); one whose lock is held keeps its messages while its lease (kept fresh by
   * `renew`, on the server's clock) lasts. Rows that a session outside the tool has locked are skipped, not waited
   * for (`FOR UPDATE SKIP LOCKED`).
   */
  async claim(token: string, holder: ClaimHolder & { until: string }, stateOf: (h: ClaimHolder) => "gone" | "alive" | "unknown", ids?: number[]): Promise<number[]> {
    const params: unknown[] = [];
    let extra = "";
    if (ids) {
      if (ids.length === 0) return [];
      extra = ` AND id IN (${ids.map(() => "?").join(",")})`;
      params.push(...ids);
    }
    const postgres = this.db.engine === "postgres";
    const rows = (await this.db.all(`SELECT id, claimed_by, claimed_until, claim_pid, claim_host, claim_start FROM outbox WHERE status = 'queued'${extra} ORDER BY id${postgres ? " FOR UPDATE SKIP LOCKED" : ""}`, params)) as Array<{ id: number; claimed_by: string | null; claimed_until: string | null; claim_pid: number | null; claim_host: string | null; claim_start: string | null }>;
    const now = postgres ? (await this.leaseTimes(0)).now : this.clock.now;
    const states = new Map<string, "gone" | "alive" | "unknown">();
    const free: typeof rows = [];
    for (const r of rows) {
      if (r.claimed_by === null) {
        free.push(r);
        continue;
      }
      const key = `${r.claimed_by}\u0000${r.claim_host}\u0000${r.claim_pid}\u0000${r.claim_start}`;
      let state = states.get(key);
      if (state === undefined) {
        state = stateOf({ pid: r.claim_pid, host: r.claim_host, start: r.claim_start });
        if (state === "unknown" && postgres && (await this.holderSessionGone(r.claimed_by))) state = "gone";
        states.set(key, state);
      }
      if (state === "unknown" ? r.claimed_until === null || (postgres ? Date.parse(r.claimed_until) < Date.parse(now) : r.claimed_until < now) : state === "gone") free.push(r);
    }
    for (const r of free) {
      await this.db.run("UPDATE outbox SET claimed_by = ?, claimed_until = ?, claim_pid = ?, claim_host = ?, claim_start = ? WHERE id = ?", [token, holder.until, holder.pid, holder.host, holder.start, r.id]);
    }
    return free.map((r) => r.id);
  }

  /**
   * The moment now and the end of a lease of `ms` from now, as `claimed_until` holds them: the run's clock on
   * SQLite (one host); on PostgreSQL the server's clock, the one clock every host sharing the register agrees on.
   */
  async leaseTimes(ms: number): Promise<{ now: string; until: string }> {
    if (this.db.engine !== "postgres") return { now: this.clock.now, until: localTimestamp(new Date(this.clock.actor.now.getTime() + ms)) };
    const utc = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    return (await this.db.get<{ now: string; until: string }>(`SELECT ${utc("clock_timestamp()")} AS now, ${utc("clock_timestamp() + make_interval(secs => ?)")} AS until`, [ms / 1000]))!;
  }

  /**
   * PostgreSQL: takes the session-level advisory lock that says this run (`token`) still holds its claims. It
   * lasts as long as this connection: when the process or its host dies, the server ends the session and
   * the lock with it. Call outside a transaction, before `claim`.
   */
  async holdClaims(token: string): Promise<void> {
    if (this.db.engine !== "postgres") return;
    // Taken again by the executor when it has to connect anew (the claims are checked before each send).
    await (this.db as PostgresSql).sessionLock(CLAIM_LOCK, claimLockKey(token));
  }

  /** Gives up the lock of `holdClaims` (after `release`). */
  async unholdClaims(token: string): Promise<void> {
    if (this.db.engine !== "postgres") return;
    await (this.db as PostgresSql).sessionUnlock(CLAIM_LOCK, claimLockKey(token));
  }

  /** PostgreSQL: whether the run that claimed with `token` has no session any more (its lock is free). */
  private async holderSessionGone(token: string): Promise<boolean> {
    // Transaction-level: given back when the claim commits.
    return (await this.db.get<{ free: boolean }>(`SELECT pg_try_advisory_xact_lock(${CLAIM_LOCK}, ?) AS free`, [claimLockKey(token)]))!.free;
  }

  /** Extends the lease of what a run still holds (`until` from `leaseTimes`); returns how many it holds. */
  async renew(token: string, until: string): Promise<number> {
    return (await this.db.run("UPDATE outbox SET claimed_until = ? WHERE claimed_by = ? AND status = 'queued'", [until, token])).changes;
  }

  /** Whether the run `token` still holds message `id` (a run on another host may have taken it over). */
  async stillClaimed(id: number, token: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS held FROM outbox WHERE id = ? AND claimed_by = ?", [id, token])) !== undefined;
  }

  /** Queued messages another run holds, per holder (for "being sent by another run"). */
  async heldByOthers(token: string): Promise<Array<ClaimHolder & { count: number }>> {
    return (
      (await this.db.all(`SELECT claim_pid, claim_host, claim_start, COUNT(*) AS n FROM outbox
           WHERE status = 'queued' AND claimed_by IS NOT NULL AND claimed_by <> ?
           GROUP BY claim_pid, claim_host, claim_start ORDER BY MIN(id)`, [token])) as Array<{ claim_pid: number | null; claim_host: string | null; claim_start: string | null; n: number }>
    ).map((r) => ({ pid: r.claim_pid, host: r.claim_host, start: r.claim_start, count: r.n }));
  }

  /** Gives back whatever a run still holds. */
  async release(token: string): Promise<void> {
    await this.db.run("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, claim_pid = NULL, claim_host = NULL, claim_start = NULL WHERE claimed_by = ?", [token]);
  }

  /**
   * Puts a failed message back in the queue with its attempts reset (`avvik outbox retry`); audited. Returns the
   * message as it was before, or throws when it has not failed.
   */
  async retry(id: number): Promise<OutboxMessage> {
    const before = await this.get(id);
    if (before.status !== "failed") throw new RefusedError("mail.error.retryNotFailed", { id, status: before.status });
    await this.db.run("UPDATE outbox SET status = 'queued', attempts = 0, failed_at = NULL, last_error = NULL WHERE id = ? AND status = 'failed'", [id]);
    await this.audit.record("mail.retry", before.caseId, { message: id, attempts: before.attempts, error: before.lastError });
    return before;
  }

  /**
   * Records one delivery attempt: the addresses the server accepted (added to those already delivered), and
   * the error, if any. The message becomes `sent` only when every recipient has been accepted; `failed` when the
   * server refused for good or the attempts reach `maxAttempts`; else it stays `queued`.
   */
  async recordAttempt(id: number, a: AttemptRecord, current?: OutboxMessage): Promise<OutboxMessage> {
    const m = current ?? (await this.get(id));
    const delivered = new Set(m.deliveredTo.map((x) => x.toLowerCase()));
    for (const x of a.accepted) delivered.add(x.toLowerCase());
    const all = m.recipients.every((r) => delivered.has(r.address.toLowerCase()));
    const attempts = m.attempts + (a.counted === false ? 0 : 1);
    const exhausted = a.maxAttempts !== undefined && attempts >= a.maxAttempts;
    const status: OutboxStatus = all ? "sent" : a.permanent || exhausted ? "failed" : "queued";
    const deliveredTo = [...delivered];
    const error = all ? null : a.error;
    (await this.db.run(`UPDATE outbox SET attempts = ?, delivered_to = ?, last_error = ?, status = ?, last_attempt_at = ?,
              transport = ?, response = COALESCE(?, response), sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
              failed_at = CASE WHEN ? = 'failed' THEN ? ELSE NULL END
       WHERE id = ?`, [attempts, JSON.stringify(deliveredTo), error, status, this.clock.now, a.transport, a.response, status, this.clock.now, status, this.clock.now, id]));
    return {
      ...m,
      status,
      attempts,
      deliveredTo,
      lastError: error,
      lastAttemptAt: this.clock.now,
      transport: a.transport,
      response: a.response ?? m.response,
      sentAt: status === "sent" ? this.clock.now : m.sentAt,
      failedAt: status === "failed" ? this.clock.now : null,
    };
  }

  /** Notes why a message was not tried in a run (the server was unreachable), without counting an attempt. */
  async noteError(id: number, error: string): Promise<void> {
    await this.db.run("UPDATE outbox SET last_error = ? WHERE id = ? AND status = 'queued'", [error, id]);
  }

  private async attachmentsOf(ids: number[]): Promise<Map<number, OutboxAttachment[]>> {
    const map = new Map<number, OutboxAttachment[]>();
    const rows = (ids.length === 1
      ? (await this.db.all("SELECT * FROM outbox_attachments WHERE outbox_id = ? ORDER BY seq", [ids[0]]))
      : (await this.db.all(`SELECT * FROM outbox_attachments WHERE outbox_id IN (${ids.map(() => "?").join(",")}) ORDER BY outbox_id, seq`, ids))) as Array<{ outbox_id: number; filename: string; content_type: string; file_hash: string }>;
    for (const r of rows) {
      const list = map.get(r.outbox_id) ?? [];
      list.push({ filename: r.filename, contentType: r.content_type, fileHash: r.file_hash });
      map.set(r.outbox_id, list);
    }
    return map;
  }

  private toMessage(r: Row, attachments: OutboxAttachment[]): OutboxMessage {
    return {
      id: r.id,
      messageId: r.message_id,
      caseId: r.case_id,
      diaryNumber: r.diary_number,
      template: r.template,
      from: JSON.parse(r.sender) as MailAddress,
      recipients: JSON.parse(r.recipients) as Recipient[],
      subject: r.subject,
      body: r.body,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      deliveredTo: JSON.parse(r.delivered_to) as string[],
      createdAt: r.created_at,
      createdBy: r.created_by,
      lastAttemptAt: r.last_attempt_at,
      sentAt: r.sent_at,
      failedAt: r.failed_at,
      transport: r.transport,
      response: r.response,
      attachments,
    };
  }
}
