import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { fitTable, Output, TERMINAL_ROWS } from "../../src/cli/output.js";

function sink(tty: boolean, columns?: number) {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = tty;
  stream.columns = columns;
  return { stream, text: () => text };
}

const columns = [{ header: "Diarienr" }, { header: "Motpart", max: 28 }, { header: "Sammanfattning", max: 48 }];
const summary = "Utskriven från sjukhus utan läkemedelslista och utan överrapportering till hemtjänsten";

describe("tables", () => {
  it("measure millions of rows without a spread over them", () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [`2026-${String(i).padStart(6, "0")}`, "2026-000001", "samma person"]);
    const out = sink(false);
    const o = new Output(false, { stdout: out.stream, stderr: out.stream }, {});
    expect(() => o.table([{ header: "Ärende" }, { header: "Liknar" }, { header: "Skäl" }], rows)).not.toThrow();
    expect(out.text().split("\n")).toHaveLength(300_002);
  });

  it("fit the terminal: the summary shrinks with an ellipsis, other columns stay whole", () => {
    const { widths, cells } = fitTable(columns, [["2026-000001", "Region Östergötland", summary]], 60);
    expect(widths.reduce((a, b) => a + b, 0) + 4).toBeLessThanOrEqual(60);
    expect(cells[0]![0]).toBe("2026-000001");
    expect(cells[0]![1]).toBe("Region Östergötland");
    expect(cells[0]![2]!.endsWith("…")).toBe(true);
    expect(summary.startsWith(cells[0]![2]!.slice(0, -1))).toBe(true);
  });

  it("keep full values when piped, and every line within the width at a terminal", () => {
    const piped = sink(false);
    new Output(false, { stdout: piped.stream, stderr: piped.stream }, {}).table(columns, [["2026-000001", "Region Östergötland", summary]]);
    expect(piped.text()).toContain(summary);
    const tty = sink(true, 50);
    new Output(false, { stdout: tty.stream, stderr: tty.stream }, {}).table(columns, [["2026-000001", "Region Östergötland", summary]]);
    for (const line of tty.text().replace(/\u001b\[[0-9;]*m/g, "").trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(50);
    expect(tty.text()).not.toContain(summary);
  });

  it("show at most TERMINAL_ROWS rows at a terminal and say how many were left out", () => {
    const tty = sink(true, 100);
    const rows = Array.from({ length: TERMINAL_ROWS + 7 }, (_, i) => [String(i), "x", "y"]);
    const hidden = new Output(false, { stdout: tty.stream, stderr: tty.stream }, {}).table(columns, rows);
    expect(hidden).toBe(7);
    expect(tty.text().trimEnd().split("\n")).toHaveLength(TERMINAL_ROWS + 1);
  });
});
