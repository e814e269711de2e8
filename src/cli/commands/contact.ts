import type { Command } from "commander";
import { codesWithWords, ROLES } from "../../core/codes.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { requireFlags, MAX_SHORT_TEXT, parseCodeFlag, parseEmail, parseText } from "../parse.js";
import { parseOrgId } from "./org.js";

export function registerContact(program: Command, t: Translate): void {
  const contact = program.command("contact").description(t("help.contact"));
  contact
    .command("add")
    .description(t("help.contact.add"))
    .option("--org <id>", t("flag.contactOrg"))
    .option("--role <role>", `${t("flag.role")}: ${codesWithWords(ROLES, ", ")}`)
    .option("--name <name>", t("flag.name"))
    .option("--email <addr>", t("flag.email"))
    .option("--json", t("help.json"))
    .action(action(add));
  contact
    .command("list")
    .description(t("help.contact.list"))
    .option("--org <id>", t("flag.orgFilter"))
    .option("--role <role>", t("flag.roleFilter"))
    .option("--json", t("help.json"))
    .action(action(list));
}

interface AddOptions {
  org?: string;
  role?: string;
  name?: string;
  email?: string;
}

async function add(ctx: Context, o: AddOptions): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["org", "--org"], ["role", "--role"], ["name", "--name"], ["email", "--email"]]);
  const role = parseCodeFlag("--role", ROLES, o.role!);
  const name = parseText("--name", o.name!, MAX_SHORT_TEXT);
  const email = parseEmail("--email", o.email!);
  const store = await ctx.store();
  const org = store.orgs.require(parseOrgId("--org", o.org!));
  const contact = store.write(() => store.contacts.add({ orgId: org.id, role, name, email }));
  ctx.out.result(contact, () => ctx.out.line(ctx.t("contact.added", { name, email, role: ctx.t(`role.${role}` as MessageKey), org: org.name })));
}

async function list(ctx: Context, o: { org?: string; role?: string }): Promise<void> {
  const store = await ctx.store();
  const orgId = o.org ? store.orgs.require(parseOrgId("--org", o.org)).id : undefined;
  const role = o.role ? parseCodeFlag("--role", ROLES, o.role) : undefined;
  const contacts = store.contacts.list(orgId).filter((c) => !role || c.role === role);
  ctx.out.result(contacts, () => {
    if (contacts.length === 0) return ctx.out.line(ctx.t("contact.none"));
    ctx.out.table(
      [{ header: ctx.t("contact.col.org") }, { header: ctx.t("contact.col.role") }, { header: ctx.t("contact.col.name") }, { header: ctx.t("contact.col.email") }],
      contacts.map((c) => [c.orgId, ctx.t(`role.${c.role}` as MessageKey), c.name, c.email]),
    );
  });
}
