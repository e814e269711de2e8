// `avvik send REF --to ROLE|ADDR [--cc …] [--report] [--queue-only]`: a message to the counterpart about the
// case (the masked report attached when asked), diarised, through the outbox.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { sendCase } from "../../app/mail/message.js";
import { UsageError } from "../../core/errors.js";
import { collect } from "../parse.js";
import { codeName } from "../render.js";
import { checkTargets, type MailFlags } from "./notify.js";
import { announceAndDeliver } from "./outbox/view.js";

export function registerSend(program: Command, t: Translate): void {
  const cmd = program
    .command("send")
    .description(t("help.send"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <role|email>", t("flag.mailTo"), collect)
    .option("--cc <role|email>", t("flag.mailCc"), collect)
    .option("--report", t("flag.mailReport"))
    .option("--queue-only", t("flag.queueOnly"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.send.coordinator", run: "avvik send 2026-000012 --to coordinator --report" },
    { say: "ex.send.address", run: "avvik send 2026-000012 --to avvikelser@norrkoping.example --queue-only" },
  ]);
}

async function run(ctx: Context, o: MailFlags, ref: string): Promise<void> {
  if (!o.to?.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const to = checkTargets("--to", o.to);
  const cc = checkTargets("--cc", o.cc);
  const store = await ctx.store();
  const r = await sendCase(store, { ref, to, cc, report: o.report === true, home: ctx.home, env: ctx.env });
  if (!ctx.json) {
    ctx.out.info(ctx.t("diary.added", { number: r.doc.number, subject: r.doc.subject }));
    if (r.moved) {
      ctx.out.info(ctx.t("mail.statusChanged", { case: r.diaryNumber, from: codeName(ctx.t, "status", r.moved.from), to: codeName(ctx.t, "status", r.moved.to) }));
    }
  }
  await announceAndDeliver(ctx, store, r.queued, o.queueOnly === true, { document: r.doc.number, caseStatus: r.status });
}
