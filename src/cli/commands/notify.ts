// `avvik notify REF --to ROLE|ADDR [--cc …] [--template arrived|answered|reminder] [--queue-only]`: a notice
// to people of our own organisation, through the outbox.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { notifyCase, NOTIFY_TEMPLATES } from "../../app/mail/message.js";
import { codeFromWord, codesWithWords, ROLES } from "../../core/codes.js";
import { UsageError } from "../../core/errors.js";
import { collect, parseCodeFlag, parseEmail } from "../parse.js";
import { announceAndDeliver } from "./outbox/view.js";

export interface MailFlags {
  to?: string[];
  cc?: string[];
  template?: string;
  report?: boolean;
  queueOnly?: boolean;
}

export function registerNotify(program: Command, t: Translate): void {
  const cmd = program
    .command("notify")
    .description(t("help.notify"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <role|email>", t("flag.mailTo"), collect)
    .option("--cc <role|email>", t("flag.mailCc"), collect)
    .option("--template <name>", t("flag.mailTemplate"))
    .option("--queue-only", t("flag.queueOnly"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.notify.arrived", run: "avvik notify 2026-000012 --to manager" },
    { say: "ex.notify.reminder", run: "avvik notify 2026-000012 --to mas --template reminder" },
  ]);
}

/** `--to`/`--cc` values: an e-mail address, or a role by its code or Swedish word. */
export function checkTargets(flag: string, values: string[] | undefined): string[] {
  return (values ?? []).map((v) => {
    const t = v.trim();
    if (t.includes("@")) return parseEmail(flag, t);
    const role = codeFromWord(ROLES, t);
    if (!role) throw new UsageError("usage.badCode", { flag, value: t, allowed: `${codesWithWords(ROLES)}, e-post` });
    return role;
  });
}

async function run(ctx: Context, o: MailFlags, ref: string): Promise<void> {
  if (!o.to?.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const to = checkTargets("--to", o.to);
  const cc = checkTargets("--cc", o.cc);
  const template = o.template ? parseCodeFlag("--template", NOTIFY_TEMPLATES, o.template) : undefined;
  const store = await ctx.store();
  const queued = await notifyCase(store, { ref, to, cc, home: ctx.home, env: ctx.env, ...(template ? { template } : {}) });
  await announceAndDeliver(ctx, store, queued, o.queueOnly === true);
}
