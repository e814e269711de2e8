// Terminal escapes from outside never reach the terminal raw (issue 12): a case summary that came in by exchange
// file holding ESC ] 0 ; title BEL and ESC [ 2 J, a C1 CSI and a bidi override; file names in a reply inbox
// holding the same. `case list`, `case show`, `diary list`, `reply inbox` and their error lines show them as
// visible escapes; --json keeps the data exactly (escaped as JSON escapes).

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, sandbox, type Sandbox } from "../helpers/cli.js";

const TITLE_AND_CLEAR = "\u001b]0;pwned\u0007\u001b[2J";
const HOSTILE = `Hemgång ${TITLE_AND_CLEAR} \u009b31m röd \u202eesrever\u202c \bslut\r`;
/** What must never reach a terminal raw: C0 controls but tab and line feed, DEL, C1, bidi embeddings/overrides/isolates. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let a: Sandbox;
let b: Sandbox;
afterEach(() => {
  a?.cleanup();
  b?.cleanup();
});

async function register(orgId: string, name: string): Promise<Sandbox> {
  const s = sandbox();
  await s.cliJson(["init", "--org-id", orgId, "--org-name", name]);
  await s.cliJson(["org", "import", "ostergotland"]);
  return s;
}

/** Runs avvik under a pseudo-terminal with colour allowed: stdout and stderr as the terminal would get them. */
function onTerminal(s: Sandbox, args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...s.env, TERM: "xterm-256color" };
  delete env.NO_COLOR;
  const command = [process.execPath, BIN, ...args].map((x) => `'${x.replace(/'/g, `'\\''`)}'`).join(" ");
  const r = spawnSync("script", ["-qfec", command, "/dev/null"], { env, cwd: s.home, encoding: "utf8", timeout: 60_000 });
  return r.stdout;
}

describe("terminal escapes in free text from outside", async () => {
  it("a case summary from an exchange file is shown with its escapes visible, and kept exactly in JSON", async () => {
    a = await register("linkoping", "Linköpings kommun");
    b = await register("norrkoping", "Norrköpings kommun");
    await a.cliJson(["case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "tillbud", "--area", "planering", "--summary", "Hemgång utan planering"]);
    // The sending side is another system that lets anything into its summary: write it there behind the tool's back.
    const db = new Database(join(a.home, "data", "avvik.db"));
    db.prepare("UPDATE cases SET summary = ?, description = ? WHERE id = 1").run(HOSTILE, `Rad ett\n${TITLE_AND_CLEAR}rad två`);
    db.close();
    const file = join(a.home, "till-norrkoping.pdf");
    await a.cliJson(["exchange", "export", "2026-000001", "-o", file]);
    // Exchange files are signed: the recipient records the sender's key.
    const key = join(a.home, "linkoping.pub");
    expect((await a.cli(["org", "key", "export", "-o", key])).code).toBe(0);
    expect((await b.cli(["org", "key", "import", "linkoping", key])).code).toBe(0);
    const imported = await b.cli(["exchange", "import", file]);
    expect(imported.code, imported.stderr).toBe(0);

    for (const args of [["case", "list"], ["case", "show", "linkoping:2026-000001"], ["diary", "list"], ["summary"], ["case", "show", "linkoping:2026-000001", "--reveal"]]) {
      const r = await b.cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr, args.join(" ")).not.toMatch(RAW);
    }
    const shown = (await b.cli(["case", "show", "linkoping:2026-000001"])).stdout;
    expect(shown).toContain("\\x1b]0;pwned\\x07\\x1b[2J");
    expect(shown).toContain("\\x9b31m");
    expect(shown).toContain("\\u202eesrever\\u202c");
    expect(shown).toContain("\\x08slut\\x0d");
    expect(shown).toContain("Rad ett\n"); // a description of several lines stays several lines
    expect((await b.cli(["case", "list"])).stdout).toContain("Hemgång \\x1b]0;pwned");

    // JSON: the very same text once parsed; in the JSON text itself nothing raw either.
    for (const args of [["case", "show", "linkoping:2026-000001", "--json"], ["case", "list", "--json"]]) {
      const r = await b.cli(args);
      expect(r.stdout, args.join(" ")).not.toMatch(RAW);
      const value = JSON.parse(r.stdout);
      expect((Array.isArray(value) ? value[0] : value).summary).toBe(HOSTILE);
    }

    // At a terminal with colour: our colours are there, nothing else of the data acts on the terminal.
    for (const args of [["case", "list"], ["case", "show", "linkoping:2026-000001"]]) {
      const screen = onTerminal(b, args);
      expect(screen, args.join(" ")).toContain("pwned");
      expect(screen).toMatch(/\u001b\[1m/); // bold: colour is on
      const stray = screen.replace(/\u001b\[\d+m/g, "").replace(/\r\n/g, "\n");
      expect(stray, args.join(" ")).not.toMatch(RAW);
      expect(screen).not.toContain("\uE000");
    }
  });

  it("file names in a reply inbox are quoted with their escapes visible, in the report and in error lines", async () => {
    b = await register("linkoping", "Linköpings kommun");
    const inbox = join(b.home, "inkorg");
    mkdirSync(inbox);
    const names = [`${TITLE_AND_CLEAR}svar.pdf`, "\u009b2Jsvar.pdf", "fd\u202efdp.exe.pdf", "klocka\u0007.pdf", "rad\n✓ Alla filer kopplade.pdf"];
    for (const n of names) writeFileSync(join(inbox, n), "inte en pdf");
    const r = await b.cli(["reply", "inbox", inbox]);
    expect(r.stdout + r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain("\\x1b]0;pwned\\x07\\x1b[2Jsvar.pdf");
    expect(r.stderr).toContain("\\x9b2Jsvar.pdf");
    expect(r.stderr).toContain("fd\\u202efdp.exe.pdf");
    // A line break in a file name does not make a line of its own.
    expect(r.stderr.split("\n").some((l) => l.startsWith("✓"))).toBe(false);
    expect(r.stderr).toContain("rad ✓ Alla filer kopplade.pdf");
    const j = await b.cli(["reply", "inbox", inbox, "--json"]);
    expect(j.stdout).not.toMatch(RAW);
    const files = JSON.stringify(JSON.parse(j.stdout));
    for (const n of names) expect(files).toContain(JSON.stringify(n).slice(1, -1));

    const attach = await b.cli(["reply", "attach", join(inbox, names[0]!)]);
    expect(attach.code).toBe(1);
    expect(attach.stderr).not.toMatch(RAW);
    const missing = await b.cli(["exchange", "import", join(inbox, `saknas${TITLE_AND_CLEAR}.pdf`)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toMatch(RAW);
  });
});
