// `avvik db grant ROLE --role registrar|manager|admin|reader`: run by an administrator on PostgreSQL.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { grantRole } from "../../../app/db/grant.js";
import { UsageError } from "../../../core/errors.js";
import { ROLES, type Role } from "../../../store/roles.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { requireFlags } from "../../parse.js";

export function registerDbGrant(group: Command, t: Translate): void {
  const cmd = group
    .command("grant")
    .description(t("help.db.grant"))
    .argument("<role>")
    .option("--role <role>", t("flag.grantRole"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.db.grant", run: "avvik db grant anna --role registrar" },
    { say: "ex.db.reader", run: "avvik db grant revisor --role reader" },
  ]);
}

async function run(ctx: Context, o: { role?: string }, name: string): Promise<void> {
  requireFlags(o, [["role", "--role"]]);
  const grant = o.role!.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(grant)) throw new UsageError("usage.badCode", { flag: "--role", value: o.role!, allowed: ROLES.join(", ") });
  const role = name.trim();
  if (!role || role.length > 63 || /[\u0000-\u001f\u007f]/.test(role)) throw new UsageError("usage.badText", { flag: "<role>", max: 63 });
  const r = await grantRole(await ctx.store(), { role, grant: grant as Role });
  ctx.out.result(r, () => ctx.out.line(ctx.t("db.grant.done", { role: r.role, grant: r.grant, tables: r.tables })));
  if (r.superuser) ctx.out.warn(ctx.t("db.grant.superuser", { role: r.role }));
}
