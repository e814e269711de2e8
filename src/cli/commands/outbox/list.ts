// `avvik outbox list [--status queued|sent|failed] [--case REF]`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { listOutbox } from "../../../app/mail/outbox.js";
import { parseCodeFlag } from "../../parse.js";
import { countsText, errorText, messageView, statusKey } from "./view.js";

export function registerOutboxList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.outbox.list"))
    .option("--status <status>", t("flag.outboxStatus"))
    .option("--case <ref>", t("flag.outboxCase"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.outbox.list", run: "avvik outbox list" },
    { say: "ex.outbox.queued", run: "avvik outbox list --status queued --json" },
  ]);
}

async function run(ctx: Context, o: { status?: string; case?: string }): Promise<void> {
  const status = o.status ? parseCodeFlag("--status", ["queued", "sent", "failed"] as const, o.status) : undefined;
  const { messages, counts, files } = await listOutbox(await ctx.store(), { ...(status ? { status } : {}), ...(o.case !== undefined ? { caseRef: o.case } : {}) });
  ctx.out.result(
    messages.map((m) => messageView(m)),
    () => {
      if (messages.length === 0) return ctx.out.line(ctx.t("mail.empty"));
      ctx.out.table(
        [
          { header: ctx.t("mail.col.id"), align: "right" },
          { header: ctx.t("mail.col.case") },
          { header: ctx.t("mail.col.status") },
          { header: ctx.t("mail.col.to"), max: 36 },
          { header: ctx.t("mail.col.subject"), max: 50 },
          { header: ctx.t("mail.col.attempts"), align: "right" },
          { header: ctx.t("mail.col.error"), max: 60 },
        ],
        messages.map((m) => [
          String(m.id),
          m.diaryNumber ?? "–",
          ctx.t(statusKey(m)),
          m.recipients.filter((r) => r.kind === "to").map((r) => r.address).join(", "),
          m.subject,
          String(m.attempts),
          errorText(ctx.t, m.lastError),
        ]),
        (_row, col, text) =>
          col !== 2 ? text : text.trim() === ctx.t("mail.status.queued") ? ctx.out.style("yellow", text) : text.trim() === ctx.t("mail.status.failed") ? ctx.out.style("red", text) : text,
      );
      ctx.out.line(ctx.out.style("dim", countsText(ctx.t, counts, files)));
    },
  );
}
