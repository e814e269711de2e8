// `reply inbox` on a terminal (issue 13): a progress bar on stderr while the files are read, each result line
// printed above it whole (never cut at the terminal's width), the bar gone at the end and the summary on the
// line after the last result (never written over lines already on screen). Run under a real pseudo-terminal
// (util-linux `script`, 80 columns); what the terminal shows is worked out by test/helpers/screen.ts. Scans
// with QR codes only: no OCR worker is started.

import { spawn } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, linkoping, outgoingCase, ROOT, type Sandbox } from "../helpers/cli.js";
import { screenOf } from "../helpers/screen.js";

const CORPUS = join(ROOT, "fixtures", "scans", "corpus");
const WIDTH = 80;
const FILES = ["form1-150-bw.png", "form2-200-bw.tif", "form3-fax.tif"];

let boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes) b.cleanup();
  boxes = [];
});

async function withInbox(): Promise<{ s: Sandbox; inbox: string }> {
  const s = linkoping({ now: "2026-04-01T09:00:00" });
  boxes.push(s);
  for (let i = 1; i <= 3; i++) await s.cliJson(outgoingCase());
  const inbox = join(s.home, "inkorg");
  mkdirSync(inbox);
  for (const f of FILES) cpSync(join(CORPUS, f), join(inbox, f));
  // A file left with a long reason (longer than the terminal is wide).
  writeFileSync(join(inbox, "not-an-image-at-all-though-its-name-says-png.png"), "Detta är ingen bild.\n");
  return { s, inbox };
}

/** Runs avvik under a pseudo-terminal of WIDTH columns; gives everything written to it. */
function onTerminal(s: Sandbox, args: string[]): Promise<{ code: number; raw: string }> {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${WIDTH} rows 40; ${[process.execPath, BIN, ...args].map(q).join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...s.env, TERM: "xterm-256color" }, cwd: s.home, stdio: ["pipe", "pipe", "pipe"] });
  let raw = "";
  child.stdout.on("data", (d: Buffer) => (raw += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (raw += d.toString("utf8")));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, raw })));
}

describe("reply inbox on a terminal", () => {
  it("draws a progress bar, prints every line whole above it, clears it and ends with the summary", { timeout: 120_000 }, async () => {
    // What the same inbox prints without a terminal (no bar): the lines the terminal must show.
    const piped = await withInbox();
    const plain = await piped.s.cli(["reply", "inbox", piped.inbox]);
    expect(plain.code).toBe(1);
    const outLines = plain.stdout.split("\n").filter(Boolean);
    const errLines = plain.stderr.split("\n").filter(Boolean);
    expect(outLines.at(-1)).toBe("4 filer: 3 kopplade, 1 kvar.");
    expect(errLines.some((l) => l.length > WIDTH)).toBe(true);

    const tty = await withInbox();
    const r = await onTerminal(tty.s, ["reply", "inbox", tty.inbox]);
    expect(r.code).toBe(1);
    expect(r.raw).toContain("Läser svar [");
    const screen = screenOf(r.raw.replace(/\r\n/g, "\n"), WIDTH).filter(Boolean);
    // The bar is gone, and every line of the run is there whole, the summary last.
    expect(screen.filter((l) => l.includes("Läser svar"))).toEqual([]);
    for (const line of [...outLines, ...errLines]) expect(screen, line).toContain(line);
    expect(screen.at(-1)).toBe("4 filer: 3 kopplade, 1 kvar.");
    // Nothing written over, nothing twice: the screen holds exactly the lines of the run (the files are read
    // two or three at a time, so their order may differ from one run to the next).
    expect([...screen].sort()).toEqual([...outLines, ...errLines].sort());
  });
});
