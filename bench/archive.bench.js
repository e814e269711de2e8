// The e-archive: `archive export` of 1,000 closed cases, each with its packet (a PDF/A file) and three diary
// entries, as a process of its own (wall time, CPU, peak memory, size of the package).
// Prints figures, asserts nothing. Run: npm run bench -- archive
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store } from "../dist/store/store.js";
import { issuePacket } from "../dist/documents/packet.js";
import { OutputFile } from "../dist/store/outputFile.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "avvik.cjs");
const CASES = Number(process.env.BENCH_CASES ?? 1000);
const NOW = "2026-03-10T09:00:00";

const tmp = mkdtempSync(join(tmpdir(), "avvik-bench-archive-"));
const home = join(tmp, "data");
const env = { ...process.env, AVVIK_HOME: home, AVVIK_NOW: NOW, AVVIK_USER: "bench", NO_COLOR: "1", TZ: process.env.TZ ?? "Europe/Stockholm" };
const cli = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", cwd: tmp });
  if (r.status !== 0) throw new Error(`avvik ${args.join(" ")}: ${r.stderr}`);
  return r;
};

function sizeOf(dir) {
  let n = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const s = sizeOf(p);
      n += s.bytes;
      files += s.files;
    } else {
      n += statSync(p).size;
      files++;
    }
  }
  return { bytes: n, files };
}

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
  const printed = join(tmp, "printed");
  mkdirSync(printed);
  const output = (n) => OutputFile.prepare(join(printed, `${n.replace(/[^0-9A-Za-z-]/g, "_")}.pdf`), { data: { home }, flag: "-o" });
  for (const id of ids) await issuePacket(store, id, { withPersonalData: false }, output);
  await store.write(async () => {
    for (const id of ids) {
      await store.documents.add(id, { direction: "in", subject: "Svar på avvikelse i samverkan", party: "Region Östergötland", secrecy: id % 10 === 0 ? "25 kap. 1 § OSL" : undefined });
      for (const to of ["answered", "followed_up", "closed"]) await store.cases.setStatus(id, to);
    }
  });
  store.close();

  const out = join(tmp, "leverans");
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, bin, "archive", "export", "--closed-before", "2026-03-11", "-o", out, "--json"], { env, encoding: "utf8", cwd: tmp, maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(r.stderr);
  const [user, sys, maxKb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  const pkg = sizeOf(out);
  const result = JSON.parse(r.stdout);
  console.log(`archive export of ${result.cases.length} closed cases (${pkg.files} files, ${(pkg.bytes / 1e6).toFixed(1)} MB): ${wall.toFixed(2)} s wall, ${(user + sys).toFixed(2)} s CPU, peak ${(maxKb / 1024).toFixed(0)} MB`);
  console.log(`ERMS.xml: ${(statSync(join(out, "representations/rep1/data/ERMS.xml")).size / 1e6).toFixed(1)} MB`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
