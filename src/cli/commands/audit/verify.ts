// `avvik audit verify [--expect ID:HASH]`: the audit trail's hash chain, exit 1 when it does not hold.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { verifyAudit } from "../../../app/audit/verify.js";
import { UsageError } from "../../../core/errors.js";
import { EXIT } from "../../errors.js";
import { auditProblemText, withMessage } from "../../problems.js";

export function registerAuditVerify(group: Command, t: Translate): void {
  const cmd = group
    .command("verify")
    .description(t("help.audit.verify"))
    .option("--expect <id:hash>", t("flag.auditExpect"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.audit.verify", run: "avvik audit verify" },
    { say: "ex.audit.expect", run: "avvik audit verify --expect 4711:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
  ]);
}

async function run(ctx: Context, o: { expect?: string }): Promise<void> {
  // A head noted outside the register (ID:HASH from an earlier `audit verify --json`).
  let anchor: { id: number; hash: string } | undefined;
  if (o.expect !== undefined) {
    const m = /^\s*(\d{1,12}):([0-9a-f]{64})\s*$/i.exec(o.expect);
    if (!m) throw new UsageError("usage.badAnchor", { value: o.expect.slice(0, 100) });
    anchor = { id: Number(m[1]), hash: m[2]!.toLowerCase() };
  }
  const r = await verifyAudit(await ctx.store(), anchor);
  const lines = r.problems.map((p) =>
    p.kind === "anchor" ? ctx.t(p.reason === "missing" ? "protection.audit.anchorMissing" : "protection.audit.anchor", { id: p.id }) : auditProblemText(ctx.t, p),
  );
  ctx.out.result({ ok: r.ok, events: r.events, head: r.head, problems: r.problems.map((p, i) => withMessage(p, lines[i]!)) }, () => {
    if (r.ok) ctx.out.line(ctx.t("protection.audit.ok", { n: r.events, head: r.head ? `${r.head.id}:${r.head.hash}` : "–" }));
  });
  if (!r.ok) {
    for (const line of lines) ctx.out.error(line);
    ctx.setExitCode(EXIT.failed);
  }
}
