// `avvik case reopen REF --reason TEXT`

import type { Command } from "commander";
import { MAX_REOPEN_REASON, reopenCase } from "../../../app/case/reopen.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { parseText, requireFlags } from "../../parse.js";
import { codeName } from "../../render.js";

export function registerCaseReopen(group: Command, t: Translate): void {
  const cmd = group
    .command("reopen")
    .description(t("help.case.reopen"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--reason <text>", t("flag.reopenReason"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.case.reopen", run: 'avvik case reopen 2026-000012 --reason "Uppföljningen i maj: listorna saknas fortfarande"' },
    { say: "ex.case.reopenJson", run: 'avvik case reopen 2026-000012 --reason "Åtgärden gav inte effekt" --json' },
  ]);
}

async function run(ctx: Context, o: { reason?: string }, ref: string): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["reason", "--reason"]]);
  const reason = parseText("--reason", o.reason!, MAX_REOPEN_REASON);
  const store = await ctx.store();
  const r = await reopenCase(store, { ref, reason });
  const c = await store.cases.get(r.caseId, { documents: true });
  ctx.out.result({ ...c, reopened: { from: r.from, to: r.to, document: r.document.number } }, () =>
    ctx.out.line(
      ctx.t("case.reopened", { case: caseLabel(r.diaryNumber, r.caseId), from: codeName(ctx.t, "status", r.from), to: codeName(ctx.t, "status", r.to), document: r.document.number }),
    ),
  );
}
