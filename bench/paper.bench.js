// Paper: packets per second for 1,000 cases in one process, and `reply inbox` over 500 replies.
// Prints figures, asserts nothing. Run: npm run bench -- paper
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store } from "../dist/store/store.js";
import { issuePacket, packetDocument } from "../dist/documents/packet.js";
import { caseModel } from "../dist/documents/model.js";
import { OutputFile } from "../dist/store/outputFile.js";
import { attachReply } from "../dist/documents/reply.js";
import { ReferenceMatcher } from "../dist/core/matching.js";
import { handPdf } from "../fixtures/replies/hand-pdf.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "avvik.cjs");
const CASES = 1000;
const REPLIES = 500;
const NOW = "2026-03-10T09:00:00";

const tmp = mkdtempSync(join(tmpdir(), "avvik-bench-paper-"));
const home = join(tmp, "data");
const env = { ...process.env, AVVIK_HOME: home, AVVIK_NOW: NOW, AVVIK_USER: "bench", NO_COLOR: "1", TZ: process.env.TZ ?? "Europe/Stockholm" };
const cli = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", cwd: tmp });
  if (r.status !== 0 && !args.includes("inbox")) throw new Error(`avvik ${args.join(" ")}: ${r.stderr}`);
  return r;
};

try {
  cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
  cli(["org", "import", "ostergotland"]);

  const store = await Store.open({ home, actor: { user: "bench", now: new Date(NOW) } });
  const ids = await store.write(async () => {
    const out = [];
    for (let i = 0; i < CASES; i++) {
      out.push(
        await store.cases.create(
          {
            direction: "out", counterpartId: "region-ostergotland", unitId: "ro-ps-oster", eventDate: "2026-03-01", discoveredDate: "2026-03-02",
            receivedDate: null, kind: "tillbud", area: "lakemedel", summary: `Utskriven utan läkemedelslista (${i})`, description: null,
            refs: [{ system: "synergi", id: String(40000 + i) }], persons: [],
          },
          { direction: "out", subject: "Avvikelse i samverkan till annan vårdgivare", party: "Region Östergötland" },
        ),
      );
    }
    return out;
  });

  // Packets: render, write, keep a copy, diarise, move to `sent` — one case after the other, in one process.
  const packets = join(tmp, "packets");
  mkdirSync(packets);
  const output = (diaryNumber) => OutputFile.prepare(join(packets, `${diaryNumber}.pdf`), { data: { home }, flag: "-o", cwd: tmp });
  await issuePacket(store, ids[0], { withPersonalData: false }, output); // warm-up (loads pdfkit)
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  for (const id of ids.slice(1)) bytes += (await issuePacket(store, id, { withPersonalData: false }, output)).pdf.length;
  const packetSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const packetCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const numbers = await Promise.all(ids.slice(0, REPLIES).map((id) => store.cases.label(id)));
  const others = await Promise.all(ids.slice(REPLIES, 2 * REPLIES).map((id) => store.cases.label(id)));
  console.log(`packets: ${CASES - 1} in ${packetSeconds.toFixed(2)} s = ${((CASES - 1) / packetSeconds).toFixed(0)} packets/s (goal ≥ 200), ${(bytes / (CASES - 1) / 1024).toFixed(1)} KiB each`);
  console.log(`packets by CPU time of this process: ${packetCpuSeconds.toFixed(2)} s = ${((CASES - 1) / packetCpuSeconds).toFixed(0)} packets/s per core (load average now ${(await import("node:os")).loadavg()[0].toFixed(1)})`);

  // Rendering alone (the case read, the PDF made in memory: no file, no register), to tell it from the writes.
  const cpu1 = process.cpuUsage();
  const t1r = performance.now();
  for (const id of ids.slice(1)) await packetDocument(await caseModel(store, id, { withPersonalData: false }), store.actor.now);
  const renderSeconds = (performance.now() - t1r) / 1000;
  const rc = process.cpuUsage(cpu1);
  console.log(`rendering alone: ${((CASES - 1) / renderSeconds).toFixed(0)} packets/s wall, ${((1000 * (rc.user + rc.system)) / 1e6 / (CASES - 1)).toFixed(2)} ms CPU each = ${((CASES - 1) / ((rc.user + rc.system) / 1e6)).toFixed(0)} packets/s per core`);

  // Replies: 500 PDFs from another writer (hand-written PDF, text layer) naming our diary numbers.
  const inbox = join(tmp, "inbox");
  mkdirSync(inbox);
  numbers.forEach((n, i) => writeFileSync(join(inbox, `svar-${String(i).padStart(4, "0")}.pdf`), handPdf(["Svar på avvikelse i samverkan", `Ert dnr: ${n}`, `Orsaker och åtgärder för ärende ${i}.`])));
  const t1 = performance.now();
  const r = cli(["reply", "inbox", inbox, "--json"]);
  const replySeconds = (performance.now() - t1) / 1000;
  const report = JSON.parse(r.stdout);
  const done = readdirSync(join(inbox, "done")).length;
  // The same work in this process (no start-up), by the wall clock and by CPU time, on the other 500 cases.
  const matcher = new ReferenceMatcher(await store.diary.template());
  const replies = others.map((n, i) => handPdf(["Återkoppling", `Er beteckning ${n}`, `Synergi nr ${40000 + REPLIES + i}`]));
  await attachReply(store, handPdf(["x", `Ert dnr ${others[0]}`]), { matcher }).catch(() => {}); // warm-up (loads pdf-parse)
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  let matched = 0;
  for (const data of replies) if ((await attachReply(store, data, { matcher })).caseId) matched++;
  const inSeconds = (performance.now() - t2) / 1000;
  const c2 = process.cpuUsage(cpu2);
  store.close();
  console.log(`attach in one process: ${matched} replies in ${inSeconds.toFixed(2)} s = ${(matched / inSeconds).toFixed(0)} replies/s; by CPU time ${(matched / ((c2.user + c2.system) / 1e6)).toFixed(0)} replies/s per core`);
  console.log(`reply inbox: ${REPLIES} replies in ${replySeconds.toFixed(2)} s (one process, start-up included) = ${(REPLIES / replySeconds).toFixed(0)} replies/s (goal ≥ 50); attached ${report.attached}, left ${report.left}, moved ${done}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

