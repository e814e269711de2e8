// Processes killed with SIGKILL at arbitrary moments: the register must stay whole (`check` passes) and the
// same command can simply be run again. The kill delays are spread over start-up, the transaction and exit;
// nothing is asserted about when a kill lands, only about what is left.

import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { BIN, linkoping, outgoingCase, sandbox, type Sandbox } from "../helpers/cli.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** Runs avvik and kills it with SIGKILL after `delay` ms (if it is still running). */
function runAndKill(sb: Sandbox, args: string[], delay: number, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...sb.env, ...env }, cwd: sb.home, stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function expectWhole(sb: Sandbox, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await sb.cli(["check", "--json"], { env });
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, problems: [] });
}

const PERSON = "19121212-1212:Tolvan Tolvansson";

describe("killed with SIGKILL", () => {
  it("case new, many at once, killed at any moment: no half case, no gap in the numbers, and it runs again", async () => {
    s = linkoping();
    const results = [];
    for (let batch = 0; batch < 8; batch++) {
      results.push(
        ...(await Promise.all(
          [0, 1, 2].map((k) => runAndKill(s, [...outgoingCase(["--person", PERSON, "--ref", `treserva:${batch * 3 + k + 1000}`])], ((batch * 3 + k) * 47) % 700)),
        )),
      );
    }
    expect(results.some((r) => r.signal === "SIGKILL")).toBe(true);
    await expectWhole(s);
    const cases = await s.cliJson(["case", "list"]);
    // Every case that exists is complete: its number in sequence, its first document, its person, its reference.
    expect(cases.map((c: any) => c.diaryNumber)).toEqual(cases.map((_: any, i: number) => `2026-${String(i + 1).padStart(6, "0")}`));
    const diary = await s.cliJson(["diary", "list"]);
    expect(diary.map((d: any) => d.number)).toEqual(cases.map((c: any) => `${c.diaryNumber}:1`));
    for (const c of cases) {
      expect(c.persons).toEqual(["19121212-****"]);
      expect(c.refs).toHaveLength(1);
    }
    expect((await s.cliJson(["audit", "verify"])).ok).toBe(true);
    // The same command runs again and gets the next number.
    const again = await s.cliJson(outgoingCase(["--person", PERSON]));
    expect(again.diaryNumber).toBe(`2026-${String(cases.length + 1).padStart(6, "0")}`);
  });

  it("a long directory import killed halfway leaves all or nothing, and runs again", async () => {
    s = linkoping();
    const file = join(s.home, "big-directory.json");
    const orgs = Array.from({ length: 4000 }, (_, i) => ({
      id: `kommun-${i}`,
      name: `Kommun ${i}`,
      kind: "municipality",
      contacts: [{ role: "mas", name: `MAS ${i}`, email: `mas${i}@kommun${i}.example` }],
    }));
    writeFileSync(file, JSON.stringify({ name: "Stor katalog", orgs }));
    const before = (await s.cliJson(["org", "list"])).length;
    for (const delay of [150, 300, 450, 600, 800]) {
      await runAndKill(s, ["org", "import", file], delay);
      await expectWhole(s);
      const n = (await s.cliJson(["org", "list"])).length;
      expect([before, before + 4000]).toContain(n);
    }
    const r = await s.cliJson(["org", "import", file]);
    expect(r.created + r.unchanged).toBe(4000);
    expect(await s.cliJson(["org", "list"])).toHaveLength(before + 4000);
    await expectWhole(s);
  });

  it("purge killed at any moment leaves a register that check passes, and running it again finishes the job", async () => {
    s = linkoping();
    for (let i = 0; i < 6; i++) await s.cliJson(outgoingCase(["--person", PERSON]));
    const store = await Store.open({ home: s.env.AVVIK_HOME!, actor: { user: "test", now: new Date("2026-03-10T10:00:00") } });
    try {
      await store.write(async () => {
        for (let i = 1; i <= 6; i++) {
          const f = await store.files.put(Buffer.from(`packet ${i} for 19121212-1212`), { mediaType: "application/pdf", encrypt: true });
          await store.documents.add(i, { direction: "out", subject: "Försändelse", party: "Region Östergötland", fileHash: f.hash });
          for (const st of ["sent", "answered", "followed_up", "closed"] as const) await store.cases.setStatus(i, st);
        }
      });
    } finally {
      store.close();
    }
    const later = { AVVIK_NOW: "2026-04-01T09:00:00" };
    for (const delay of [100, 200, 250, 300, 350, 450]) {
      await runAndKill(s, ["purge", "--closed-before", "2026-04-01", "--yes"], delay, later);
      await expectWhole(s, later);
    }
    await s.cliJson(["purge", "--closed-before", "2026-04-01", "--yes"], { env: later });
    const report = await s.cliJson(["check"], { env: later });
    expect(report).toMatchObject({ ok: true, warnings: [], persons: 0, files: 6 });
    for (let i = 1; i <= 6; i++) expect((await s.cliJson(["case", "show", String(i)], { env: later })).persons).toEqual([]);
    expect((await s.cliJson(["audit", "list"], { env: later })).filter((e: any) => e.action === "purge").length).toBe(1);
  });

  it("init killed at any moment can be run again and gives a whole register", async () => {
    for (const delay of [60, 120, 180, 240, 300, 400]) {
      s = sandbox();
      await runAndKill(s, ["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"], delay);
      const again = await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
      // Either it finished before the kill (then a second init is refused) or the rerun completes it.
      expect([0, 1]).toContain(again.code);
      if (again.code === 1) expect(again.stderr).toMatch(/redan initierat/);
      await expectWhole(s);
      await s.cliJson(["org", "add", "--id", "region-x", "--name", "Region X", "--kind", "region"]);
      const c = await s.cliJson(["case", "new", "--direction", "out", "--counterpart", "region-x", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "ovrigt", "--summary", "Test", "--person", PERSON]);
      expect(c.diaryNumber).toBe("2026-000001");
      expect((await s.cli(["case", "show", "1", "--reveal"])).stdout).toContain("Tolvan Tolvansson");
      s.cleanup();
    }
  });

  it("backup killed halfway leaves no half backup under the name asked for", async () => {
    s = linkoping();
    for (let i = 0; i < 5; i++) await s.cliJson(outgoingCase(["--person", PERSON]));
    const target = join(s.home, "backup.avvik");
    for (const delay of [100, 200, 300, 400]) {
      await runAndKill(s, ["backup", target, "--force"], delay);
      if (existsSync(target)) {
        const home = join(s.home, `restored-${delay}`);
        expect((await s.cli(["restore", target], { env: { AVVIK_HOME: home } })).code).toBe(0);
      }
      await expectWhole(s);
    }
    expect((await s.cli(["backup", target, "--force"])).code).toBe(0);
  });
});

describe("killed with SIGKILL in the middle of the heavier commands", () => {
  it("import: all rows or none, whatever the moment; then it runs to the end and again changes nothing", async () => {
    s = linkoping();
    const header = "Ärendenr;Händelsedatum;Upptäckt datum;Registrerad;Rubrik;Beskrivning;Rapporteringsområde;Händelsetyp;Rapporterande enhet;Ansvarig enhet;Status;Personnummer;Patient";
    const rows = Array.from({ length: 3000 }, (_, i) =>
      `${60000 + i};2026-02-20;2026-02-21;2026-02-23;Utskriven utan läkemedelslista ${i};Beskrivning ${i};Läkemedelsbehandling;Tillbud;Vrinnevisjukhuset, medicinkliniken;Hemtjänsten Ryd;Registrerad;19121212-1212;Tolvan Tolvansson`,
    );
    const file = join(s.home, "synergi-stor.csv");
    writeFileSync(file, `\ufeff${header}\r\n${rows.join("\r\n")}\r\n`);
    // Over start-up, the transaction and exit of a quiet machine (about 1 s in all); on a busy one the later kills
    // land in the transaction too.
    for (const delay of [200, 400, 650, 950]) {
      await runAndKill(s, ["import", file, "--profile", "synergi"], delay);
      await expectWhole(s);
      const n = (await s.cliJson(["case", "list"])).length;
      expect([0, 3000]).toContain(n);
    }
    const done = await s.cli(["import", file, "--profile", "synergi", "--json"]);
    expect(done.code, done.stderr).toBe(0);
    expect(await s.cliJson(["case", "list"])).toHaveLength(3000);
    expect(await s.cliJson(["import", file, "--profile", "synergi"])).toMatchObject({ created: 0, updated: 0, unchanged: 3000, rejected: 0 });
    await expectWhole(s);
  });

  it("packet: the document and the step to sent are written together or not at all, and printing again works", async () => {
    s = linkoping();
    for (let i = 0; i < 6; i++) await s.cliJson(outgoingCase(["--person", PERSON]));
    const delays = [120, 260, 400, 550, 700, 900];
    await Promise.all(delays.map((d, i) => runAndKill(s, ["packet", `2026-00000${i + 1}`, "-o", join(s.home, `p${i}.pdf`)], d)));
    await expectWhole(s);
    for (const c of await s.cliJson(["case", "list"])) {
      const docs = (await s.cliJson(["case", "show", c.diaryNumber])).documents;
      // Either nothing of the packet was recorded, or both its document and the status change were.
      if (c.status === "registered") expect(docs).toHaveLength(1);
      else expect({ status: c.status, docs: docs.length }).toEqual({ status: "sent", docs: 2 });
      const again = await s.cli(["packet", c.diaryNumber, "-o", join(s.home, `again-${c.id}.pdf`)]);
      expect(again.code, again.stderr).toBe(0);
      expect((await s.cliJson(["case", "show", c.diaryNumber])).status).toBe("sent");
    }
    await expectWhole(s);
  });
});
