// Output makes control characters visible on every human path (line, info, warn, error, table) while our own
// colours still work at a terminal; data cannot forge a colour; JSON stays the same data.

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output } from "../../src/cli/output.js";
import { jsonVisible, visible } from "../../src/cli/terminal.js";

class Capture extends Writable {
  text = "";
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

const HOSTILE = "a\u001b]0;pwned\u0007\u001b[2Jb\u009b31mc\u202ed\u2066e\bf\rg\u0000h\u007fi";
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function output(tty: boolean, json = false) {
  const stdout = new Capture(tty);
  const stderr = new Capture(tty);
  return { out: new Output(json, { stdout, stderr }, { TERM: "xterm" }), stdout, stderr };
}

describe("terminal output", () => {
  it("shows every control character as an escape on every human path", () => {
    for (const tty of [false, true]) {
      const { out, stdout, stderr } = output(tty);
      out.line(HOSTILE);
      out.info(HOSTILE);
      out.warn(HOSTILE);
      out.error(HOSTILE);
      out.table([{ header: "A" }, { header: "B" }], [[HOSTILE, "x"], ["y", HOSTILE]]);
      const all = (stdout.text + stderr.text).replace(/\u001b\[\d+m/g, "");
      expect(all).not.toMatch(RAW);
      expect(stdout.text).toContain("a\\x1b]0;pwned\\x07\\x1b[2Jb\\x9b31mc\\u202ed\\u2066e\\x08f\\x0dg\\x00h\\x7fi");
    }
  });

  it("keeps line breaks of multi-line text, turns tabs into spaces, and keeps table columns aligned", () => {
    const { out, stdout } = output(false);
    out.line("one\r\ntwo\tthree");
    out.table([{ header: "Name" }, { header: "X" }], [["\u001b[2J", "1"], ["ok", "2"]]);
    const lines = stdout.text.split("\n");
    expect(lines.slice(0, 2)).toEqual(["one", "two    three"]);
    const rows = lines.slice(2, 5);
    expect(rows.map((r) => r.lastIndexOf(" ") + 1)).toEqual([rows[0]!.indexOf("X"), rows[0]!.indexOf("X"), rows[0]!.indexOf("X")]);
    expect(rows[1]).toContain("\\x1b[2J");
  });

  it("colours at a terminal with our own styles only: data cannot forge them", () => {
    const { out, stdout } = output(true);
    expect(out.color).toBe(true);
    const forged = `\uE000000000000000${"1"}\uE001 \u001b[8mhidden`;
    out.line(`${out.style("bold", "Rubrik")} ${forged}`);
    expect(stdout.text.startsWith("\u001b[1mRubrik\u001b[22m ")).toBe(true);
    expect(stdout.text.replace(/^\u001b\[1mRubrik\u001b\[22m /, "")).not.toContain("\u001b");
    expect(stdout.text).toContain("\\x1b[8mhidden");
    // Without a terminal, no colour at all, and no token left over.
    const plain = output(false);
    plain.out.line(plain.out.style("bold", "Rubrik"));
    expect(plain.stdout.text).toBe("Rubrik\n");
  });

  it("JSON keeps the very same data, with C1 and bidi characters as \\u escapes", async () => {
    const { out, stdout } = output(false, true);
    out.json({ summary: HOSTILE, list: [HOSTILE] });
    expect(stdout.text).not.toMatch(RAW);
    expect(JSON.parse(stdout.text)).toEqual({ summary: HOSTILE, list: [HOSTILE] });
    const items = output(false, true);
    await items.out.jsonTexts([JSON.stringify({ s: HOSTILE }), JSON.stringify({ s: "\u2028\u2029" })]);
    expect(items.stdout.text).not.toMatch(RAW);
    expect(JSON.parse(items.stdout.text)).toEqual([{ s: HOSTILE }, { s: "\u2028\u2029" }]);
    expect(JSON.parse(jsonVisible(JSON.stringify({ s: HOSTILE }, null, 2)))).toEqual({ s: HOSTILE });
    expect(visible("x\ny", false)).toBe("x y");
  });
});
