// `avvik org add --id ID --name NAME --kind KIND [--parent ID] [--address TEXT] [--deadline-months N] [--deviation-recipient ID]`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { addOrg } from "../../../app/org/add.js";
import { ORG_KINDS, codesWithWords } from "../../../core/codes.js";
import { MAX_SHORT_TEXT, parseAddress, parseCodeFlag, parseDeadlineMonths, parseOrgId, parseText, requireFlags } from "../../parse.js";

export function registerOrgAdd(group: Command, t: Translate): void {
  const cmd = group
    .command("add")
    .description(t("help.org.add"))
    .option("--id <id>", t("flag.newOrgId"))
    .option("--name <name>", t("flag.name"))
    .option("--kind <kind>", `${t("flag.orgKind")}: ${codesWithWords(ORG_KINDS, "|")}`)
    .option("--parent <id>", t("flag.parent"))
    .option("--address <text>", t("flag.address"))
    .option("--deadline-months <n>", t("flag.orgDeadline"))
    .option("--deviation-recipient <id>", t("flag.deviationRecipient"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.org.add", run: 'avvik org add --id norrkoping --name "Norrköpings kommun" --kind municipality --deadline-months 3' },
    { say: "ex.org.addUnit", run: 'avvik org add --id ro-ps-oster --name "Patientsäkerhetssamordnare östra länsdelen" --parent region-ostergotland --address "Box 905|612 25 Finspång"' },
  ]);
}

interface Options {
  id?: string;
  name?: string;
  kind?: string;
  parent?: string;
  address?: string;
  deadlineMonths?: string;
  deviationRecipient?: string;
}

async function run(ctx: Context, o: Options): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["id", "--id"], ["name", "--name"], ...(o.parent ? [] : ([["kind", "--kind"]] as Array<[string, string]>))]);
  const input = {
    id: parseOrgId("--id", o.id!),
    name: parseText("--name", o.name!, MAX_SHORT_TEXT),
    ...(o.kind ? { kind: parseCodeFlag("--kind", ORG_KINDS, o.kind) } : {}),
    ...(o.parent ? { parentId: parseOrgId("--parent", o.parent) } : {}),
    address: o.address ? parseAddress(o.address) : null,
    deadlineMonths: o.deadlineMonths ? parseDeadlineMonths("--deadline-months", o.deadlineMonths) : null,
    ...(o.deviationRecipient ? { deviationRecipientId: parseOrgId("--deviation-recipient", o.deviationRecipient) } : {}),
  };
  const created = await addOrg(await ctx.store(), input);
  ctx.out.result(created, () => ctx.out.line(ctx.t("org.added", { id: created.id, name: created.name })));
}
