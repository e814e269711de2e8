// The one place that writes to the terminal. Data goes to stdout, everything else to stderr.
// In --json mode human printing is a no-op and `json()` writes exactly one value.
// Every human write makes control characters visible (src/cli/terminal.ts): text from outside never moves the
// cursor, clears the screen or sets the title. Our own colours are marked by `style()` with a token that only
// this Output knows, and become escape sequences only after that, at the stream, where colour is allowed.

import { randomBytes } from "node:crypto";
import { jsonVisible, visible } from "./terminal.js";

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export type Align = "left" | "right";
export interface Column {
  header: string;
  align?: Align;
  /** Cut longer cells with an ellipsis (for free text in tables). */
  max?: number;
}

export function colourAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
}

const codes = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof codes;

// A private-use character around a per-process random key: data cannot forge a colour token.
const MARK = "\uE000";
const END = "\uE001";

export class Output {
  readonly color: boolean;
  private readonly errorColor: boolean;
  private wroteJson = false;
  private readonly key = randomBytes(6).toString("hex");
  private readonly token = new RegExp(`${MARK}${this.key}(\\d+)${END}`, "g");

  constructor(
    readonly jsonMode: boolean,
    private readonly streams: Streams,
    env: NodeJS.ProcessEnv,
  ) {
    this.color = colourAllowed(streams.stdout, env);
    this.errorColor = colourAllowed(streams.stderr, env);
  }

  /** `text` in a style, on a terminal that shows colour (the text itself is made visible when written). */
  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [on, off] = codes[style];
    return `${MARK}${this.key}${on}${END}${text}${MARK}${this.key}${off}${END}`;
  }

  /**
   * What reaches a stream: control characters made visible (line breaks kept only in `multiline` text), then our
   * colour tokens as SGR (or nothing).
   */
  private render(text: string, stream: Streams["stdout"], multiline = true): string {
    const colour = stream === this.streams.stdout ? this.color : this.errorColor;
    return visible(text, multiline).replace(this.token, (_m, code: string) => (colour ? `\u001b[${code}m` : ""));
  }

  /** Human text to stdout (nothing in --json mode). Line breaks in `text` are kept; other controls shown. */
  line(text = ""): void {
    if (this.jsonMode) return;
    this.streams.stdout.write(`${this.render(text, this.streams.stdout)}\n`);
  }

  /**
   * The single JSON value of a command: indented for a person at a terminal, compact for a program. C1 and bidi
   * characters in strings are written as \u escapes (JSON.stringify already does so for C0): the same data.
   */
  json(value: unknown): void {
    if (this.wroteJson) throw new Error("json() called twice");
    this.wroteJson = true;
    this.streams.stdout.write(`${jsonVisible(JSON.stringify(value, null, this.streams.stdout.isTTY ? 2 : undefined))}\n`);
  }

  /** A JSON array whose items are already JSON texts (large listings built by the database), written as they come. */
  async jsonTexts(items: AsyncIterable<string> | Iterable<string>): Promise<void> {
    if (this.streams.stdout.isTTY) {
      const all: unknown[] = [];
      for await (const t of items) all.push(JSON.parse(t) as unknown);
      return this.json(all);
    }
    if (this.wroteJson) throw new Error("json() called twice");
    this.wroteJson = true;
    let chunk: string[] = [];
    let size = 0;
    let first = true;
    this.streams.stdout.write("[");
    for await (const item of items) {
      chunk.push(first ? item : `,${item}`);
      first = false;
      size += item.length;
      if (size > 1 << 20) {
        this.streams.stdout.write(jsonVisible(chunk.join("")));
        chunk = [];
        size = 0;
      }
    }
    this.streams.stdout.write(`${jsonVisible(chunk.join(""))}]\n`);
  }

  /** Prints `value` as JSON in --json mode, else calls `human`. */
  result(value: unknown, human: () => void): void {
    if (this.jsonMode) this.json(value);
    else human();
  }

  /** Status, progress and warnings: stderr, never stdout. */
  info(text: string): void {
    this.streams.stderr.write(`${this.render(text, this.streams.stderr)}\n`);
  }

  /** A warning is one line: a line break in it (a file name, a server's answer) is shown as a space. */
  warn(text: string): void {
    const prefix = this.errorColor ? "\u001b[33m!\u001b[39m " : "! ";
    this.streams.stderr.write(`${prefix}${this.render(text, this.streams.stderr, false)}\n`);
  }

  /** An error is one line, as a warning. */
  error(text: string): void {
    this.streams.stderr.write(`${this.render(text, this.streams.stderr, false)}\n`);
  }

  /** How many of `n` rows a table shows here: all when piped, at most TERMINAL_ROWS at a terminal. */
  terminalRows(n: number): number {
    return this.streams.stdout.isTTY === true ? Math.min(n, TERMINAL_ROWS) : n;
  }

  /**
   * Renders aligned columns; header in bold on a TTY. Cells are plain text, one line each, made visible before they are measured (style after padding).
   * On a terminal the table fits its width (see `fitTable`) and at most `TERMINAL_ROWS` rows are shown (the
   * number left out is returned, for the caller to say how to see them all); piped output keeps every row and
   * every full value, written in chunks.
   */
  table(columns: Column[], rows: string[][], styleCell?: (row: number, col: number, text: string) => string): number {
    if (this.jsonMode) return 0;
    const out = this.streams.stdout as Streams["stdout"] & { columns?: number };
    const terminal = out.isTTY === true;
    const shown = terminal && rows.length > TERMINAL_ROWS ? rows.slice(0, TERMINAL_ROWS) : rows;
    const { widths, cells } = fitTable(columns, shown, terminal ? out.columns : undefined);
    const pad = (text: string, i: number) => {
      const w = widths[i] ?? 0;
      return columns[i]?.align === "right" ? text.padStart(w) : text.padEnd(w);
    };
    const last = columns.length - 1;
    let chunk: string[] = [this.style("bold", columns.map((c, i) => (i === last ? cutTo(c.header, widths[i]!) : pad(cutTo(c.header, widths[i]!), i))).join("  ").trimEnd())];
    cells.forEach((r, ri) => {
      chunk.push(
        r
          .map((c, i) => {
            const text = i === last && columns[i]?.align !== "right" ? c : pad(c, i);
            return styleCell ? styleCell(ri, i, text) : text;
          })
          .join("  ")
          .trimEnd(),
      );
      if (chunk.length >= 4096) {
        this.streams.stdout.write(`${this.render(chunk.join("\n"), this.streams.stdout)}\n`);
        chunk = [];
      }
    });
    if (chunk.length) this.streams.stdout.write(`${this.render(chunk.join("\n"), this.streams.stdout)}\n`);
    return rows.length - shown.length;
  }
}

/** At a terminal, a table shows at most this many rows (the rest: `--json` or a pipe). */
export const TERMINAL_ROWS = 500;

function cutTo(text: string, width: number): string {
  return text.length <= width ? text : width <= 1 ? "…".slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/**
 * The one place that decides a table's column widths. Each column is as wide as its widest cell (measured in
 * a loop: a spread over millions of rows overflows the call stack). Given a terminal width, columns that may
 * be cut (`max`: free text such as the summary) are cut to `max`, then shrunk, the last first, with an
 * ellipsis until the table fits; other columns keep their values whole, so nothing wraps in the middle of a
 * word. Without a terminal width (piped) every value is kept whole.
 */
export function fitTable(columns: Column[], rows: string[][], terminalWidth?: number): { widths: number[]; cells: string[][] } {
  let cells = rows.map((r) => r.map((c) => visible(c.replace(/[\r\n\t]+/g, " "), false)));
  const natural = columns.map((c) => c.header.length);
  for (const r of cells) {
    for (let i = 0; i < columns.length; i++) {
      const l = (r[i] ?? "").length;
      if (l > natural[i]!) natural[i] = l;
    }
  }
  if (!terminalWidth || terminalWidth <= 0) return { widths: natural, cells };
  const widths = natural.map((w, i) => (columns[i]!.max ? Math.min(w, columns[i]!.max!) : w));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * Math.max(0, columns.length - 1);
  const MIN = 8;
  for (let i = columns.length - 1; i >= 0 && total() > terminalWidth; i--) {
    if (!columns[i]!.max) continue;
    const floor = Math.min(widths[i]!, Math.max(MIN, columns[i]!.header.length));
    widths[i] = Math.max(floor, widths[i]! - (total() - terminalWidth));
  }
  cells = cells.map((r) => r.map((c, i) => (columns[i]?.max ? cutTo(c, widths[i]!) : c)));
  return { widths, cells };
}
