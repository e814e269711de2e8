// On a terminal, a registrar whose write would meet a running import's lock waits for it with a spinner that
// says how far the import is and about how long is left, instead of being refused (src/store/importProgress.ts).
// Without a terminal the write is refused at once with the same figures (Store.write). On PostgreSQL the import
// may run on another machine: its progress is read from the server (Store.runningImport).

import { busyFigures } from "../store/importProgress.js";
import type { Context } from "./context.js";

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

/** Waits while another process's import runs (only on a terminal); returns when it has ended. */
export async function waitForImport(ctx: Context): Promise<void> {
  if (ctx.io.stderr.isTTY !== true) return;
  const store = await ctx.store();
  let shown = false;
  for (let i = 0; ; i++) {
    const p = await store.runningImport();
    if (!p) break;
    const text = ctx.t("csv.progress.waiting", busyFigures(p));
    ctx.io.stderr.write(`\r${FRAMES[i % FRAMES.length]} ${text}\u001b[K`);
    shown = true;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  if (shown) ctx.io.stderr.write("\r\u001b[K");
}
