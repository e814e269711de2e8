// The one place that writes to the terminal. Data goes to stdout, everything else to stderr.
// In --json mode human printing is a no-op and `json()` writes exactly one value.

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

function cut(text: string, max: number | undefined): string {
  if (!max || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

export class Output {
  readonly color: boolean;
  private wroteJson = false;

  constructor(
    readonly jsonMode: boolean,
    private readonly streams: Streams,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.color = colourAllowed(streams.stdout, env);
  }

  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [on, off] = codes[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  /** Human text to stdout (nothing in --json mode). */
  line(text = ""): void {
    if (this.jsonMode) return;
    this.streams.stdout.write(`${text}\n`);
  }

  /** The single JSON value of a command: indented for a person at a terminal, compact for a program. */
  json(value: unknown): void {
    if (this.wroteJson) throw new Error("json() called twice");
    this.wroteJson = true;
    this.streams.stdout.write(`${JSON.stringify(value, null, this.streams.stdout.isTTY ? 2 : undefined)}\n`);
  }

  /** A JSON array whose items are already JSON texts (large listings built by the database), written as they come. */
  jsonTexts(items: Iterable<string>): void {
    if (this.streams.stdout.isTTY) return this.json([...items].map((t) => JSON.parse(t) as unknown));
    if (this.wroteJson) throw new Error("json() called twice");
    this.wroteJson = true;
    let chunk: string[] = [];
    let size = 0;
    let first = true;
    this.streams.stdout.write("[");
    for (const item of items) {
      chunk.push(first ? item : `,${item}`);
      first = false;
      size += item.length;
      if (size > 1 << 20) {
        this.streams.stdout.write(chunk.join(""));
        chunk = [];
        size = 0;
      }
    }
    this.streams.stdout.write(`${chunk.join("")}]\n`);
  }

  /** Prints `value` as JSON in --json mode, else calls `human`. */
  result(value: unknown, human: () => void): void {
    if (this.jsonMode) this.json(value);
    else human();
  }

  /** Status, progress and warnings: stderr, never stdout. */
  info(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    const prefix = colourAllowed(this.streams.stderr, this.env) ? "\u001b[33m!\u001b[39m " : "! ";
    this.streams.stderr.write(`${prefix}${text}\n`);
  }

  error(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  /** Renders aligned columns; header in bold on a TTY. Cells are plain text (style after padding). */
  table(columns: Column[], rows: string[][], styleCell?: (row: number, col: number, text: string) => string): void {
    if (this.jsonMode) return;
    const cells = rows.map((r) => r.map((c, i) => cut(c.replace(/[\r\n\t]+/g, " "), columns[i]?.max)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
    const pad = (text: string, i: number) => {
      const w = widths[i] ?? 0;
      return columns[i]?.align === "right" ? text.padStart(w) : text.padEnd(w);
    };
    const last = columns.length - 1;
    const lines: string[] = [];
    lines.push(this.style("bold", columns.map((c, i) => (i === last ? c.header : pad(c.header, i))).join("  ")));
    cells.forEach((r, ri) => {
      lines.push(
        r
          .map((c, i) => {
            const text = i === last && columns[i]?.align !== "right" ? c : pad(c, i);
            return styleCell ? styleCell(ri, i, text) : text;
          })
          .join("  ")
          .trimEnd(),
      );
    });
    this.streams.stdout.write(`${lines.join("\n")}\n`);
  }
}
