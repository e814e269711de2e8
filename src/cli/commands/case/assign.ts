// `avvik case assign REF --to CONTACT` (in a terminal without --to: a choice of our contacts)

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { assignableContacts, assignCase } from "../../../app/case/assign.js";
import { UsageError } from "../../../core/errors.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import type { Contact } from "../../../core/types.js";
import type { Translate } from "../../../i18n/index.js";
import type { Store } from "../../../store/store.js";
import { codeName } from "../../render.js";

export function registerCaseAssign(group: Command, t: Translate): void {
  const cmd = group
    .command("assign")
    .description(t("help.case.assign"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <contact>", t("flag.assignTo"))
    .option("--json", t("help.json"))
    .action(action(assign));
  examples(cmd, [
    { say: "ex.case.assign", run: "avvik case assign 2026-000012 --to sara.nilsson@linkoping.example" },
    { say: "ex.case.assignName", run: 'avvik case assign 2026-000012 --to "Sara Nilsson"' },
  ]);
}

export async function assign(ctx: Context, o: { to?: string }, ref: string): Promise<void> {
  if (!o.to && !ctx.canPrompt()) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const store = await ctx.store();
  const r = await assignCase(store, ref, o.to ?? (await chooseContact(ctx, store, ref)));
  const c = r.case;
  ctx.out.result(c, () => {
    ctx.out.line(ctx.t("case.assigned", { case: caseLabel(c.diaryNumber, c.id), name: r.contact.name, email: r.contact.email }));
    if (r.statusChanged) ctx.out.line(ctx.t("case.assignedStatus", { status: codeName(ctx.t, "status", c.status) }));
  });
}

/** In a terminal: the contacts of our own organisation and its units (managers first) to choose from. */
async function chooseContact(ctx: Context, store: Store, ref: string): Promise<Contact> {
  const contacts = await assignableContacts(store);
  if (!contacts.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const { choose } = await import("../../prompt.js");
  const orgName = new Map((await store.orgs.list()).map((org) => [org.id, org.name]));
  return choose(
    ctx,
    ctx.t("menu.assign.prompt", { case: await store.cases.label(await store.cases.resolve(ref)) }),
    contacts.map((k) => ({ name: `${k.name} <${k.email}> · ${codeName(ctx.t, "role", k.role)}, ${orgName.get(k.orgId) ?? k.orgId}`, value: k })),
  );
}
