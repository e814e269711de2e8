// `reply inbox` and `reply attach` under concurrency and with hostile folder entries: every reply is attached
// exactly once, whoever runs at the same time; links and other non-regular entries are skipped, never followed.

import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { replyPdf } from "../helpers/hostile-pdf.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** Diary entries of incoming documents (the attached replies), over the whole register. */
async function incoming(): Promise<Array<{ number: string; file: string; caseId: number }>> {
  return (await s.cliJson<Array<{ number: string; direction: string; file: string; caseId: number }>>(["diary", "list"])).filter((d) => d.direction === "in");
}

async function newCases(n: number): Promise<string[]> {
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) numbers.push((await s.cliJson<{ diaryNumber: string }>(outgoingCase(["--summary", `Avvikelse ${i}`]))).diaryNumber);
  return numbers;
}

describe("reply inbox: two runs on one folder", () => {
  it("attach each of 30 replies exactly once, neither crashes, and each file is in done/ once", async () => {
    s = linkoping();
    const numbers = await newCases(5);
    const inbox = join(s.home, "inkorg");
    mkdirSync(inbox);
    const names = Array.from({ length: 30 }, (_, i) => `svar-${String(i).padStart(2, "0")}.pdf`);
    names.forEach((name, i) => writeFileSync(join(inbox, name), replyPdf(["Svar på avvikelse", `Ert dnr: ${numbers[i % 5]}`, `Svar nummer ${i}`])));

    const [a, b] = await Promise.all([s.spawn(["reply", "inbox", inbox, "--json"]), s.spawn(["reply", "inbox", inbox, "--json"])]);
    for (const r of [a, b]) {
      expect(r.stderr).toBe("");
      // Each file that was left, with its reason (a case the other run answered meanwhile once failed here).
      expect(JSON.parse(r.stdout).files.filter((f: { status: string }) => f.status !== "attached")).toEqual([]);
      expect(r.code).toBe(0);
    }
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    // Between them the two runs took every file once: no file reported by both, none reported by neither.
    const reported = [...ra.files, ...rb.files].map((f: { file: string }) => f.file).sort();
    expect(reported).toEqual(names);
    expect(ra.attached + rb.attached).toBe(30);

    const entries = (await incoming());
    expect(entries).toHaveLength(30);
    expect(new Set(entries.map((e) => e.file)).size).toBe(30);
    expect(readdirSync(join(inbox, "done")).sort()).toEqual(names);
    // Nothing left in the folder: no reply, no claim folder.
    expect(readdirSync(inbox)).toEqual(["done"]);
  });

  it("puts back the files a killed run had claimed, and attaches them (once) on the next run", async () => {
    s = linkoping();
    const [number] = await newCases(1);
    const inbox = join(s.home, "inkorg");
    // A process that is gone: its claim folder still holds a reply it was reading when it died.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const claim = join(inbox, `.avvik-claim-${dead.stdout}`);
    mkdirSync(claim, { recursive: true });
    writeFileSync(join(claim, "svar.pdf"), replyPdf(["Svar", `Ert dnr: ${number}`]));
    writeFileSync(join(inbox, "annat-svar.pdf"), replyPdf(["Svar igen", `Ert dnr: ${number}`]));

    const r = s.json<{ files: Array<{ file: string; status: string }> }>(["reply", "inbox", inbox]);
    expect(r.files.map((f) => [f.file, f.status])).toEqual([["annat-svar.pdf", "attached"], ["svar.pdf", "attached"]]);
    expect((await incoming())).toHaveLength(2);
    expect(readdirSync(inbox)).toEqual(["done"]);

    // A run that died after the register had the reply but before the move: the next run finds it attached.
    mkdirSync(claim);
    writeFileSync(join(claim, "svar.pdf"), replyPdf(["Svar", `Ert dnr: ${number}`]));
    const again = s.json<{ files: Array<{ file: string; status: string; movedTo: string }> }>(["reply", "inbox", inbox]);
    expect(again.files.map((f) => [f.file, f.status])).toEqual([["svar.pdf", "already"]]);
    expect(again.files[0]!.movedTo).toBe(join(inbox, "done", "svar-1.pdf"));
    expect((await incoming())).toHaveLength(2);
  });
});

describe("reply attach: the same file by two processes at once", () => {
  it("records one diary entry; the others say it is already there", async () => {
    s = linkoping();
    const [number] = await newCases(1);
    const pdf = replyPdf(["Svar på avvikelse", `Ert dnr: ${number}`]);
    const files = [1, 2, 3, 4].map((i) => {
      const f = join(s.home, `kopia-${i}.pdf`);
      writeFileSync(f, pdf);
      return f;
    });
    const runs = await Promise.all(files.map((f) => s.spawn(["reply", "attach", f, "--json"])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const results = runs.map((r) => JSON.parse(r.stdout) as { alreadyAttached: boolean; document: { number: string } });
    expect(results.filter((r) => !r.alreadyAttached)).toHaveLength(1);
    expect(new Set(results.map((r) => r.document.number)).size).toBe(1);
    expect((await incoming())).toHaveLength(1);
  });
});

describe("reply inbox: links and other entries that are not regular files", () => {
  it("skips them with a reason, follows no link, moves and reads nothing outside the folder", async () => {
    s = linkoping();
    const [number] = await newCases(1);
    const inbox = join(s.home, "inkorg");
    const outside = join(s.home, "annanstans");
    mkdirSync(inbox);
    mkdirSync(outside);
    // A reply outside the folder that names a case: reachable only through the link.
    const secret = join(outside, "svar-utanfor.pdf");
    const secretPdf = replyPdf(["Svar", `Ert dnr: ${number}`, "Utanför inkorgen"]);
    writeFileSync(secret, secretPdf);
    symlinkSync(secret, join(inbox, "lank-ut.pdf"));
    symlinkSync(join(s.home, "finns-inte.pdf"), join(inbox, "trasig-lank.pdf"));
    mkdirSync(join(inbox, "mapp.pdf"));
    writeFileSync(join(inbox, "svar.pdf"), replyPdf(["Svar", `Ert dnr: ${number}`]));

    const r = await s.cli(["reply", "inbox", inbox, "--json"]);
    expect(r.code).toBe(1); // something was left in the folder
    const report = JSON.parse(r.stdout) as { files: Array<{ file: string; status: string; message?: string }>; attached: number; left: number };
    expect(report.files.map((f) => [f.file, f.status])).toEqual([
      ["lank-ut.pdf", "skipped"],
      ["mapp.pdf", "skipped"],
      ["svar.pdf", "attached"],
      ["trasig-lank.pdf", "skipped"],
    ]);
    expect(report.files.find((f) => f.file === "lank-ut.pdf")!.message).toMatch(/symbolisk länk/);
    expect(report.files.find((f) => f.file === "mapp.pdf")!.message).toMatch(/inte en vanlig fil/);
    expect(report.attached).toBe(1);

    // The links are where they were, still links to the same targets; the file outside is untouched and not stored.
    expect(lstatSync(join(inbox, "lank-ut.pdf")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(inbox, "lank-ut.pdf"))).toBe(secret);
    expect(lstatSync(join(inbox, "trasig-lank.pdf")).isSymbolicLink()).toBe(true);
    expect(readFileSync(secret).equals(secretPdf)).toBe(true);
    expect(readdirSync(outside)).toEqual(["svar-utanfor.pdf"]);
    expect((await incoming())).toHaveLength(1);
    expect(readdirSync(join(inbox, "done"))).toEqual(["svar.pdf"]);

    // Human output: one line per skipped entry, no Node message.
    writeFileSync(join(inbox, "svar2.pdf"), replyPdf(["Svar 2", `Ert dnr: ${number}`]));
    const human = await s.cli(["reply", "inbox", inbox]);
    expect(human.stderr).toMatch(/trasig-lank\.pdf ligger kvar: hoppas över/);
    expect(human.stderr).not.toMatch(/ENOENT|ELOOP|Error/);
  });

  it("refuses a done/ that is a link (the replies would be moved out of the folder)", async () => {
    s = linkoping();
    const [number] = await newCases(1);
    const inbox = join(s.home, "inkorg");
    const elsewhere = join(s.home, "annanstans");
    mkdirSync(inbox);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(inbox, "done"));
    writeFileSync(join(inbox, "svar.pdf"), replyPdf(["Svar", `Ert dnr: ${number}`]));
    const r = await s.cli(["reply", "inbox", inbox]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/done är inte en katalog/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(inbox, "svar.pdf"))).toBe(true);
    expect((await incoming())).toHaveLength(0);
  });
});
