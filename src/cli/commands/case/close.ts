// `avvik case close REF` (refused while the case has open actions)

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import type { Translate } from "../../../i18n/index.js";
import { moveTo } from "./status.js";

export function registerCaseClose(group: Command, t: Translate): void {
  const cmd = group
    .command("close")
    .description(t("help.case.close"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--json", t("help.json"))
    .action(action(close));
  examples(cmd, [
    { say: "ex.case.close", run: "avvik case close 2026-000012" },
    { say: "ex.case.closeJson", run: "avvik case close 2026-000012 --json" },
  ]);
}

export async function close(ctx: Context, _o: unknown, ref: string): Promise<void> {
  await moveTo(ctx, ref, "closed");
}
