// `avvik org update ID --deviation-recipient ID|none`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { setDeviationRecipient } from "../../../app/org/update.js";
import { UsageError } from "../../../core/errors.js";
import { parseOrgId } from "../../parse.js";

export function registerOrgUpdate(group: Command, t: Translate): void {
  const cmd = group
    .command("update")
    .description(t("help.org.update"))
    .argument("<id>", t("flag.orgRef"))
    .option("--deviation-recipient <id>", t("flag.deviationRecipientOrNone"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.org.recipient", run: "avvik org update region-ostergotland --deviation-recipient ro-ps-oster" },
    { say: "ex.org.recipientNone", run: "avvik org update region-ostergotland --deviation-recipient ingen" },
  ]);
}

async function run(ctx: Context, o: { deviationRecipient?: string }, idText: string): Promise<void> {
  if (o.deviationRecipient === undefined) throw new UsageError("usage.missingFlag", { flag: "--deviation-recipient" });
  const id = parseOrgId("<id>", idText);
  const none = /^(none|ingen|-)$/i.test(o.deviationRecipient.trim());
  const r = await setDeviationRecipient(await ctx.store(), id, none ? null : parseOrgId("--deviation-recipient", o.deviationRecipient));
  ctx.out.result({ ...r.org, result: r.result }, () =>
    ctx.out.line(r.recipient ? ctx.t("org.recipientSet", { id, recipient: `${r.recipient.name} (${r.recipient.id})` }) : ctx.t("org.recipientCleared", { id })),
  );
}
