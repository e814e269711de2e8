#!/usr/bin/env node
// `npm run demo`: walks the Östergötland flow on the fixtures in a temporary data directory,
// printing each command as a registrar would type it and what avvik answered.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "avvik.js");
const work = mkdtempSync(join(tmpdir(), "avvik-demo-"));
const keep = process.argv.includes("--keep");
const env = { ...process.env, AVVIK_HOME: join(work, "data"), AVVIK_USER: "registrator", TZ: process.env.TZ ?? "Europe/Stockholm" };
delete env.AVVIK_SMTP_URL;

let failures = 0;
function avvik(args, { now = "2026-03-10T09:15:00", note, expectFail = false } = {}) {
  if (note) console.log(`\n# ${note}`);
  console.log(`$ avvik ${args.map((a) => (/[\s"|]/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...env, AVVIK_NOW: now }, cwd: work, encoding: "utf8" });
  const out = (r.stdout + r.stderr).trimEnd();
  if (out) console.log(out.replace(/^/gm, "  "));
  if ((r.status !== 0) !== expectFail) {
    failures++;
    console.log(`  (oväntad slutkod ${r.status})`);
  }
  return r;
}

console.log(`avvik – demo av flödet i Östergötland (datakatalog ${join(work, "data")})`);

avvik(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun", "--kind", "municipality"], { note: "Registratorn skapar registret för Linköpings kommun" });
avvik(["org", "import", "ostergotland"], { note: "Katalogen för Östergötland läses in: regionen, samordnaren i Finspång, kommunerna" });

avvik(
  ["case", "new", "--direction", "out", "--counterpart", "region-ostergotland", "--unit", "ro-ps-oster",
   "--event-date", "2026-03-02", "--discovered-date", "2026-03-03", "--kind", "tillbud", "--area", "lakemedel",
   "--summary", "Utskriven från sjukhus till hemtjänst utan läkemedelslista",
   "--person", "19121212-1212:Tolvan Tolvansson", "--ref", "treserva:10234"],
  { note: "En utgående avvikelse till regionen registreras och diarieförs (svarstid 3 månader enligt överenskommelsen)" },
);
avvik(
  ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd",
   "--event-date", "2026-02-24", "--discovered-date", "2026-02-25", "--received-date", "2026-03-09",
   "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering från hemtjänsten vid inläggning",
   "--ref", "synergi:45678"],
  { note: "En inkommande avvikelse från regionen (Synergiärende 45678) diarieförs" },
);
avvik(["case", "assign", "2026-000002", "--to", "sara.nilsson@linkoping.example"], { note: "Berörd chef blir ansvarig" });
avvik(["case", "status", "2026-000002", "investigating"], { now: "2026-03-16T10:00:00" });
avvik(
  ["case", "update", "2026-000002", "--severity", "gul",
   "--causes", "Överrapporteringsmallen användes inte vid akut inläggning.",
   "--actions", "Mallen finns nu i hemtjänstens mobila journal; genomgång på APT.",
   "--follow-up", "Stickprov av tio inläggningar i maj."],
  { now: "2026-04-02T14:00:00", note: "Chefen utreder och skriver svaret" },
);
avvik(["case", "status", "2026-000002", "answered"], { now: "2026-04-03T09:00:00" });
avvik(["diary", "add", "2026-000002", "--direction", "out", "--subject", "Svar på avvikelse till Region Östergötland", "--party", "Region Östergötland"], { now: "2026-04-03T09:05:00", note: "Svaret diarieförs i samma ärende" });
avvik(["case", "status", "2026-000001", "sent"], { now: "2026-03-10T11:00:00", note: "Avvikelsen skickas till samordnaren" });
avvik(["case", "close", "2026-000001"], { now: "2026-03-10T11:05:00", note: "Ett steg som inte följer flödet nekas med de tillåtna stegen", expectFail: true });

avvik(["case", "list"], { now: "2026-06-10T08:00:00", note: "I juni: alla ärenden" });
avvik(["case", "list", "--overdue"], { now: "2026-06-10T08:00:00", note: "Det som har passerat svarstiden" });
avvik(["case", "show", "2026-000001"], { now: "2026-06-10T08:00:00", note: "Ärendekortet; personnumret är maskerat" });
avvik(["diary", "list"], { now: "2026-06-10T08:00:00", note: "Registret (diariet): inga personuppgifter" });
avvik(["audit", "list", "--case", "2026-000002"], { now: "2026-06-10T08:00:00", note: "Händelseloggen för ärendet" });

if (keep) console.log(`\nDatakatalogen finns kvar: ${join(work, "data")}`);
else rmSync(work, { recursive: true, force: true });
console.log(failures ? `\n${failures} steg gick inte som väntat.` : "\nDemon är klar.");
process.exit(failures ? 1 : 0);
