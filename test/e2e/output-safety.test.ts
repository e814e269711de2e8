// Issue 12, "Data loss" and file permissions: no output path writes into the data directory, a file is
// written completely before the register records it (a failed write records nothing), an unchanged exchange
// export is not diarised again, an undiarised case's packet carries its real diary number, and files with
// personal data (and the backup) are private from the first byte.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFParse } from "pdf-parse";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, incomingCase, linkoping, outgoingCase, ROOT, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const PERSON = "19121212-1212:Tolvan Tolvansson";
const data = () => join(s.home, "data");

function sha(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Every file in the data directory with its content hash: what must not change when an output is refused. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(data().length + 1)] = sha(p);
    }
  };
  walk(data());
  return out;
}

/** A Synergi export with one good row and one whose event date does not exist (rejected with --skip-invalid). */
function csvWithOneBad(): string {
  const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
  const row = (id: string, date: string) =>
    `${id};${date};2026-02-21;2026-02-23;Utskriven utan läkemedelslista;Ingen lista;Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19121212-1212;Tolvan Tolvansson`;
  return `${[header, row("90001", "2026-02-20"), row("99999", "2026-02-30")].join("\r\n")}\r\n`;
}

async function pdfText(file: string): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(file)) });
  try {
    return (await parser.getText({ pageJoiner: "" })).text;
  } finally {
    await parser.destroy();
  }
}

/** The register's visible state: diary, audit trail length, statuses. */
async function registerState() {
  return {
    diary: await s.cliJson(["diary", "list"]),
    events: (await s.cliJson(["audit", "verify"])).events,
    statuses: (await s.cliJson(["case", "list"])).map((c: { id: number; status: string }) => [c.id, c.status]),
  };
}

describe("no output path writes into the data directory", () => {
  it("refuses every command's output into the data directory, however the path is spelt, and changes nothing", async () => {
    s = linkoping();
    const out = await s.cliJson(outgoingCase(["--person", PERSON]));
    const inc = await s.cliJson(incomingCase());
    await s.cliJson(["case", "update", inc.diaryNumber, "--causes", "Rutinen följdes inte", "--actions", "Ny rutin"]);
    expect((await s.cli(["case", "assign", inc.diaryNumber, "--to", "sara.nilsson@linkoping.example"])).code).toBe(0);
    // Links and a second name for the data directory, made by hand.
    symlinkSync(join(data(), "avvik.db"), join(s.home, "db-link"));
    symlinkSync(join(data(), "key"), join(s.home, "key-link"));
    symlinkSync(data(), join(s.home, "data-link"));
    symlinkSync(join(data(), "not-yet.pdf"), join(s.home, "dangling"));
    linkSync(join(data(), "avvik.db"), join(s.home, "hard.db"));
    mkdirSync(join(s.home, "elsewhere"));

    const targets: Array<[string, { cwd?: string }]> = [
      [join(data(), "avvik.db"), {}],
      [join(data(), "key"), {}],
      ["avvik.db", { cwd: data() }], // relative, from inside
      ["./data/avvik.db-wal", {}], // relative, the log that does not exist between runs
      [join(s.home, "elsewhere", "..", "data", "avvik.db"), {}],
      ["elsewhere/../data/key", {}],
      ["db-link", {}], // a symlink to the database
      ["key-link", {}], // a symlink to the key
      ["data-link/avvik.db", {}], // through a symlink to the directory
      ["data-link/files/new.pdf", {}], // a new file in a stored-files directory, through the link
      ["data-link/../data/outbox.pdf", {}],
      ["dangling", {}], // a link that dangles, into the data directory
      ["hard.db", {}], // a hard link to the database
      [`${data()}//./files/../avvik.db`, {}],
    ];
    const commands: Array<(target: string) => string[]> = [
      (t) => ["export", "-o", t],
      (t) => ["export", "--format", "json", "-o", t],
      (t) => ["report", out.diaryNumber, "-o", t],
      (t) => ["report", out.diaryNumber, "--with-personal-data", "-o", t],
      (t) => ["packet", out.diaryNumber, "-o", t],
      (t) => ["packet", inc.diaryNumber, "-o", t],
      (t) => ["analysis", out.diaryNumber, "-o", t],
      (t) => ["exchange", "export", out.diaryNumber, "-o", t],
      (t) => ["stats", "--period", "2026H1", "--pdf", t],
      (t) => ["backup", t, "--force"],
      (t) => ["org", "key", "export", "-o", t],
    ];
    const before = snapshot();
    const keyBefore = sha(join(data(), "key"));
    const state = (await registerState());
    for (const command of commands) {
      for (const [target, o] of targets) {
        const args = command(target);
        const r = await s.cli(args, o);
        expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code: 1 });
        expect(r.stderr).toMatch(/ligger i datakatalogen .* och skrivs inte; ange en sökväg utanför den med/);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stdout).toBe("");
      }
    }
    expect(snapshot()).toEqual(before);
    expect(sha(join(data(), "key"))).toBe(keyBefore);
    expect(existsSync(join(data(), "not-yet.pdf"))).toBe(false);
    expect((await registerState())).toEqual(state);
    // The same commands write where they may.
    expect((await s.cli(["export", "-o", join(s.home, "elsewhere", "cases.csv")])).code).toBe(0);
    expect((await s.cli(["report", out.diaryNumber, "-o", "elsewhere/r.pdf"])).code).toBe(0);
    expect((await s.cli(["backup", "elsewhere/b.db"])).code).toBe(0);
  });

  it("refuses the key file kept outside the data directory (AVVIK_KEY_FILE), and files named after it beside it", async () => {
    const keys = () => join(s.home, "keys");
    s = sandbox();
    mkdirSync(join(s.home, "keys"), { mode: 0o700 });
    const env = { AVVIK_KEY_FILE: join(keys(), "avvik.key") };
    expect((await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], { env })).code).toBe(0);
    expect((await s.cli(["org", "import", "ostergotland"], { env })).code).toBe(0);
    const c = await s.cliJson(outgoingCase(), { env });
    const key = sha(join(keys(), "avvik.key"));
    for (const target of ["keys/avvik.key", "keys/avvik.key.pub", "keys/../keys/avvik.key"]) {
      const r = await s.cli(["report", c.diaryNumber, "-o", target], { env });
      expect({ target, code: r.code }).toEqual({ target, code: 1 });
      expect(r.stderr).toMatch(/är nyckelfilen .*avvik\.key eller ligger bredvid den med samma namn och skrivs inte; ange en annan sökväg med -o\./);
    }
    expect(sha(join(keys(), "avvik.key"))).toBe(key);
    expect(readdirSync(keys())).toEqual(["avvik.key"]);
    expect((await s.cli(["report", c.diaryNumber, "-o", "keys/other.pdf"], { env })).code).toBe(0);
  });

  it("refuses the rejected rows of an import beside an input kept in the data directory", async () => {
    s = linkoping();
    const input = join(data(), "import.csv");
    writeFileSync(input, csvWithOneBad());
    const before = (await registerState());
    const r = await s.cli(["import", input, "--profile", "synergi", "--skip-invalid"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/import\.avvisade\.csv ligger i datakatalogen/);
    expect(existsSync(join(data(), "import.avvisade.csv"))).toBe(false);
    expect((await registerState())).toEqual(before);
  });
});

describe("a file is written completely before the register records it", () => {
  it("packet into a directory that does not exist: one Swedish line, nothing recorded, and a retry records once", async () => {
    s = linkoping();
    const c = await s.cliJson(outgoingCase());
    const before = (await registerState());
    const r = await s.cli(["packet", c.diaryNumber, "-o", "/nonexistent/x.pdf"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Katalogen /nonexistent finns inte; ange en annan sökväg med -o.");
    expect(r.stderr).not.toMatch(/ENOENT|\.tmp|Oväntat/);
    expect((await registerState())).toEqual(before);
    expect((await s.cliJson(["case", "show", c.diaryNumber])).status).toBe("registered");

    // A write that fails after the checks (a full disk): rolled back as well, and no temporary file is left.
    const full = await s.cli(["packet", c.diaryNumber, "-o", "/dev/full"]);
    expect(full.code).toBe(1);
    expect(full.stderr.trim()).toBe("Disken är full, /dev/full kunde inte skrivas; frigör utrymme eller ange en annan sökväg med -o.");
    expect((await registerState())).toEqual(before);

    mkdirSync(join(s.home, "out"));
    const ok = await s.cliJson(["packet", c.diaryNumber, "-o", join(s.home, "out", "x.pdf")]);
    expect(ok.document.number).toBe(`${c.diaryNumber}:2`);
    expect(readdirSync(join(s.home, "out"))).toEqual(["x.pdf"]);
    const after = await s.cliJson(["diary", "list", "--case", c.diaryNumber]);
    expect(after.filter((d: { subject: string }) => /per post/.test(d.subject))).toHaveLength(1);
    expect((await s.cliJson(["case", "show", c.diaryNumber])).status).toBe("sent");
  });

  it("each producing command says what is wrong in one line and records nothing", async () => {
    s = linkoping();
    const c = await s.cliJson(outgoingCase(["--person", PERSON]));
    mkdirSync(join(s.home, "a-dir"));
    writeFileSync(join(s.home, "a-file"), "x");
    const before = (await registerState());
    const cases: Array<[string[], RegExp]> = [
      [["exchange", "export", c.diaryNumber, "-o", "/nonexistent/x.pdf"], /^Katalogen \/nonexistent finns inte; ange en annan sökväg med -o\.$/],
      [["exchange", "export", c.diaryNumber, "-o", "/dev/full"], /^Disken är full, \/dev\/full kunde inte skrivas/],
      [["export", "-o", "/nonexistent/x.csv"], /^Katalogen \/nonexistent finns inte; ange en annan sökväg med -o\.$/],
      [["export", "-o", "/dev/full"], /^Disken är full/],
      [["report", c.diaryNumber, "--with-personal-data", "-o", "/dev/full"], /^Disken är full/],
      [["report", c.diaryNumber, "-o", "a-dir"], /a-dir är en katalog; ange ett filnamn med -o\.$/],
      [["analysis", c.diaryNumber, "-o", "a-file/x.pdf"], /a-file är ingen katalog; ange en annan sökväg med -o\.$/],
      [["stats", "--period", "2026H1", "--pdf", "/nonexistent/s.pdf"], /^Katalogen \/nonexistent finns inte; ange en annan sökväg med --pdf\.$/],
      [["backup", "/nonexistent/b.db"], /^Katalogen \/nonexistent finns inte/],
      [["backup", "a-dir"], /a-dir är en katalog/],
    ];
    for (const [args, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code: 1 });
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(/ENOENT|ENOSPC|EISDIR|\.tmp|Oväntat/);
    }
    expect((await registerState())).toEqual(before);
    expect(readdirSync(s.home).sort()).toEqual(["a-dir", "a-file", "data"]);
    expect(readdirSync(join(s.home, "a-dir"))).toEqual([]);
  });

  it("exchange export run again unchanged writes the same file and diarises nothing new", async () => {
    s = linkoping();
    const c = await s.cliJson(outgoingCase());
    const first = await s.cliJson(["exchange", "export", c.diaryNumber, "-o", "one.pdf"]);
    expect(first.document.number).toBe(`${c.diaryNumber}:2`);
    const before = (await registerState());
    // Later the same day and on another day: same content, same document.
    const again = await s.cliJson(["exchange", "export", c.diaryNumber, "-o", "two.pdf"], { env: { AVVIK_NOW: "2026-03-10T15:30:00" } });
    const later = await s.cliJson(["exchange", "export", c.diaryNumber, "-o", "three.pdf"], { env: { AVVIK_NOW: "2026-03-12T08:00:00" } });
    expect(again.document).toBeNull();
    expect(again.existingDocument).toBe(first.document.number);
    expect(later.existingDocument).toBe(first.document.number);
    expect((await registerState())).toEqual(before);
    expect(sha(join(s.home, "two.pdf"))).toBe(sha(join(s.home, "one.pdf")));
    expect(sha(join(s.home, "three.pdf"))).toBe(sha(join(s.home, "one.pdf")));
    // Changed content is a new document.
    await s.cli(["case", "update", c.diaryNumber, "--severity", "rod"]);
    const changed = await s.cliJson(["exchange", "export", c.diaryNumber, "-o", "four.pdf"]);
    expect(changed.document.number).toBe(`${c.diaryNumber}:3`);
  });
});

describe("a case imported without a diary number", () => {
  it("gets its number before its packet is rendered: letter, reply form and file name carry it; ids print without '#'", async () => {
    s = linkoping();
    await s.cliJson(["import", join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), "--profile", "synergi"]);
    const list = await s.cli(["case", "list"]);
    expect(list.stdout).not.toMatch(/#\d/);
    const undiarised = (await s.cliJson(["case", "list"])).find((c: { diaryNumber: string | null; status: string }) => !c.diaryNumber && c.status === "investigating");
    expect(undiarised).toBeDefined();
    const id = String(undiarised.id);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s`, "m"));
    expect((await s.cli(["case", "update", id, "--causes", "Rutinen följdes inte", "--actions", "Ny rutin"])).stdout).not.toMatch(/#/);
    // The number the packet will get is the next one; another case diarised first takes it, and the packet gets the one after.
    const other = await s.cliJson(outgoingCase());
    const r = await s.cliJson(["packet", id]);
    expect(r.diaryNumber).toMatch(/^2026-\d{6}$/);
    expect(r.diaryNumber).not.toBe(other.diaryNumber);
    expect(r.file).toBe(join(s.home, `${r.diaryNumber}-packet.pdf`));
    expect(r.document.number).toBe(`${r.diaryNumber}:1`);
    const text = await pdfText(r.file);
    expect(text).toContain(r.diaryNumber);
    expect(text).not.toMatch(/#\d/);
    expect((await s.cliJson(["case", "show", id])).diaryNumber).toBe(r.diaryNumber);
    expect(readdirSync(s.home).filter((f) => f.includes("#"))).toEqual([]);
    // The internal id is still accepted, with and without '#'.
    expect((await s.cliJson(["case", "show", `#${id}`])).id).toBe(undiarised.id);
  });
  it("keeps the packet's number true while other processes diarise at the same moment", async () => {
    s = linkoping();
    await s.cliJson(["import", join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), "--profile", "synergi"]);
    const open = (await s.cliJson(["case", "list"])).filter(
      (c: { diaryNumber: string | null; status: string }) => !c.diaryNumber && ["registered", "assigned", "investigating"].includes(c.status),
    );
    const ids: string[] = [];
    for (const c of open) {
      await s.cli(["case", "update", String(c.id), "--causes", "Rutinen följdes inte", "--actions", "Ny rutin"]);
      if (c.status === "registered") await s.cli(["case", "assign", String(c.id), "--to", "sara.nilsson@linkoping.example"]);
      ids.push(String(c.id));
    }
    expect(ids.length).toBeGreaterThanOrEqual(3);
    // Five processes at once, each running its commands one after another through main(): the packets spread
    // over three (so that packets also race each other), six new cases over two.
    const packets = [0, 1, 2].map((k) => ids.filter((_, i) => i % 3 === k));
    const runs = await Promise.all([
      ...packets.map((group) => s.spawnSeries(group.map((id) => ["packet", id, "--json"]))),
      ...[0, 1].map(() => s.spawnSeries(Array.from({ length: 3 }, () => [...outgoingCase(), "--json"]))),
    ]);
    for (const r of runs.flat()) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(runs.flat()).toHaveLength(ids.length + 6);
    for (const [i, id] of ids.entries()) {
      const r = JSON.parse(runs[i % 3]![Math.floor(i / 3)]!.stdout);
      expect((await s.cliJson(["case", "show", id])).diaryNumber).toBe(r.diaryNumber);
      expect(r.file).toBe(join(s.home, `${r.diaryNumber}-packet.pdf`));
      const text = await pdfText(r.file);
      expect(text).toMatch(new RegExp(`Dnr\\s*${r.diaryNumber}`));
      expect(text).not.toMatch(/#\d/);
    }
    // The numbers: no repeat, no gap.
    const numbers = (await s.cliJson(["case", "list"])).map((c: { diaryNumber: string | null }) => c.diaryNumber).filter(Boolean).sort();
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => `2026-${String(i + 1).padStart(6, "0")}`));
    expect((await s.cliJson(["check"])).ok).toBe(true);
  });
});

describe("permissions", () => {
  it("writes outputs with personal data 0600, others as any new file", async () => {
    s = linkoping();
    const c = await s.cliJson(outgoingCase(["--person", PERSON]));
    const mode = (f: string) => (statSync(join(s.home, f)).mode & 0o777).toString(8);
    expect((await s.cli(["report", c.diaryNumber, "-o", "masked.pdf"])).code).toBe(0);
    expect((await s.cli(["report", c.diaryNumber, "--with-personal-data", "-o", "report.pdf"])).code).toBe(0);
    expect((await s.cli(["packet", c.diaryNumber, "--with-personal-data", "-o", "packet.pdf"])).code).toBe(0);
    expect((await s.cli(["exchange", "export", c.diaryNumber, "--with-personal-data", "-o", "exchange.pdf"])).code).toBe(0);
    expect((await s.cli(["backup", "b.db"])).code).toBe(0);
    expect(mode("report.pdf")).toBe("600");
    expect(mode("packet.pdf")).toBe("600");
    expect(mode("exchange.pdf")).toBe("600");
    expect(mode("b.db")).toBe("600");
    expect(mode("masked.pdf")).toBe("644"); // the test runs with umask 022
    // An existing file with personal data is replaced, not widened: the new one is 0600 too.
    chmodSync(join(s.home, "report.pdf"), 0o644);
    expect((await s.cli(["report", c.diaryNumber, "--with-personal-data", "-o", "report.pdf"])).code).toBe(0);
    expect(mode("report.pdf")).toBe("600");
  });

  it("writes the rejected rows of an import 0600", async () => {
    s = linkoping();
    const input = join(s.home, "in.csv");
    writeFileSync(input, csvWithOneBad());
    const r = await s.cliJson(["import", input, "--profile", "synergi", "--skip-invalid"]);
    expect(r.rejected).toBe(1);
    const rejected = join(s.home, "in.avvisade.csv");
    expect(statSync(rejected).mode & 0o777).toBe(0o600);
    expect(readFileSync(rejected, "utf8")).toContain("99999");
    expect(readdirSync(s.home).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("backup is 0600 from its first byte, and a run removes what a killed run left", async () => {
    s = linkoping();
    for (let i = 0; i < 20; i++) await s.cliJson(outgoingCase(["--person", PERSON]));
    for (let i = 1; i <= 20; i++) await s.cli(["packet", String(i), "--with-personal-data", "-o", join(s.home, `p${i}.pdf`)]);
    mkdirSync(join(s.home, "b"));
    const target = join(s.home, "b", "backup.db");
    // Kill a backup the moment its temporary file appears; what it leaves must already be private.
    let seen: Array<{ name: string; mode: number }> = [];
    for (let attempt = 0; attempt < 20 && seen.length === 0; attempt++) {
      const child = spawn(process.execPath, [BIN, "backup", target, "--force"], { env: s.env, cwd: s.home, stdio: "ignore" });
      const exited = new Promise<void>((ok) => child.on("exit", () => ok()));
      let done = false;
      void exited.then(() => (done = true));
      while (!done) {
        const temps = readdirSync(join(s.home, "b")).filter((f) => f !== "backup.db");
        if (temps.length) {
          child.kill("SIGKILL");
          seen = temps.flatMap((name) => {
            try {
              return [{ name, mode: statSync(join(s.home, "b", name)).mode & 0o777 }];
            } catch {
              return [];
            }
          });
          break;
        }
        await new Promise((ok) => setImmediate(ok));
      }
      await exited;
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const f of seen) expect({ name: f.name, mode: f.mode.toString(8) }).toEqual({ name: f.name, mode: "600" });
    // Leftovers of a process that is gone (also the names of older versions) go with the next run.
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((ok) => gone.on("exit", ok));
    writeFileSync(join(s.home, "b", `.backup.db.${gone.pid}-0badc0de.tmp`), "x", { mode: 0o600 });
    writeFileSync(join(s.home, "b", `.backup.db.${gone.pid}-0badc0de.tmp-journal`), "x", { mode: 0o600 });
    writeFileSync(join(s.home, "b", `backup.db.${gone.pid}.tmp`), "x");
    writeFileSync(join(s.home, "b", "unrelated.tmp"), "x");
    expect((await s.cli(["backup", target, "--force"])).code).toBe(0);
    expect(readdirSync(join(s.home, "b")).sort()).toEqual(["backup.db", "unrelated.tmp"]);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("init makes an open data directory private; check warns about one", async () => {
    s = sandbox();
    mkdirSync(data());
    chmodSync(data(), 0o777);
    const r = await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Datakatalogen .* kunde läsas eller ändras av andra \(rättigheter 0777\); den är nu bara ägarens \(0700\)/);
    expect(statSync(data()).mode & 0o777).toBe(0o700);
    expect((await s.cli(["check"])).stderr).toBe("");
    chmodSync(data(), 0o755);
    const check = await s.cli(["check"]);
    expect(check.code).toBe(0);
    expect(check.stderr).toMatch(/Datakatalogen .* är öppen för andra \(rättigheter 0755\)\. Kör 'chmod 700/);
    expect((await s.cliJson(["check"])).warnings).toEqual([expect.objectContaining({ kind: "home-mode", mode: "0755" })]);
  });
});
