// E-mail sent more than once (issue 12), measured with the built CLI against an SMTP server on loopback:
// 1. duplicates per killed flush: `avvik outbox flush` killed with SIGKILL at a random point while it sends
//    BENCH_KILL_MESSAGES (200) messages over 4 connections, then flushed again; BENCH_KILL_TRIALS (20) trials;
//    BENCH_ANSWER_DELAY_MS (0) between the end of the data and the server's 250;
// 2. copies per message from a server that answers after the client's timeout (timeoutSeconds 1: the client
//    waits 2 s; the server answers after 3 s), over 5 flushes, retries 3.
// BENCH_NEXT_LATER=1 runs the flush after a kill 16 minutes later by AVVIK_NOW (for a build from before the
// claims named their process, whose dead claims lapsed only after 15 minutes).
// Prints figures; asserts nothing. Run: npm run bench -- outbox-safety
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";
import { draftMessage, queue } from "../dist/mail/compose.js";
import { Store } from "../dist/store/store.js";

const BIN = fileURLToPath(new URL("../bin/avvik.cjs", import.meta.url));
const TRIALS = Number(process.env.BENCH_KILL_TRIALS ?? 20);
const MESSAGES = Number(process.env.BENCH_KILL_MESSAGES ?? 200);
const ANSWER_DELAY = Number(process.env.BENCH_ANSWER_DELAY_MS ?? 0);

function startServer(answerDelayMs) {
  const received = [];
  let waiters = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    closeTimeout: 200,
    onData(stream, _session, cb) {
      let head = "";
      stream.on("data", (c) => {
        if (head.length < 4096) head += c.toString("latin1");
      });
      stream.on("end", () => {
        received.push(/^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? "?");
        waiters = waiters.filter((w) => (received.length >= w.n ? (w.resolve(), false) : true));
        if (answerDelayMs > 0) setTimeout(() => cb(null, "OK"), answerDelayMs);
        else cb(null, "OK");
      });
    },
  });
  server.on("error", () => {});
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `smtp://127.0.0.1:${server.server.address().port}`,
        received,
        waitFor: (n) => (received.length >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r }))),
        stop: () => new Promise((r) => {
          for (const c of server.connections) c.close();
          server.close(() => r());
        }),
      }),
    ),
  );
}

function register(mail) {
  const root = mkdtempSync(join(tmpdir(), "avvik-bench-outbox-"));
  const env = { ...process.env, AVVIK_HOME: join(root, "data"), AVVIK_USER: "bench", AVVIK_NOW: "2026-03-10T09:00:00", NO_COLOR: "1", TZ: "Europe/Stockholm" };
  const run = (args) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`avvik ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  run(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
  run(["org", "import", "ostergotland"]);
  run([
    "case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd",
    "--event-date", "2026-02-20", "--discovered-date", "2026-02-21", "--received-date", "2026-03-05",
    "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering vid hemgång", "--no-notify",
  ]);
  writeFileSync(join(env.AVVIK_HOME, "config.json"), JSON.stringify({ mail: { connections: 4, retryDelayMs: 10, ...mail } }));
  const queueMessages = async (n) => {
    const store = await Store.open({ home: env.AVVIK_HOME, actor: { user: "bench", now: new Date("2026-03-10T09:00:00") } });
    try {
      return await store.write(async () => {
        const ids = [];
        for (let i = 0; i < n; i++) ids.push((await queue(store, await draftMessage(store, { caseId: 1, template: "reminder", to: [{ name: "Sara Nilsson", address: "sara.nilsson@linkoping.example" }] }))).messageId);
        return ids;
      });
    } finally {
      store.close();
    }
  };
  const flush = (url, extra = {}) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, "outbox", "flush", "--json"], { env: { ...env, AVVIK_SMTP_URL: url, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const done = new Promise((r) => child.on("close", (code, signal) => r({ code, signal, out })));
      resolve({ child, done });
    });
  return { root, queueMessages, flush, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

async function killTrials() {
  const server = await startServer(ANSWER_DELAY);
  const reg = register({});
  const perTrial = [];
  try {
    for (let t = 0; t < TRIALS; t++) {
      const ids = await reg.queueMessages(MESSAGES);
      const base = server.received.length;
      const killAfter = 1 + Math.floor(Math.random() * (MESSAGES - 20));
      const { child, done } = await reg.flush(server.url);
      await Promise.race([server.waitFor(base + killAfter), done]);
      child.kill("SIGKILL");
      const killed = await done;
      const next = await (await reg.flush(server.url, process.env.BENCH_NEXT_LATER ? { AVVIK_NOW: "2026-03-10T09:16:00" } : {})).done;
      const copies = new Map();
      for (const id of server.received.slice(base)) copies.set(id, (copies.get(id) ?? 0) + 1);
      const doubled = ids.filter((id) => (copies.get(id) ?? 0) > 1).length;
      const missing = ids.filter((id) => !copies.has(id)).length;
      const left = next.out ? JSON.parse(next.out).sent : NaN;
      perTrial.push(doubled);
      console.log(`trial ${String(t + 1).padStart(2)}: killed after ${killAfter} received (${killed.signal ?? `exit ${killed.code}`}); next flush sent ${left} at once; ${doubled} doubled, ${missing} missing`);
    }
  } finally {
    reg.cleanup();
    await server.stop();
  }
  const mean = perTrial.reduce((a, b) => a + b, 0) / perTrial.length;
  console.log(`duplicates per killed flush over ${TRIALS} trials (${MESSAGES} messages, 4 connections, answer delay ${ANSWER_DELAY} ms): mean ${mean.toFixed(2)}, max ${Math.max(...perTrial)}, distribution ${JSON.stringify(perTrial)}`);
}

async function slowServer() {
  const server = await startServer(3000);
  const reg = register({ timeoutSeconds: 1, retries: 3 });
  try {
    const ids = await reg.queueMessages(8);
    const started = performance.now();
    for (let i = 0; i < 5; i++) await (await reg.flush(server.url)).done;
    const copies = ids.map((id) => server.received.filter((x) => x === id).length);
    console.log(`slow server (answers after 3 s, client waits 2 s), 8 messages, 5 flushes, retries 3: copies per message ${JSON.stringify(copies)}, ${copies.reduce((a, b) => a + b, 0)} copies in all (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    reg.cleanup();
    await server.stop();
  }
}

console.log(`${cpus().length} cores, load ${loadavg()[0].toFixed(2)}, Node ${process.version}`);
await killTrials();
await slowServer();
