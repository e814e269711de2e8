#!/usr/bin/env node
// `npm run demo`: walks the Östergötland flow on the fixtures, printing each command as a registrar would type it
// and what avvik answered. Everything it writes (the PDFs, the register) is kept in ./avvik-demo/ of the directory
// it was started from, named at the end, so a newcomer can open the packet and the board report. A second run
// replaces that folder (only one the demo made itself: it carries a marker file).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "avvik.cjs");
// npm runs scripts in the package's directory; INIT_CWD is where `npm run demo` was typed.
const work = join(process.env.INIT_CWD ?? process.cwd(), "avvik-demo");
const MARKER = ".avvik-demo";
if (existsSync(work)) {
  if (!existsSync(join(work, MARKER)) && readdirSync(work).length > 0) {
    console.error(`${work} finns redan och är inte demons egen mapp; flytta den eller kör demon från en annan katalog.`);
    process.exit(1);
  }
  rmSync(work, { recursive: true, force: true });
}
mkdirSync(work, { recursive: true });
writeFileSync(join(work, MARKER), "Skapad av npm run demo; ersätts nästa gång demon körs.\n");
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
avvik(["packet", "2026-000001", "-o", "2026-000001-paket.pdf"], { now: "2026-03-10T09:20:00", note: "Postpaketet till samordnaren i Finspång: följebrev för fönsterkuvert, rapport och svarsblankett; ärendet blir skickat" });
avvik(
  ["case", "new", "--direction", "in", "--counterpart", "region-ostergotland", "--unit", "linkoping-hemtjanst-ryd",
   "--event-date", "2026-02-24", "--discovered-date", "2026-02-25", "--received-date", "2026-03-09",
   "--kind", "risk", "--area", "information", "--summary", "Ofullständig överrapportering från hemtjänsten vid inläggning",
   "--ref", "synergi:47011"],
  { now: "2026-03-10T09:30:00", note: "En inkommande avvikelse från regionen (Synergiärende 47011) diarieförs; berörd chef aviseras via utkorgen" },
);
avvik(["case", "assign", "2026-000002", "--to", "sara.nilsson@linkoping.example"], { now: "2026-03-10T09:35:00", note: "Berörd chef blir ansvarig" });
avvik(["case", "status", "2026-000002", "investigating"], { now: "2026-03-16T10:00:00" });
avvik(
  ["case", "update", "2026-000002", "--severity", "gul",
   "--causes", "Överrapporteringsmallen användes inte vid akut inläggning.",
   "--actions", "Mallen finns nu i hemtjänstens mobila journal; genomgång på APT.",
   "--follow-up", "Stickprov av tio inläggningar i maj."],
  { now: "2026-04-02T14:00:00", note: "Chefen utreder och skriver svaret" },
);
avvik(["packet", "2026-000002", "-o", "2026-000002-svar.pdf"], { now: "2026-04-03T09:00:00", note: "Svaret till regionen skrivs ut och diarieförs i samma ärende; ärendet blir besvarat" });
avvik(["outbox", "list"], { now: "2026-04-03T09:05:00", note: "Utkorgen: aviseringen till chefen (utan personuppgifter)" });
avvik(["outbox", "flush"], { now: "2026-04-03T09:05:00", note: "Utan e-postserver skrivs meddelandena som .eml-filer i datakatalogen" });

mkdirSync(join(work, "skannat"));
copyFileSync(join(root, "fixtures", "replies", "hand-ert-dnr.pdf"), join(work, "skannat", "svar-fran-regionen.pdf"));
avvik(["reply", "inbox", "skannat"], { now: "2026-05-20T10:00:00", note: "Regionens svar kommer per post och skannas: det hittar sitt ärende själv (\"Ert dnr: 2026 – 000001\")" });

avvik(
  ["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-05-04", "--discovered-date", "2026-05-05",
   "--kind", "tillbud", "--area", "planering", "--summary", "Flytt till korttidsboende utan samordnad individuell plan"],
  { now: "2026-05-20T10:10:00", note: "Mellan två kommuner utan gemensamt system: ärendet skickas som utbytesfil" },
);
avvik(["exchange", "export", "2026-000003", "-o", "till-norrkoping.pdf"], { now: "2026-05-20T10:15:00" });

avvik(["import", join(root, "fixtures", "exports", "synergi-vecka10.csv"), "--profile", "synergi"], { now: "2026-05-21T08:00:00", note: "Administratören läser in veckans export från Synergi" });
avvik(["import", join(root, "fixtures", "exports", "synergi-vecka11.csv"), "--profile", "synergi"], { now: "2026-05-28T08:00:00", note: "Nästa veckas export: bara det som ändrats uppdateras, inga dubbletter" });

avvik(["summary"], { now: "2026-06-10T07:00:00", note: "Morgonens sammanfattning (cron): nytt, försenat, snart förfallet, väntar på svar" });
avvik(["case", "list", "--overdue"], { now: "2026-06-10T08:00:00", note: "Det som har passerat svarstiden" });
avvik(["case", "show", "2026-000001"], { now: "2026-06-10T08:00:00", note: "Ärendekortet; personnumret är maskerat" });
avvik(["stats", "--period", "2026H1", "--pdf", "styrelsen-2026H1.pdf"], { now: "2026-07-01T09:00:00", note: "Halvårsstatistiken till analysgruppen och styrelsen, med diagram i PDF" });
avvik(["diary", "list"], { now: "2026-07-01T09:00:00", note: "Registret (diariet): inga personuppgifter" });
avvik(["audit", "verify"], { now: "2026-07-01T09:00:00", note: "Händelseloggen är obruten" });
avvik(["check"], { now: "2026-07-01T09:00:00", note: "Registrets kontroll: databas, logg, lagrade filer och nyckel" });

const pdfs = readdirSync(work).filter((f) => f.endsWith(".pdf")).sort();
console.log(failures ? `\n${failures} steg gick inte som väntat.` : "\nDemon är klar.");
console.log(`Allt demon skrev finns i ${work}/:`);
for (const f of pdfs) console.log(`  ${f}`);
console.log(`  data/ (registret; titta vidare med: avvik --home ${join(work, "data")} case list)`);
process.exit(failures ? 1 : 0);
