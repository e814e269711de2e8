// `avvik contact list [--org ID] [--role ROLE]`

import type { Command } from "commander";
import { listContacts } from "../../../app/contact/list.js";
import { ROLES } from "../../../core/codes.js";
import type { MessageKey, Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { parseCodeFlag, parseOrgId } from "../../parse.js";

export function registerContactList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.contact.list"))
    .option("--org <id>", t("flag.orgFilter"))
    .option("--role <role>", t("flag.roleFilter"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.contact.list", run: "avvik contact list --org linkoping" },
    { say: "ex.contact.listRole", run: "avvik contact list --role coordinator" },
  ]);
}

async function run(ctx: Context, o: { org?: string; role?: string }): Promise<void> {
  const contacts = await listContacts(await ctx.store(), {
    ...(o.org !== undefined ? { orgId: parseOrgId("--org", o.org) } : {}),
    ...(o.role !== undefined ? { role: parseCodeFlag("--role", ROLES, o.role) } : {}),
  });
  ctx.out.result(contacts, () => {
    if (contacts.length === 0) return ctx.out.line(ctx.t("contact.none"));
    ctx.out.table(
      [{ header: ctx.t("contact.col.org") }, { header: ctx.t("contact.col.role") }, { header: ctx.t("contact.col.name") }, { header: ctx.t("contact.col.email") }],
      contacts.map((c) => [c.orgId, ctx.t(`role.${c.role}` as MessageKey), c.name, c.email]),
    );
  });
}
