import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { actionName, detailsText } from "../render.js";
import { caseLabel } from "../../core/diaryNumber.js";

export function registerAudit(program: Command, t: Translate): void {
  const audit = program.command("audit").description(t("help.audit"));
  audit
    .command("list")
    .description(t("help.audit.list"))
    .option("--case <ref>", t("flag.caseRef"))
    .option("--json", t("help.json"))
    .action(action(list));
}

async function list(ctx: Context, o: { case?: string }): Promise<void> {
  const store = await ctx.store();
  const caseId = o.case ? store.cases.resolve(o.case) : undefined;
  const events = store.audit.list(caseId);
  ctx.out.result(events, () => {
    if (events.length === 0) return ctx.out.line(ctx.t("audit.empty"));
    const t = ctx.t;
    ctx.out.table(
      [{ header: t("audit.col.id"), align: "right" }, { header: t("audit.col.at") }, { header: t("audit.col.user") }, { header: t("audit.col.action") }, { header: t("audit.col.case") }, { header: t("audit.col.details"), max: 80 }],
      events.map((e) => [String(e.id), e.at.slice(0, 19).replace("T", " "), e.user, actionName(t, e.action), e.caseId ? caseLabel(e.diaryNumber, e.caseId) : "", detailsText(e.details)]),
    );
  });
}
