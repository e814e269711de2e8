import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linkoping, outgoingCase, sandbox, type Sandbox } from "../helpers/cli.js";
import { freePort, TestSmtp } from "../helpers/smtp.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

type Report = { ok: boolean; findings: Array<{ check: string; status: string; message: string }> };
const doctor = async (sb: Sandbox, env: NodeJS.ProcessEnv = {}) => {
  const r = await sb.cli(["doctor", "--json"], { env });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
};
const failing = (r: Report) => r.findings.filter((f) => f.status === "fail");

describe("avvik doctor", () => {
  it("passes on a healthy register, with one line per check", async () => {
    s = linkoping();
    expect((await s.cli(outgoingCase(["--person", "19121212-1212"]))).code).toBe(0);
    const { code, report } = await doctor(s);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.check)).toEqual(["home", "database", "key", "templates", "config", "letters", "smtp"]);
    expect(report.findings.find((f) => f.check === "smtp")!.message).toContain(".eml");
    expect(report.findings.find((f) => f.check === "key")!.message).toContain("dekrypterar");
    const human = await s.cli(["doctor"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("✓ Databasen");
    expect(human.stdout).toContain("Allt ser bra ut.");
  });

  it("checks the mail server by connecting to it, and sends nothing", async () => {
    s = linkoping();
    const smtp = await new TestSmtp().start();
    try {
      const ok = await s.cli(["doctor", "--json"], { env: { AVVIK_SMTP_URL: smtp.url } });
      expect(ok.code, ok.stderr).toBe(0);
      const found = JSON.parse(ok.stdout).findings.find((f: { check: string }) => f.check === "smtp");
      expect(found).toMatchObject({ status: "ok" });
      expect(found.message).toContain(`127.0.0.1:${smtp.port} svarar`);
      expect(smtp.received).toEqual([]);
    } finally {
      await smtp.stop();
    }
    const port = await freePort();
    const down = await s.cli(["doctor", "--json"], { env: { AVVIK_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    expect(down.code).toBe(1);
    const failed = JSON.parse(down.stdout).findings.find((f: { check: string }) => f.check === "smtp");
    expect(failed).toMatchObject({ status: "fail" });
    expect(failed.message).toContain("svarar inte");
  });

  it("reports a missing key file and says what to do", async () => {
    s = linkoping();
    renameSync(join(s.home, "data", "key"), join(s.home, "key.bak"));
    const { code, report } = await doctor(s);
    expect(code).toBe(1);
    expect(failing(report)).toHaveLength(1);
    expect(failing(report)[0]).toMatchObject({ check: "key" });
    expect(failing(report)[0]!.message).toContain("saknas");
    const human = await s.cli(["doctor"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ Nyckelfilen .*key saknas/);
  });

  it("reports key and directory permissions that let others read, with the chmod to run", async () => {
    s = linkoping();
    chmodSync(join(s.home, "data", "key"), 0o644);
    chmodSync(join(s.home, "data"), 0o755);
    const { code, report } = await doctor(s);
    expect(code).toBe(1);
    const messages = failing(report).map((f) => `${f.check}: ${f.message}`);
    expect(messages).toHaveLength(2);
    expect(messages.join("\n")).toContain(`chmod 600 ${join(s.home, "data", "key")}`);
    expect(messages.join("\n")).toContain(`chmod 700 ${join(s.home, "data")}`);
  });

  it("reports a key that does not decrypt the register's persons", async () => {
    s = linkoping();
    expect((await s.cli(outgoingCase(["--person", "19121212-1212"]))).code).toBe(0);
    writeFileSync(join(s.home, "data", "key"), Buffer.alloc(32, 7).toString("base64") + "\n", { mode: 0o600 });
    const { code, report } = await doctor(s);
    expect(code).toBe(1);
    expect(failing(report).map((f) => f.check)).toEqual(["key"]);
    expect(failing(report)[0]!.message).toContain("passar inte registret");
  });

  it("reports a corrupted database file", async () => {
    s = linkoping();
    const db = join(s.home, "data", "avvik.db");
    for (const extra of ["-wal", "-shm"]) writeFileSync(db + extra, "");
    writeFileSync(db, Buffer.alloc(8192, 0x41));
    const { code, report } = await doctor(s);
    expect(code).toBe(1);
    expect(failing(report).map((f) => f.check)).toEqual(["database"]);
    expect(failing(report)[0]!.message).toMatch(/går inte att läsa|skadad/);
    expect(failing(report)[0]!.message).toContain("säkerhetskopia");
  });

  it("reports a missing data directory and a malformed settings file", async () => {
    s = sandbox();
    const { code, report } = await doctor(s);
    expect(code).toBe(1);
    expect(failing(report).map((f) => f.check)).toEqual(["home", "database", "key"]);
    expect(failing(report)[0]!.message).toContain("avvik init");
    s.cleanup();
    s = linkoping();
    writeFileSync(join(s.home, "data", "config.json"), "{ nope");
    expect(failing((await doctor(s)).report).map((f) => f.check)).toEqual(["config", "smtp"]);
  });
});
