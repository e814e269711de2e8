// `avvik org list`

import type { Command } from "commander";
import type { MessageKey, Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { listOrgs } from "../../../app/org/list.js";
import type { Org } from "../../../core/types.js";

export function registerOrgList(group: Command, t: Translate): void {
  const cmd = group.command("list").description(t("help.org.list")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.org.list", run: "avvik org list" },
    { say: "ex.json", run: "avvik org list --json" },
  ]);
}

async function run(ctx: Context): Promise<void> {
  const orgs = await listOrgs(await ctx.store());
  ctx.out.result(orgs, () => printOrgs(ctx, orgs));
}

function printOrgs(ctx: Context, orgs: Org[]): void {
  const t = ctx.t;
  // Where post about deviations goes, shown only when some organisation has a recipient of its own.
  const recipients = orgs.some((o) => o.deviationRecipientId !== null);
  ctx.out.table(
    [
      { header: t("org.col.id") },
      { header: t("org.col.name"), max: 50 },
      { header: t("org.col.kind") },
      { header: t("org.col.parent") },
      { header: t("org.col.deadline"), align: "right" },
      ...(recipients ? [{ header: t("org.col.recipient") }] : []),
    ],
    orgs.map((o) => [
      o.parentId ? `  ${o.id}` : o.id,
      o.self ? `${o.name} ${t("org.self")}` : o.name,
      t(`orgKind.${o.kind}` as MessageKey),
      o.parentId ?? "",
      o.deadlineMonths ? t("org.months", { n: o.deadlineMonths }) : "",
      ...(recipients ? [o.deviationRecipientId ?? ""] : []),
    ]),
  );
}
