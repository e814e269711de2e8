// The CLI run many times in one process (main(args, io), as test/helpers/cli.ts does): each run uses only the
// streams, environment and working directory it is given, and leaves nothing behind for the next run.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFParse } from "pdf-parse";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

async function pdfText(file: string): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(file)) });
  try {
    return (await parser.getText({ pageJoiner: "" })).text.trim();
  } finally {
    await parser.destroy();
  }
}

/** Files of the register this process has open (its descriptors, from /proc). */
function openRegisterFiles(home: string): string[] {
  const fds = "/proc/self/fd";
  return readdirSync(fds)
    .map((fd) => {
      try {
        return readlinkSync(join(fds, fd));
      } catch {
        return "";
      }
    })
    .filter((target) => target.startsWith(home));
}

describe("one process, many runs", () => {
  it("gives each run its own exit code: problems found by one run do not fail the next", async () => {
    s = linkoping();
    const doctor = await s.cli(["doctor"], { env: { AVVIK_HOME: join(s.home, "missing") } });
    expect(doctor.code, doctor.stdout).toBe(1);
    const list = await s.cli(["case", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const inbox = join(s.home, "inbox");
    mkdirSync(inbox);
    copyFileSync(join(ROOT, "fixtures", "replies", "not-a-pdf.pdf"), join(inbox, "broken.pdf"));
    expect((await s.cli(["reply", "inbox", inbox])).code).toBe(1);
    expect((await s.cli(["org", "list"])).code).toBe(0);
  });

  it("resolves relative paths against the run's working directory, not the process's", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const work = join(s.home, "work");
    mkdirSync(work);
    writeFileSync(join(work, "katalog.json"), JSON.stringify({ name: "Egen katalog", orgs: [{ id: "egen-region", name: "Egen region", kind: "region" }] }));
    copyFileSync(join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), join(work, "export.csv"));
    copyFileSync(join(ROOT, "templates", "profiles", "synergi.json"), join(work, "profil.json"));
    const before = readdirSync(process.cwd()).sort();
    const inWork = { cwd: work };

    expect(await s.cliJson(["org", "import", "katalog.json"], inWork)).toMatchObject({ name: "Egen katalog", created: 1 });
    expect((await s.cliJson(["packet", "2026-000001", "-o", "paket.pdf"], inWork)).file).toBe(join(work, "paket.pdf"));
    expect((await s.cliJson(["export", "-o", "ut.csv"], inWork)).file).toBe(join(work, "ut.csv"));
    expect((await s.cliJson(["import", "export.csv", "--profile", "profil.json"], inWork)).created).toBeGreaterThan(0);
    expect((await s.cliJson(["backup", "kopia.avvik"], inWork)).file).toBe(join(work, "kopia.avvik"));
    expect(await s.cliJson(["case", "list"], { cwd: work, env: { AVVIK_HOME: "../data" } })).not.toHaveLength(0);

    for (const name of ["paket.pdf", "ut.csv", "kopia.avvik"]) expect(existsSync(join(work, name)), name).toBe(true);
    expect(readdirSync(process.cwd()).sort()).toEqual(before);
  });

  it("reads templates added or edited between two runs anew", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const own = join(s.env.AVVIK_HOME!, "templates");
    // A mail template, overridden and then edited.
    const notify = ["notify", "2026-000001", "--template", "reminder", "--to", "mas@linkoping.example", "--queue-only"];
    expect((await s.cliJson(notify)).subject).toMatch(/^Påminnelse: svar senast/);
    mkdirSync(join(own, "mail"), { recursive: true });
    writeFileSync(join(own, "mail", "reminder.txt"), "Ämne: Egen påminnelse för {diaryNumber}\n\nHej.\n");
    expect((await s.cliJson(notify)).subject).toBe("Egen påminnelse för 2026-000001");
    writeFileSync(join(own, "mail", "reminder.txt"), "Ämne: Ändrad påminnelse för {diaryNumber}\n\nHej.\n");
    expect((await s.cliJson(notify)).subject).toBe("Ändrad påminnelse för 2026-000001");
    // The texts of a document, overridden after a first report.
    const title = async (file: string) => (await pdfText(join(s.home, file))).split("\n")[0];
    await s.cliJson(["report", "2026-000001", "-o", "r1.pdf"]);
    expect(await title("r1.pdf")).toBe("Avvikelserapport – avvikelse i samverkan");
    const report = JSON.parse(readFileSync(join(ROOT, "templates", "documents", "report.json"), "utf8"));
    mkdirSync(join(own, "documents"), { recursive: true });
    writeFileSync(join(own, "documents", "report.json"), JSON.stringify({ ...report, title: "Egen avvikelserapport" }));
    await s.cliJson(["report", "2026-000001", "-o", "r2.pdf"]);
    expect(await title("r2.pdf")).toBe("Egen avvikelserapport");
  });

  it("closes the register and removes its Ctrl-C handler when a run ends", async () => {
    s = linkoping();
    await s.cliJson(incomingCase());
    const sigint = process.listenerCount("SIGINT");
    expect((await s.cli(["outbox", "flush"])).code).toBe(0);
    expect((await s.cli(["case", "show", "2026-000001"])).code).toBe(0);
    expect((await s.cli(["check"])).code).toBe(0);
    expect(openRegisterFiles(s.home)).toEqual([]);
    expect(process.listenerCount("SIGINT")).toBe(sigint);
  });

  it("keeps the output of runs at the same time apart", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const [orgs, show, bad] = await Promise.all([s.cli(["org", "list", "--json"]), s.cli(["case", "show", "2026-000001", "--json"]), s.cli(["case", "show", "2026-000099"])]);
    expect(JSON.parse(orgs.stdout).map((o: { id: string }) => o.id)).toContain("region-ostergotland");
    expect(JSON.parse(show.stdout).diaryNumber).toBe("2026-000001");
    expect([orgs.stderr, show.stderr]).toEqual(["", ""]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
  });
});
