// `avvik outbox show ID`: one message whole, with its attempts and the server's last answer.

import type { Command } from "commander";
import type { MessageKey, Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { showOutboxMessage } from "../../../app/mail/outbox.js";
import { parsePositiveInt } from "../../parse.js";
import { errorText, messageView, statusKey, who } from "./view.js";

export function registerOutboxShow(group: Command, t: Translate): void {
  const cmd = group.command("show").description(t("help.outbox.show")).argument("<id>", "nr").option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.outbox.show", run: "avvik outbox show 7" },
    { say: "ex.json", run: "avvik outbox show 7 --json" },
  ]);
}

async function run(ctx: Context, _o: unknown, idText: string): Promise<void> {
  const id = parsePositiveInt("ID", idText.replace(/^#/, ""));
  const { message: m, maxAttempts: max } = await showOutboxMessage(await ctx.store(), id, { home: ctx.home, env: ctx.env });
  ctx.out.result({ ...messageView(m), maxAttempts: max, body: m.body }, () => {
    const row = (key: MessageKey, value: string | null) => ctx.out.line(`${ctx.out.style("dim", ctx.t(key).padEnd(16))}${value || "–"}`);
    const status = ctx.t(statusKey(m));
    row("mail.show.status", m.status === "failed" ? ctx.out.style("red", status) : status);
    row("mail.show.attempts", ctx.t("mail.show.attemptsOf", { n: m.attempts, max }));
    if (m.lastError) row("mail.show.error", errorText(ctx.t, m.lastError));
    row("mail.show.case", m.diaryNumber);
    row("mail.show.from", m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address);
    row("mail.show.to", who(m, "to"));
    row("mail.show.cc", who(m, "cc"));
    row("mail.show.subject", m.subject);
    row("mail.show.messageId", m.messageId);
    row("mail.show.attachments", m.attachments.map((a) => a.filename).join(", "));
    row("mail.show.createdAt", m.createdAt);
    row("mail.show.lastAttempt", m.lastAttemptAt);
    if (m.sentAt) row(m.transport === "file" ? "mail.show.savedAt" : "mail.show.sentAt", m.sentAt);
    if (m.failedAt) row("mail.show.failedAt", m.failedAt);
    if (m.deliveredTo.length && m.status !== "sent") row("mail.show.deliveredTo", m.deliveredTo.join(", "));
    if (m.response) row(m.transport === "file" ? "mail.show.file" : "mail.show.response", m.response);
    ctx.out.line();
    ctx.out.line(m.body.trimEnd());
  });
}
