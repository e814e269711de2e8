// A real SMTP server on loopback for tests (smtp-server, as nodemailer's own tests use it), recording what it
// accepted, parsed with mailparser. It can refuse chosen recipients, drop the connection during DATA, and
// require a login. Connections are closed before the server.

import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  mail: ParsedMail;
}

export class TestSmtp {
  received: Received[] = [];
  /** Addresses (lower case) refused at RCPT TO with 550. */
  refuse = new Set<string>();
  /** How many of the next messages get their connection dropped at the end of DATA (never accepted). */
  dropNext = 0;
  /** user → password; when set, a login is required. */
  users: Record<string, string> | null = null;
  port = 0;
  private server: SMTPServer | null = null;

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
          simpleParser(raw)
            .then((mail) => {
              this.received.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                to: session.envelope.rcptTo.map((r) => r.address),
                raw,
                mail,
              });
              cb(null, "OK: queued");
            })
            .catch((err: Error) => cb(err));
        });
      },
    });
    this.server = server;
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

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
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
