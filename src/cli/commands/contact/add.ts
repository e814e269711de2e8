// `avvik contact add --org ID --role ROLE --name NAME --email ADDR`

import type { Command } from "commander";
import { addContact } from "../../../app/contact/add.js";
import { codesWithWords, ROLES } from "../../../core/codes.js";
import type { MessageKey, Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { MAX_SHORT_TEXT, parseCodeFlag, parseEmail, parseOrgId, parseText, requireFlags } from "../../parse.js";

export function registerContactAdd(group: Command, t: Translate): void {
  const cmd = group
    .command("add")
    .description(t("help.contact.add"))
    .option("--org <id>", t("flag.contactOrg"))
    .option("--role <role>", `${t("flag.role")}: ${codesWithWords(ROLES, ", ")}`)
    .option("--name <name>", t("flag.name"))
    .option("--email <addr>", t("flag.email"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.contact.add", run: 'avvik contact add --org linkoping-hemtjanst-ryd --role manager --name "Sara Nilsson" --email sara.nilsson@linkoping.example' },
    { say: "ex.contact.addMas", run: 'avvik contact add --org linkoping --role mas --name "MAS Linköping" --email mas@linkoping.example' },
  ]);
}

interface Options {
  org?: string;
  role?: string;
  name?: string;
  email?: string;
}

async function run(ctx: Context, o: Options): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["org", "--org"], ["role", "--role"], ["name", "--name"], ["email", "--email"]]);
  const input = {
    orgId: parseOrgId("--org", o.org!),
    role: parseCodeFlag("--role", ROLES, o.role!),
    name: parseText("--name", o.name!, MAX_SHORT_TEXT),
    email: parseEmail("--email", o.email!),
  };
  const { contact, org } = await addContact(await ctx.store(), input);
  ctx.out.result(contact, () =>
    ctx.out.line(ctx.t("contact.added", { name: contact.name, email: contact.email, role: ctx.t(`role.${contact.role}` as MessageKey), org: org.name })),
  );
}
