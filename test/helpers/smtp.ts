// A real SMTP server on loopback for tests (smtp-server, as nodemailer's own tests use it), recording what it
// accepted, parsed with mailparser. It can refuse chosen recipients, drop the connection during DATA, require a
// login, answer late after DATA (or not until released), and refuse every message at the end of DATA. Each
// received message records its connection and its place there, so that a test can tell which messages were the
// last of their connection. Connections are closed before the server.

import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  mail: ParsedMail;
  /** The connection (smtp-server session id) and the message's number on it (1 = its first MAIL FROM). */
  session: string;
  seq: number;
}

export class TestSmtp {
  received: Received[] = [];
  /** Addresses (lower case) refused at RCPT TO with 550. */
  refuse = new Set<string>();
  /** How many of the next messages get their connection dropped at the end of DATA (never accepted). */
  dropNext = 0;
  /** user → password; when set, a login is required. */
  users: Record<string, string> | null = null;
  /**
   * Milliseconds between the end of DATA and the answer. The message counts as received when its data is
   * complete, before the answer: a server may deliver a message whose answer the client never reads.
   */
  answerDelayMs = 0;
  /** When set, the answer after DATA waits until `release()` (the message is received meanwhile). */
  holdAnswers = false;
  /** When set, so does the answer to the message received as number `holdFrom` (1 = the first) and later ones. */
  holdFrom: number | null = null;
  /** When set, every message is refused at the end of DATA with this reply (e.g. 554); it is not received. */
  refuseData: { code: number; message: string } | null = null;
  /** Messages refused at the end of DATA, by Message-ID. */
  refused: string[] = [];
  /** Connections (session ids) in the order they were opened. */
  sessions: string[] = [];
  /** MAIL FROM commands per connection. */
  transactions = new Map<string, number>();
  port = 0;
  private server: SMTPServer | null = null;
  private held: Array<() => void> = [];
  private waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];
  /** Connections open now, and messages whose data is complete but not yet parsed and recorded. */
  private open = new Set<string>();
  private parsing = 0;

  async start(port = 0): Promise<this> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: this.users ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
      authOptional: this.users === null,
      allowInsecureAuth: true,
      closeTimeout: 500,
      onAuth: (auth, _session, cb) => {
        if (this.users && this.users[auth.username ?? ""] === auth.password) return cb(null, { user: auth.username });
        cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
      },
      onConnect: (session, cb) => {
        this.open.add(session.id);
        this.sessions.push(session.id);
        cb();
      },
      onClose: (session) => {
        this.open.delete(session.id);
        this.wake();
      },
      onMailFrom: (_address, session, cb) => {
        this.transactions.set(session.id, (this.transactions.get(session.id) ?? 0) + 1);
        cb();
      },
      onRcptTo: (address, _session, cb) => {
        if (this.refuse.has(address.address.toLowerCase())) return cb(Object.assign(new Error("5.1.1 Mottagaren finns inte"), { responseCode: 550 }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          if (this.dropNext > 0) {
            this.dropNext--;
            for (const c of server.connections) if (c.id === session.id) c._socket.destroy();
            return;
          }
          const raw = Buffer.concat(chunks);
          const seq = this.transactions.get(session.id) ?? 0;
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
          const to = session.envelope.rcptTo.map((r) => r.address);
          this.parsing++;
          simpleParser(raw)
            .finally(() => {
              this.parsing--;
              this.wake();
            })
            .then((mail) => {
              if (this.refuseData) {
                this.refused.push(mail.messageId ?? "");
                return cb(Object.assign(new Error(this.refuseData.message), { responseCode: this.refuseData.code }));
              }
              this.received.push({ from, to, raw, mail, session: session.id, seq });
              this.wake();
              const answer = () => cb(null, "OK: queued");
              if (this.holdAnswers || (this.holdFrom !== null && this.received.length >= this.holdFrom)) this.held.push(answer);
              else if (this.answerDelayMs > 0) setTimeout(answer, this.answerDelayMs);
              else answer();
            })
            .catch((err: Error) => cb(err));
        });
      },
    });
    this.server = server;
    // A late answer to a client that has gone (timed out, killed) is written to a closed socket.
    server.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Answers every held message (see holdAnswers) and stops holding. */
  release(): void {
    this.holdAnswers = false;
    this.holdFrom = null;
    for (const answer of this.held.splice(0)) answer();
  }

  /** Resolves once `n` messages have been received in all. */
  waitForReceived(n: number): Promise<void> {
    return this.until(() => this.received.length >= n);
  }

  /**
   * Resolves once no connection is open and every message whose data arrived is recorded: after a client was
   * killed, what it had written to the socket before it died has then been read.
   */
  settled(): Promise<void> {
    return this.until(() => this.open.size === 0 && this.parsing === 0);
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => (w.ready() ? (w.resolve(), false) : true));
  }

  /** How many copies of each Message-ID arrived. */
  copies(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.received) out.set(r.mail.messageId ?? "", (out.get(r.mail.messageId ?? "") ?? 0) + 1);
    return out;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.release();
    for (const c of server.connections) c.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages received with this Message-ID, counted per envelope recipient. */
  deliveriesTo(messageId: string): string[] {
    return this.received.filter((r) => r.mail.messageId === messageId).flatMap((r) => r.to.map((t) => t.toLowerCase()));
  }
}

/** A port where nothing listens (taken from the system, then closed). */
export async function freePort(): Promise<number> {
  const s = await new TestSmtp().start();
  const port = s.port;
  await s.stop();
  return port;
}
