// Delivery called what it is, and a person's look at the summary that leaves the cron mail whole (issue 16).
//   - without a mail server nothing is sent: flush, outbox list/show, doctor and the summary say the messages were
//     only saved as .eml files; JSON keeps status "sent" with channel "file" ("smtp" when a server took them);
//   - `summary` at a terminal only looks; `--mark` (the README's crontab) records the run.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, BUNDLE, ROOT, incomingCase, linkoping, type Sandbox } from "../helpers/cli.js";
import { TestSmtp } from "../helpers/smtp.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

/** A stream that keeps what is written and says it is a terminal (as a person's shell would give avvik). */
class Terminal extends Writable {
  isTTY = true;
  columns = 200;
  private text = "";
  override _write(chunk: Buffer | string, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  get output(): string {
    return this.text;
  }
}

/** Runs avvik in this process with stdin and stdout terminals: a person at the keyboard. */
async function atTerminal(sb: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = createRequire(import.meta.url)(BUNDLE) as { main: (a: string[], io: unknown) => Promise<number> };
  const stdin = Object.assign(Readable.from([]), { isTTY: true });
  const stdout = new Terminal();
  const stderr = new Terminal();
  process.env.TZ = sb.env.TZ;
  const code = await main(args, { stdin, stdout, stderr, env: { ...sb.env, ...env }, cwd: sb.home });
  return { code, stdout: stdout.output, stderr: stderr.output };
}

describe("delivery without a mail server", () => {
  it("says the messages were saved as .eml files and nothing was sent, in flush, list, show, doctor and summary", async () => {
    s = linkoping();
    const sent = join(s.env.AVVIK_HOME!, "outbox", "sent");
    for (let i = 0; i < 3; i++) await s.cliJson(incomingCase());
    const flush = await s.cli(["outbox", "flush"]);
    expect(flush.code).toBe(0);
    expect(flush.stdout.trim()).toBe(`3 sparade som .eml-filer i ${sent}; inget har skickats (ingen e-postserver inställd).`);

    await s.cliJson(incomingCase());
    expect((await s.cli(["outbox", "flush"])).stdout.trim()).toBe(`1 sparat som .eml-fil i ${sent}; inget har skickats (ingen e-postserver inställd).`);
    expect((await s.cli(["--lang", "en", "outbox", "flush"])).stdout.trim()).toBe("Nothing to send.");

    const list = (await s.cli(["outbox", "list"])).stdout;
    expect(list.split("\n").filter((l) => /^\s*\d+\s+2026-/.test(l)).every((l) => /sparad som \.eml/.test(l))).toBe(true);
    expect(list).not.toMatch(/skickad\b/);
    expect(list.trim().split("\n").at(-1)).toBe("0 köade, 4 sparade som .eml-filer (inte skickade).");
    const json = await s.cliJson(["outbox", "list"]);
    expect(json.map((m: any) => [m.status, m.channel])).toEqual(Array(4).fill(["sent", "file"]));

    const show = (await s.cli(["outbox", "show", "1"])).stdout;
    expect(show).toMatch(/^Status\s+sparad som \.eml$/m);
    expect(show).toMatch(/^Fil\s+\S+\.eml$/m);

    const doctor = await s.cliJson(["doctor"]);
    const smtp = doctor.findings.find((f: any) => f.check === "smtp");
    expect(smtp.status).toBe("warn");
    expect(smtp.message).toMatch(/ingen e-post skickas/);
    expect(doctor.ok).toBe(true);

    const summary = await s.cli(["summary", "--peek"]);
    expect(summary.stdout).toContain(`E-post: ingen e-postserver är inställd. 4 meddelanden har bara sparats som .eml-filer i ${sent} och inte skickats.`);
    expect((await s.cliJson(["summary", "--peek"])).mailFiles).toEqual({ count: 4, dir: sent });
  });

  it("says what a mail server took, with channel smtp", async () => {
    s = linkoping();
    const server = await new TestSmtp().start();
    try {
      await s.cliJson([...incomingCase(), "--no-notify"]);
      await s.cliJson(["notify", "2026-000001", "--to", "manager", "--queue-only"]);
      await s.cliJson(["notify", "2026-000001", "--to", "mas", "--queue-only"]);
      const r = await s.cli(["outbox", "flush"], { env: { AVVIK_SMTP_URL: server.url } });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`2 skickade via e-postservern 127.0.0.1:${server.port}, 0 kvar efter försök, 0 inte försökta.`);
      expect((await s.cliJson(["outbox", "list"])).map((m: any) => m.channel)).toEqual(["smtp", "smtp"]);
      expect((await s.cli(["outbox", "list"])).stdout.trim().split("\n").at(-1)).toBe("0 köade, 2 skickade.");
      expect((await s.cliJson(["summary", "--peek"], { env: { AVVIK_SMTP_URL: server.url } })).mailFiles).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

describe("summary: a person looks, cron marks", () => {
  const newCases = (r: { stdout: string }) => JSON.parse(r.stdout).newCases.map((c: any) => c.diaryNumber);

  it("at a terminal only looks (and says so); --mark records the run; --mark with --peek is refused", async () => {
    s = linkoping({ now: "2026-03-10T09:00:00" });
    await s.cliJson([...incomingCase(), "--no-notify"]);
    const look = await atTerminal(s, ["summary"]);
    expect(look.code).toBe(0);
    expect(look.stdout).toMatch(/Nya ärenden \(1\)/);
    expect(look.stderr).toMatch(/Bara visad: nästa sammanfattning .* --mark räknar körningen\./);
    expect(newCases(await atTerminal(s, ["summary", "--json"]))).toEqual(["2026-000001"]);
    expect(JSON.parse((await atTerminal(s, ["summary", "--json"])).stdout).marked).toBe(false);
    // The cron mail after the person's looks still lists the new case.
    const later = { AVVIK_NOW: "2026-03-10T10:00:00" };
    const cron = await s.cli(["summary", "--mark", "--json"], { env: later });
    expect(newCases(cron)).toEqual(["2026-000001"]);
    expect(JSON.parse(cron.stdout).marked).toBe(true);
    expect(newCases(await s.cli(["summary", "--json"], { env: { AVVIK_NOW: "2026-03-10T11:00:00" } }))).toEqual([]);
    // --mark at a terminal counts too.
    await s.cliJson([...incomingCase(), "--no-notify"], { env: { AVVIK_NOW: "2026-03-10T12:00:00" } });
    const marked = await atTerminal(s, ["summary", "--mark"], { AVVIK_NOW: "2026-03-10T12:30:00" });
    expect(marked.stderr).not.toMatch(/Bara visad/);
    expect(newCases(await s.cli(["summary", "--peek", "--json"], { env: { AVVIK_NOW: "2026-03-10T13:00:00" } }))).toEqual([]);
    const both = await s.cli(["summary", "--mark", "--peek"]);
    expect({ code: both.code, stderr: both.stderr.trim() }).toEqual({ code: 2, stderr: "--mark och --peek går inte ihop. Ange en av dem." });
  });

  it("the README's crontab line runs as written and lists the new case a person had already looked at", async () => {
    s = linkoping({ now: "2026-03-10T09:00:00" });
    await s.cliJson([...incomingCase(), "--no-notify"]);
    await atTerminal(s, ["summary"]);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const line = readme.split("\n").find((l) => /^0 7 \* \* 1-5\s/.test(l));
    expect(line).toBeDefined();
    const command = line!.replace(/^(\S+\s+){5}/, "").replace("AVVIK_HOME=/srv/avvik", `AVVIK_HOME=${s.env.AVVIK_HOME}`);
    expect(command).toMatch(/avvik summary --mark \| mail /);
    // `avvik` and `mail` on the PATH: the bin, and a mail that keeps what it is given.
    const bin = join(s.home, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "avvik"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    writeFileSync(join(bin, "mail"), `#!/bin/sh\ncat > "${join(s.home, "mailed.txt")}"\necho "$@" > "${join(s.home, "mail-args.txt")}"\n`);
    chmodSync(join(bin, "avvik"), 0o755);
    chmodSync(join(bin, "mail"), 0o755);
    const run = () => spawnSync("bash", ["--norc", "--noprofile", "-c", command], { env: { ...s.env, AVVIK_HOME: undefined, PATH: `${bin}:${s.env.PATH}` }, encoding: "utf8" });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const mailed = readFileSync(join(s.home, "mailed.txt"), "utf8");
    expect(mailed).toMatch(/Nya ärenden \(1\)\n/);
    expect(mailed).toMatch(/Händelseloggens slutpunkt: \d+:[0-9a-f]{64}/);
    expect(readFileSync(join(s.home, "mail-args.txt"), "utf8")).toContain("samordnare@kommun.example");
    // The next morning's mail starts after this one.
    expect(run().status).toBe(0);
    expect(readFileSync(join(s.home, "mailed.txt"), "utf8")).toMatch(/Nya ärenden \(0\): inga/);
  });
});
