// `avvik outbox flush`: send what is queued (SMTP, or .eml files without a server); exit 1 when some failed.

import { hostname } from "node:os";
import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { flushMessages } from "../../../app/mail/outbox.js";
import { EXIT } from "../../errors.js";
import { withInterrupt } from "../../interrupt.js";
import { messageView } from "./view.js";

export function registerOutboxFlush(group: Command, t: Translate): void {
  const cmd = group.command("flush").description(t("help.outbox.flush")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.outbox.flush", run: "avvik outbox flush" },
    { say: "ex.outbox.cron", run: "AVVIK_SMTP_URL=smtp://smtp.kommun.example:25 avvik outbox flush --json" },
  ]);
}

async function run(ctx: Context): Promise<void> {
  const store = await ctx.store();
  const { FlushInterrupted } = await import("../../../mail/deliver.js");
  let r;
  try {
    r = await withInterrupt((signal) => flushMessages(store, { home: ctx.home, env: ctx.env, signal }), () => ctx.out.warn(ctx.t("mail.interrupting")));
  } catch (err) {
    // Ctrl-C: what was accepted is recorded; say how far it came, then exit 130.
    if (err instanceof FlushInterrupted) ctx.out.warn(ctx.t("mail.flushInterrupted", { sent: err.result.sent }));
    throw err;
  }
  const counts = await store.outbox.counts();
  const held = r.heldElsewhere.reduce((n, h) => n + h.count, 0);
  const value = {
    transport: r.transport,
    channel: r.transport,
    target: r.target,
    sent: r.sent,
    failed: r.failed,
    skipped: r.skipped,
    remaining: counts.queued,
    gaveUp: r.gaveUp,
    outbox: counts,
    held,
    heldBy: r.heldElsewhere,
    messages: r.messages.map((m) => messageView(m, r.files[m.id])),
  };
  ctx.out.result(value, () => {
    if (r.claimed > 0 && r.transport === "file") {
      // No mail server: nothing has left this machine, and the line says so (failures are warned below).
      ctx.out.line(ctx.t("mail.flushSavedFiles", { n: r.sent, dir: r.target }));
    } else if (r.claimed > 0) {
      ctx.out.line(ctx.t("mail.flushDone", { sent: r.sent, failed: r.failed, skipped: r.skipped, target: r.target }));
    } else if (held === 0) {
      // Nothing queued at all (a message another run holds is never "nothing").
      ctx.out.line(counts.failed > 0 ? ctx.t("mail.flushNothingFailed", { failed: counts.failed }) : ctx.t("mail.flushNothing"));
    }
    if (held > 0) {
      const holders = r.heldElsewhere
        .map((h) => (h.pid === null ? ctx.t("mail.flushHolderUnknown") : h.host && h.host !== hostname() ? ctx.t("mail.flushHolderHost", { pid: h.pid, host: h.host }) : ctx.t("mail.flushHolder", { pid: h.pid })))
        .join(", ");
      ctx.out.line(ctx.t("mail.flushHeld", { n: held, holders }));
    }
  });
  if (r.gaveUp > 0) ctx.out.warn(ctx.t("mail.flushGaveUp", { n: r.gaveUp }));
  const left = r.failed - r.gaveUp + r.skipped;
  if (left > 0) ctx.out.warn(ctx.t("mail.flushFailed", { n: left }));
  if (r.failed + r.skipped > 0) ctx.setExitCode(EXIT.failed);
}
