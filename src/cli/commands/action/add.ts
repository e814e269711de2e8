// `avvik action add REF --text TEXT --owner CONTACT --due D [--no-notify]`

import type { Command } from "commander";
import { addAction } from "../../../app/action/add.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { MAX_SHORT_TEXT, parseDateFlag, parseText, requireFlags } from "../../parse.js";
import { caseLabel } from "../../../core/diaryNumber.js";

export function registerActionAdd(group: Command, t: Translate): void {
  const cmd = group
    .command("add")
    .description(t("help.action.add"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--text <text>", t("flag.actionText"))
    .option("--owner <contact>", t("flag.actionOwner"))
    .option("--due <date>", t("flag.actionDue"))
    .option("--no-notify", t("flag.noNotify"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.action.add", run: 'avvik action add 2026-000012 --text "Inför checklista vid utskrivning" --owner sara.nilsson@linkoping.example --due 2026-05-15' },
    { say: "ex.action.addNoNotify", run: 'avvik action add 2026-000012 --text "Stickprov på läkemedelslistor" --owner "Sara Nilsson" --due 2026-06-01 --no-notify' },
  ]);
}

interface Options {
  text?: string;
  owner?: string;
  due?: string;
  /** false with --no-notify. */
  notify?: boolean;
}

async function run(ctx: Context, o: Options, ref: string): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["text", "--text"], ["owner", "--owner"], ["due", "--due"]]);
  const text = parseText("--text", o.text!, MAX_SHORT_TEXT);
  const owner = parseText("--owner", o.owner!, MAX_SHORT_TEXT);
  const due = parseDateFlag("--due", o.due!);
  let notify: { from: string | null } | undefined;
  if (o.notify !== false) {
    // The owner is told like other notices (configurable with mail.autoNotify, off with --no-notify).
    const { loadMailOptions } = await import("../../../mail/config.js");
    const options = loadMailOptions(ctx.home, ctx.env);
    if (options.autoNotify) notify = { from: options.from };
  }
  const store = await ctx.store();
  const { action: a, notice } = await addAction(store, { ref, text, owner, due, notify });
  if (notice) ctx.out.info(ctx.t("mail.noticeQueued", { id: notice.id, to: a.owner.email }));
  else if (o.notify !== false) ctx.out.info(ctx.t("action.noticeNobody"));
  ctx.out.result(a, () =>
    ctx.out.line(ctx.t("action.added", { id: a.id, case: caseLabel(a.diaryNumber, a.caseId), text: a.text, owner: `${a.owner.name} <${a.owner.email}>`, due: a.due })),
  );
}
