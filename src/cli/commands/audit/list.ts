// `avvik audit list [--case REF]`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { listAudit } from "../../../app/audit/list.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import { actionName, detailsText } from "../../render.js";

export function registerAuditList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.audit.list"))
    .option("--case <ref>", t("flag.caseRef"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.audit.case", run: "avvik audit list --case 2026-000012" },
    { say: "ex.audit.all", run: "avvik audit list --json" },
  ]);
}

async function run(ctx: Context, o: { case?: string }): Promise<void> {
  const events = await listAudit(await ctx.store(), o.case);
  ctx.out.result(events, () => {
    if (events.length === 0) return ctx.out.line(ctx.t("audit.empty"));
    const t = ctx.t;
    ctx.out.table(
      [{ header: t("audit.col.id"), align: "right" }, { header: t("audit.col.at") }, { header: t("audit.col.user") }, { header: t("audit.col.action") }, { header: t("audit.col.case") }, { header: t("audit.col.details"), max: 80 }],
      events.map((e) => [String(e.id), e.at.slice(0, 19).replace("T", " "), e.user, actionName(t, e.action), e.caseId ? caseLabel(e.diaryNumber, e.caseId) : "", detailsText(e.details)]),
    );
  });
}
