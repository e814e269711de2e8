// Scanned replies: every file of fixtures/scans/corpus/ (made by fixtures/scans/make-scans.sh) attached by
// `reply inbox` to a fresh register of three cases, then the outcome of each compared with
// fixtures/scans/expected.json: the match rate, wrong matches (must be 0), refusals as they should be; the
// pages read by OCR per second with the pool (AVVIK_OCR_WORKERS, default one per core); and the time of
// `reply attach` for a text PDF (the common case, which must not pay for OCR). Prints figures; asserts nothing.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "avvik.cjs");
const CORPUS = join(ROOT, "fixtures", "scans", "corpus");
const dir = mkdtempSync(join(tmpdir(), "avvik-bench-scans-"));
const env = { ...process.env, AVVIK_HOME: join(dir, "data"), AVVIK_NOW: "2026-04-01", AVVIK_USER: "bench", NO_COLOR: "1" };
/** CPU seconds used by this process's children that have ended (Linux: cutime + cstime of /proc/self/stat). */
const childCpu = () => {
  try {
    const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
};
const run = (args) => {
  const t0 = process.hrtime.bigint();
  const c0 = childCpu();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: childCpu() - c0 };
};
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const must = (args) => {
  const r = run(args);
  if (r.status !== 0) throw new Error(`avvik ${args.join(" ")}: ${r.stderr}`);
  return r;
};

function setup() {
  must(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
  must(["org", "import", "ostergotland"]);
  for (let i = 1; i <= 3; i++) {
    must(["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-viss", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "tillbud", "--area", "lakemedel", "--summary", `Utskriven från sjukhus utan läkemedelslista ${i}`, ...(i === 3 ? ["--ref", "synergi:45678"] : [])]);
  }
}

const rules = JSON.parse(readFileSync(join(ROOT, "fixtures", "scans", "expected.json"), "utf8")).rules;
function expected(name) {
  for (const r of rules) {
    const m = new RegExp(r.pattern).exec(name);
    if (m) return r.case === null ? null : r.case.replace(/\$(\d)/g, (_, n) => m[Number(n)]);
  }
  throw new Error(`no expectation for ${name}`);
}

try {
  setup();
  const inbox = join(dir, "inbox");
  mkdirSync(inbox);
  const files = readdirSync(CORPUS).sort();
  for (const f of files) cpSync(join(CORPUS, f), join(inbox, f));
  const r = run(["reply", "inbox", inbox, "--json"]);
  const out = JSON.parse(r.stdout);
  let right = 0, wrong = 0, refusedOk = 0, missed = 0, wrongRefusal = 0, ocrFiles = 0;
  const misses = [];
  for (const e of out.files) {
    const want = expected(e.file);
    const got = e.status === "attached" || e.status === "already" ? e.diaryNumber : null;
    if (e.matchedBy === "ocr") ocrFiles++;
    if (want === null) {
      if (got === null) refusedOk++;
      else { wrongRefusal++; misses.push(`${e.file}: attached to ${got}, should be refused`); }
    } else if (got === want) right++;
    else if (got === null) { missed++; misses.push(`${e.file}: left (${e.message})`); }
    else { wrong++; misses.push(`${e.file}: WRONG case ${got}, should be ${want}`); }
  }
  const shouldMatch = files.filter((f) => expected(f) !== null).length;
  console.log(`files: ${files.length} (${shouldMatch} to match, ${files.length - shouldMatch} to refuse)`);
  console.log(`matched right: ${right}/${shouldMatch} (${((100 * right) / shouldMatch).toFixed(1)} %), wrong case: ${wrong}, refused as they should be: ${refusedOk}/${files.length - shouldMatch}, attached though they should be refused: ${wrongRefusal}, left unmatched: ${missed}`);
  for (const m of misses) console.log(`  ${m}`);
  // OCR speed: the files that needed OCR, one page each, over the inbox run's wall time less its non-OCR part is
  // not separable from outside; so the inbox is run again on the OCR files alone.
  const ocrDir = join(dir, "ocr-only");
  mkdirSync(ocrDir);
  // At most BENCH_SCANS_OCR files (default 12): enough for a rate, not so many that the bench takes forever.
  const ocrNames = out.files.filter((e) => e.matchedBy === "ocr").map((e) => e.file).slice(0, Number(process.env.BENCH_SCANS_OCR ?? 12));
  for (const f of ocrNames) cpSync(join(CORPUS, f), join(ocrDir, f));
  rmSync(env.AVVIK_HOME, { recursive: true, force: true });
  setup();
  const l0 = load();
  const o = run(["reply", "inbox", ocrDir, "--json"]);
  const ocrOut = JSON.parse(o.stdout).files;
  const pages = ocrOut.length;
  const again = ocrOut.filter((e) => e.matchedBy === "ocr").length;
  console.log(`OCR: ${pages} single-page scans matched by OCR, read again by one inbox run in ${(o.ms / 1000).toFixed(1)} s: ${((pages * 1000) / o.ms).toFixed(2)} pages/s (workers: ${env.AVVIK_OCR_WORKERS ?? "one per core"}; the whole run, start-up, workers' start and QR tries included; matched again by OCR: ${again}/${pages}); load average before ${l0}, after ${load()}`);
  // CPU time is what the load of others takes least from: on 2 idle cores the run could not take less than half of it.
  console.log(`OCR: CPU ${o.cpu.toFixed(1)} s for the run (process and its threads), ${(o.cpu / pages).toFixed(2)} CPU s per page, start-up included: at most ${((2 * pages) / o.cpu).toFixed(2)} pages/s on 2 idle cores`);
  console.log(`files matched by OCR in the corpus run: ${ocrFiles}`);
  console.log(`inbox of the whole corpus: ${(r.ms / 1000).toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s, for ${files.length} files`);
  // reply attach of a text PDF, as before OCR existed: the common case.
  rmSync(env.AVVIK_HOME, { recursive: true, force: true });
  setup();
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = run(["reply", "attach", join(ROOT, "fixtures", "replies", "hand-ert-dnr.pdf"), "--json"]);
    if (i === 0 && t.status !== 0) throw new Error(t.stderr);
    times.push(t.ms);
  }
  times.sort((a, b) => a - b);
  console.log(`reply attach of a text PDF: median ${times[2].toFixed(0)} ms over 5 runs (the first attaches, the others find it already attached); load average ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
