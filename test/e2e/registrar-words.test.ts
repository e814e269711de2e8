// A registrar's words in error lines: an argument or a flag's value is named as the help names it, in the
// language chosen (issue 16: "Argumentet ref saknas" was English inside Swedish).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { incomingCase, linkoping, type Sandbox } from "../helpers/cli.js";
import { freePort } from "../helpers/smtp.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

describe("argument names in error lines", () => {
  it("are Swedish in Swedish, English with --lang en, and match the help", async () => {
    s = linkoping();
    const cases: Array<[string[], string]> = [
      [["case", "show"], "Argumentet <ärende> saknas. Se 'avvik case show --help'."],
      [["backup"], "Argumentet <fil> saknas. Se 'avvik backup --help'."],
      [["reply", "attach"], "Argumentet <fil> saknas. Se 'avvik reply attach --help'."],
      [["config", "get"], "Argumentet <nyckel> saknas. Se 'avvik config get --help'."],
      [["diary", "void"], "Argumentet <nummer> saknas. Se 'avvik diary void --help'."],
      [["case", "list", "--home"], "Flaggan --home <katalog> behöver ett värde."],
      [["--lang", "en", "case", "show"], "The argument <ref> is missing. See 'avvik case show --help'."],
      [["--lang", "en", "case", "list", "--home"], "The option --home <dir> needs a value."],
    ];
    for (const [args, message] of cases) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code, stderr: r.stderr.trim() }).toEqual({ args: args.join(" "), code: 2, stderr: message });
    }
    // A value missing in a non-terminal run (named by the command itself, in capitals) reads the same way.
    await s.cliJson(["case", "new", "--direction", "ut", "--counterpart", "region-ostergotland", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02", "--kind", "risk", "--area", "ovrigt", "--summary", "Test"]);
    expect((await s.cli(["case", "status", "2026-000001"])).stderr.trim()).toBe("Argumentet <status> saknas. Se 'avvik case status --help'.");
    expect((await s.cli(["case", "show", "--help"])).stdout).toMatch(/avvik case show \[flaggor\] <ärende>/);
  });
});

describe("errors of the system and the network, in Swedish wherever they reach the user", () => {
  const RAW = /\b(ENOENT|ECONNREFUSED|ESOCKET|ENOTFOUND|EDNS|EACCES|EISDIR)\b|Unexpected|Expected|JSON at position/;

  it("a mail server that refuses: doctor, notify, outbox flush, list, show and the summary", async () => {
    s = linkoping();
    const port = await freePort();
    // The retries as usual (3), only the pause between them short: the wording is what is tested, not the wait.
    const env = { AVVIK_SMTP_URL: `smtp://127.0.0.1:${port}`, AVVIK_MAIL_RETRY_DELAY_MS: "10" };
    const refused = `servern 127.0.0.1:${port} svarar inte (anslutningen nekades)`;
    const doctor = JSON.parse((await s.cli(["doctor", "--json"], { env })).stdout);
    expect(doctor.findings.find((f: any) => f.check === "smtp").message).toBe(
      `E-postservern 127.0.0.1:${port} går inte att nå: servern svarar inte (anslutningen nekades). Kontrollera värd, port och TLS ('avvik config list'); posten väntar i utkorgen så länge.`,
    );
    await s.cliJson([...incomingCase(), "--no-notify"]);
    const notify = await s.cli(["notify", "2026-000001", "--to", "manager"], { env });
    expect(notify.stderr).toContain(`Meddelande 1 kunde inte skickas nu: ${refused}. Det ligger kvar i utkorgen`);
    const flush = await s.cli(["outbox", "flush"], { env });
    expect(flush.code).toBe(1);
    const list = (await s.cli(["outbox", "list"])).stdout;
    expect(list).toContain(refused);
    expect((await s.cli(["outbox", "show", "1"])).stdout).toMatch(new RegExp(`^Senaste fel\\s+${refused.replace(/[().]/g, "\\$&")}$`, "m"));
    for (const text of [JSON.stringify(doctor.findings), notify.stderr, flush.stdout, flush.stderr, list]) expect(text).not.toMatch(RAW);
    // JSON keeps the stored error as the transport gave it (for scripts and the administrator).
    expect((await s.cliJson(["outbox", "list"]))[0].lastError).toMatch(/ECONNREFUSED/);
  });

  it("a settings file that is not JSON, and a profile that is not there", async () => {
    s = linkoping();
    writeFileSync(join(s.env.AVVIK_HOME!, "config.json"), '{"mail": {"from": ');
    const doctor = JSON.parse((await s.cli(["doctor", "--json"])).stdout);
    const config = doctor.findings.find((f: any) => f.check === "config").message;
    expect(config).toMatch(/^Inställningsfilen \S+config\.json kan inte läsas \(filen är inte giltig JSON[^)]*\)\. Rätta eller ta bort filen\.$/);
    const set = await s.cli(["config", "set", "mail.autoNotify", "false"]);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/filen är inte giltig JSON/);
    for (const text of [config, set.stderr]) expect(text).not.toMatch(RAW);
  });

  it("paths that are not there, for reading and for writing", async () => {
    s = linkoping();
    const missing = join(s.home, "saknas");
    const cases: Array<[string[], string]> = [
      [["restore", join(missing, "kopia.db")], `Säkerhetskopian ${join(missing, "kopia.db")} finns inte. Kontrollera sökvägen.`],
      [["backup", join(missing, "kopia.db")], `Katalogen ${missing} finns inte; ange en annan sökväg med avvik backup.`],
      [["export", "-o", join(missing, "x.csv")], `Katalogen ${missing} finns inte; ange en annan sökväg med -o.`],
      [["reply", "inbox", missing], `Katalogen ${missing} finns inte.`],
      [["classification", "import", join(missing, "k.csv")], `Kan inte läsa ${join(missing, "k.csv")}: filen eller katalogen ${join(missing, "k.csv")} finns inte.`],
    ];
    for (const [args, message] of cases) {
      const r = await s.cli(args, { env: args[0] === "restore" ? { AVVIK_HOME: join(s.home, "ny") } : {} });
      expect({ args: args.join(" "), code: r.code, stderr: r.stderr.trim() }).toEqual({ args: args.join(" "), code: 1, stderr: message });
    }
  });
});
