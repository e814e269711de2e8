// Text from outside (exchange files, CSV cells, PDF text, file names in an inbox) can carry terminal control
// sequences: ESC [ 2 J clears the screen, ESC ] 0 ; … BEL sets the window title, a C1 CSI (U+009B) does the
// same in one character, a carriage return or backspace overwrites what was printed, bidi overrides reorder it.
// Everything human that the CLI prints goes through `visible` (in Output), so that such characters are shown
// as escapes ("\x1b") and never act on the terminal.

// C0 controls but line feed, DEL, C1 controls; bidi embeddings, overrides, isolates and marks; the Unicode
// line and paragraph separators.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function shown(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * The text with every control character made visible: ESC as "\x1b", a C1 CSI as "\x9b", a bidi override as
 * "\u202e". A tab becomes spaces and CR LF a line feed. Line feeds are kept when `multiline` (a card, a message
 * that is several lines by design), else shown as a space (a table cell, a value inside a line).
 */
export function visible(text: string, multiline = true): string {
  let out = text.replace(/\r\n/g, "\n").replace(/\t/g, "    ");
  if (!multiline) out = out.replace(/\n/g, " ");
  return out.replace(CONTROL, shown);
}

// In JSON text, the same characters (never JSON's own white space) as \u escapes: the same data once parsed,
// but nothing a terminal acts on when the JSON is shown raw. Valid only where they stand inside strings, which
// is the only place JSON can hold them.
const JSON_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with control, C1 and bidi characters escaped as \uXXXX (JSON.parse gives back the same value). */
export function jsonVisible(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
