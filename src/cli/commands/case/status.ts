// `avvik case status REF [STATUS]` (in a terminal without STATUS: a choice of the allowed next steps)

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { currentCase, moveCase } from "../../../app/case/status.js";
import { codesWithWords, STATUSES, type Status } from "../../../core/codes.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import { RefusedError, UsageError, messageRef } from "../../../core/errors.js";
import { allowedNext } from "../../../core/workflow.js";
import type { Translate } from "../../../i18n/index.js";
import { parseCodeFlag } from "../../parse.js";
import { codeName } from "../../render.js";

export function registerCaseStatus(group: Command, t: Translate): void {
  const cmd = group
    .command("status")
    .description(t("help.case.status"))
    .argument("<ref>", t("flag.caseRef"))
    .argument("[status]", codesWithWords(STATUSES, ", "))
    .option("--json", t("help.json"))
    .action(action(status));
  examples(cmd, [
    { say: "ex.case.statusSent", run: "avvik case status 2026-000012 sent" },
    { say: "ex.case.statusInvestigating", run: "avvik case status 2026-000013 investigating" },
  ]);
}

export async function moveTo(ctx: Context, ref: string, to: Status): Promise<void> {
  const r = await moveCase(await ctx.store(), ref, to);
  const c = r.case;
  const label = caseLabel(c.diaryNumber, c.id);
  ctx.out.result(c, () =>
    ctx.out.line(
      to === "closed" ? ctx.t("case.closed", { case: label }) : ctx.t("case.statusChanged", { case: label, from: codeName(ctx.t, "status", r.from), to: codeName(ctx.t, "status", r.to) }),
    ),
  );
}

export async function status(ctx: Context, _o: unknown, ref: string, to?: string): Promise<void> {
  if (to === undefined) {
    // In a terminal: the allowed next steps to choose from.
    if (!ctx.canPrompt()) throw new UsageError("usage.missingArgument", { name: "STATUS", command: "case status" });
    const c = await currentCase(await ctx.store(), ref);
    const next = allowedNext(c.direction, c.status);
    const label = caseLabel(c.diaryNumber, c.id);
    if (!next.length) throw new RefusedError("error.statusSame", { case: label, from: messageRef(`statusWord.${c.status}`), allowed: [] });
    const { choose } = await import("../../prompt.js");
    const chosen = await choose(ctx, ctx.t("menu.status.prompt", { case: label, status: codeName(ctx.t, "status", c.status) }), next.map((st) => ({ name: codeName(ctx.t, "status", st), value: st })));
    return moveTo(ctx, ref, chosen);
  }
  await moveTo(ctx, ref, parseCodeFlag("STATUS", STATUSES, to));
}
