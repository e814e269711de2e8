// 1,000 queued messages flushed to an SMTP server on loopback (goal: ≥ 200 messages/s), and the same number
// written as .eml files without a server. Prints figures; asserts nothing. Run: npm run bench -- mail
// The server runs in its own process (as a real one would), so that it does not share the sender's event loop.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";
import { draftMessage, queue } from "../dist/mail/compose.js";
import { parseSmtpUrl } from "../dist/mail/config.js";
import { flushOutbox } from "../dist/mail/deliver.js";
import { Store } from "../dist/store/store.js";

const N = Number(process.env.BENCH_MESSAGES ?? 1000);

function server() {
  let received = 0;
  const s = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    closeTimeout: 500,
    onData(stream, _session, cb) {
      stream.on("data", () => {});
      stream.on("end", () => {
        received++;
        cb(null, "OK");
      });
    },
  });
  s.listen(0, "127.0.0.1", () => process.send({ port: s.server.address().port }));
  process.on("message", (m) => {
    if (m === "count") process.send({ received });
    if (m === "stop") {
      for (const c of s.connections) c.close();
      s.close(() => process.exit(0));
    }
  });
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), "avvik-bench-mail-"));
  const store = await Store.create({ home, actor: { user: "bench", now: new Date("2026-03-10T09:00:00") } });
  await store.write(async () => {
    await store.settings.set("org_id", "linkoping");
    await store.settings.set("diary_format", "{year}-{seq:6}");
    await store.settings.set("deadline_months", "3");
    await store.orgs.add({ id: "linkoping", name: "Linköpings kommun", kind: "municipality" }, true);
    await store.orgs.add({ id: "ryd", name: "Hemtjänsten Ryd", kind: "municipality", parentId: "linkoping" });
    await store.orgs.add({ id: "region", name: "Region Östergötland", kind: "region", deadlineMonths: 3 });
    await store.contacts.add({ orgId: "linkoping", role: "registrar", name: "Registrator", email: "registrator@linkoping.example" });
    await store.contacts.add({ orgId: "ryd", role: "manager", name: "Sara Nilsson", email: "sara@linkoping.example" });
    await store.contacts.add({ orgId: "linkoping", role: "ma", name: "Lena Berg", email: "ma@linkoping.example" });
  });
  const caseId = await store.write(async () =>
    await store.cases.create(
      {
        direction: "in", counterpartId: "region", unitId: "ryd", eventDate: "2026-02-20", discoveredDate: "2026-02-21",
        receivedDate: "2026-03-05", kind: "risk", area: "information", summary: "Ofullständig överrapportering vid hemgång",
        description: null, refs: [], persons: [{ digits: "191212121212", name: "Tolvan Tolvansson" }],
      },
      { direction: "in", subject: "Avvikelse i samverkan inkommen", party: "Region Östergötland" },
    ),
  );
  const queueMany = async (n) => {
    const t0 = performance.now();
    for (let done = 0; done < n; done += 100) {
      await store.write(async () => {
        for (let i = done; i < Math.min(n, done + 100); i++) {
          const to = [{ name: "Sara Nilsson", address: "sara@linkoping.example" }];
          const cc = [{ name: "Lena Berg", address: "ma@linkoping.example" }];
          await queue(store, await draftMessage(store, { caseId, template: i % 2 ? "arrived" : "reminder", to, cc }));
        }
      });
    }
    return performance.now() - t0;
  };

  const child = fork(fileURLToPath(import.meta.url), ["server"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise((r) => child.once("message", (m) => r(m.port)));
  const smtp = parseSmtpUrl(`smtp://127.0.0.1:${port}`);
  const received = () =>
    new Promise((r) => {
      child.once("message", (m) => r(m.received));
      child.send("count");
    });
  const options = { from: null, autoNotify: true, retries: 3, retryDelayMs: 200, connections: 4, timeoutSeconds: 30 };
  const rate = (n, ms) => `${((n / ms) * 1000).toFixed(0)} messages/s`;
  // CPU time of this process as well: the machine may be shared, and wall time then says more about the others.
  let cpu0 = process.cpuUsage();
  const cpu = () => {
    const d = process.cpuUsage(cpu0);
    cpu0 = process.cpuUsage();
    return `, sender CPU ${((d.user + d.system) / 1000).toFixed(0)} ms`;
  };
  try {
    cpu();
    const qms = await queueMany(N);
    console.log(`queue ${N} (render, guard, store, audit):    ${qms.toFixed(0)} ms  (${rate(N, qms)}${cpu()})`);
    const four = await flushOutbox(store, { smtp, options });
    const c4 = cpu();
    console.log(`flush ${N} to loopback SMTP, 4 connections: ${four.elapsedMs.toFixed(0)} ms  (${rate(four.sent, four.elapsedMs)}${c4}); sent ${four.sent}, server received ${await received()}; goal ≥ 200 messages/s`);
    await queueMany(N);
    cpu();
    const one = await flushOutbox(store, { smtp, options: { ...options, connections: 1 } });
    console.log(`flush ${N} to loopback SMTP, 1 connection:  ${one.elapsedMs.toFixed(0)} ms  (${rate(one.sent, one.elapsedMs)}${cpu()})`);
    await queueMany(N);
    cpu();
    const files = await flushOutbox(store, { smtp: null, options });
    console.log(`flush ${N} as .eml files (no server):       ${files.elapsedMs.toFixed(0)} ms  (${rate(files.sent, files.elapsedMs)}${cpu()})`);
    // Reference: nodemailer alone to the same server, without the outbox (no database, no guard).
    const nodemailer = (await import("nodemailer")).default;
    const t = nodemailer.createTransport({ pool: true, maxConnections: 4, maxMessages: Infinity, host: "127.0.0.1", port });
    const msg = (await store.outbox.list({ status: "sent" }))[0];
    const t0 = performance.now();
    cpu();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < N) {
          next++;
          await t.sendMail({ from: msg.from, to: "sara@linkoping.example", cc: "ma@linkoping.example", subject: msg.subject, text: msg.body, messageId: `<ref-${next}@bench.example>` });
        }
      }),
    );
    const ref = performance.now() - t0;
    t.close();
    console.log(`reference: nodemailer alone, 4 connections:  ${ref.toFixed(0)} ms  (${rate(N, ref)}${cpu()})`);
    console.log(`load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} CPUs`);
  } finally {
    store.close();
    child.send("stop");
    await new Promise((r) => child.once("exit", r));
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === "server") server();
else await main();
