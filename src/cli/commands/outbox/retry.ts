// `avvik outbox retry ID`: a failed message queued again.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { retryMessage } from "../../../app/mail/outbox.js";
import { parsePositiveInt } from "../../parse.js";
import { messageView } from "./view.js";

export function registerOutboxRetry(group: Command, t: Translate): void {
  const cmd = group.command("retry").description(t("help.outbox.retry")).argument("<id>", "nr").option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.outbox.failed", run: "avvik outbox list --status failed" },
    { say: "ex.outbox.retry", run: "avvik outbox retry 7" },
  ]);
}

async function run(ctx: Context, _o: unknown, idText: string): Promise<void> {
  const id = parsePositiveInt("ID", idText.replace(/^#/, ""));
  const m = await retryMessage(await ctx.store(), id);
  ctx.out.result(messageView(m), () => ctx.out.line(ctx.t("mail.retried", { id })));
}
