// `avvik org key list`: the counterparts' keys we trust, with who recorded them when.

import type { Command } from "commander";
import type { Translate } from "../../../../i18n/index.js";
import { action } from "../../../command.js";
import type { Context } from "../../../context.js";
import { examples } from "../../../help.js";
import { listOrgKeys } from "../../../../app/org/key.js";

export function registerOrgKeyList(group: Command, t: Translate): void {
  const cmd = group.command("list").description(t("help.org.key.list")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.orgKey.list", run: "avvik org key list" },
    { say: "ex.json", run: "avvik org key list --json" },
  ]);
}

async function run(ctx: Context): Promise<void> {
  const keys = await listOrgKeys(await ctx.store());
  ctx.out.result(keys, () => {
    if (keys.length === 0) return ctx.out.line(ctx.t("orgKey.none"));
    const t = ctx.t;
    ctx.out.table(
      [{ header: t("org.col.id") }, { header: t("org.col.name"), max: 40 }, { header: t("orgKey.col.fingerprint") }, { header: t("orgKey.col.recorded") }],
      keys.map((k) => [k.orgId, k.name, k.fingerprint, `${k.recordedAt.slice(0, 10)} ${k.recordedBy}`]),
    );
  });
}
