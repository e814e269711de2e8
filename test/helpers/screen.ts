// What a terminal shows after a program's output: a small emulator of the few controls our progress bars use
// (carriage return, line feed, erase in line, cursor to a column, up/down, save/restore, autowrap on/off,
// cursor shown/hidden), on a screen of a fixed width that scrolls. Enough to tell that lines printed while a
// bar is drawn arrive whole, in order, and that nothing is written over what is already on screen.

/** The lines on screen (and scrolled off above it), a line the terminal wrapped joined again. */
export function screenOf(output: string, width: number, height = 40): string[] {
  const rows: string[][] = [[]];
  const wrapped = new Set<number>();
  let y = 0;
  let x = 0;
  let wrap = true;
  let saved = { x: 0, y: 0 };
  let top = 0; // rows scrolled off above the screen (kept: the test reads the whole history)
  const row = () => (rows[y] ??= []);
  const put = (ch: string) => {
    if (x >= width) {
      if (wrap) {
        y++;
        x = 0;
        wrapped.add(y);
      } else x = width - 1;
    }
    row()[x] = ch;
    x++;
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === "\u001b") {
      const rest = output.slice(i + 1);
      const csi = /^\[(\??)([0-9;]*)([A-Za-z])/.exec(rest);
      if (csi) {
        const [all, priv, params, cmd] = csi;
        const n = Number(params!.split(";")[0] || "0");
        if (priv === "?" && params === "7") wrap = cmd === "h";
        else if (cmd === "K" && n === 2) {
          row().length = 0;
          wrapped.delete(y);
        }
        else if (priv === "?") {
          // cursor shown or hidden: nothing on screen
        } else if (cmd === "K") {
          const r = row();
          if (n === 2) r.length = 0;
          else if (n === 0) r.length = Math.min(r.length, x);
        } else if (cmd === "G") x = Math.max(0, n - 1);
        else if (cmd === "A") y = Math.max(top, y - (n || 1));
        else if (cmd === "B") y += n || 1;
        else if (cmd === "C") x += n || 1;
        else if (cmd === "D") x = Math.max(0, x - (n || 1));
        else if (cmd === "J") rows.length = y + 1;
        i += all!.length;
        continue;
      }
      if (rest[0] === "7") saved = { x, y: y - top };
      else if (rest[0] === "8") {
        x = saved.x;
        y = saved.y + top;
      }
      i += 1;
      continue;
    }
    if (ch === "\r") x = 0;
    else if (ch === "\n") {
      y++;
      x = 0;
    } else put(ch);
    // A cursor saved as a position on the screen: once rows scroll off, it points higher up in the history.
    if (y - top >= height) top = y - height + 1;
  }
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const text = Array.from(rows[i] ?? [], (c) => c ?? " ").join("");
    if (wrapped.has(i) && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  return lines.map((l) => l.trimEnd());
}
