// `avvik case update REF [--severity …] [--causes …] [--probability N] [--classification CODE] [--secret GROUND|none] …`

import type { Command } from "commander";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { updateCase, type CaseUpdate } from "../../../app/case/update.js";
import { AREAS, codesWithWords, KINDS, SEVERITIES } from "../../../core/codes.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import { parseSecrecyGround } from "../../../core/secrecy.js";
import { isMessageKey, type MessageKey, type Translate } from "../../../i18n/index.js";
import { MAX_SHORT_TEXT, MAX_TEXT, collect, parseClassificationFlag, parseCodeFlag, parseOrgId, parseRefFlag, parseRiskLevel, parseText } from "../../parse.js";

export function registerCaseUpdate(group: Command, t: Translate): void {
  const cmd = group
    .command("update")
    .description(t("help.case.update"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--severity <sev>", codesWithWords(SEVERITIES, ", "))
    .option("--kind <kind>", codesWithWords(KINDS, ", "))
    .option("--area <area>", codesWithWords(AREAS, ", "))
    .option("--unit <org>", t("flag.unit"))
    .option("--summary <text>", t("flag.summary"))
    .option("--description <text>", t("flag.description"))
    .option("--causes <text>", t("flag.causes"))
    .option("--actions <text>", t("flag.actions"))
    .option("--follow-up <text>", t("flag.followUp"))
    .option("--ref <system:id>", t("flag.ref"), collect)
    .option("--duplicate-of <ref>", t("flag.duplicateOf"))
    .option("--secret <ground>", t("flag.caseSecret"))
    .option("--probability <1-4>", t("flag.probability"))
    .option("--consequence <1-4>", t("flag.consequence"))
    .option("--classification <code>", t("flag.classification"))
    .option("--json", t("help.json"))
    .action(action(update));
  examples(cmd, [
    { say: "ex.case.answer", run: 'avvik case update 2026-000012 --severity gul --causes "Rutinen för läkemedelslista följdes inte" --actions "Checklista vid utskrivning"' },
    { say: "ex.case.followUp", run: 'avvik case update 2026-000012 --follow-up "Stickprov i maj: alla listor med"' },
    { say: "ex.case.addRef", run: "avvik case update 2026-000012 --ref synergi:45678" },
    { say: "ex.case.updateSecret", run: 'avvik case update 2026-000012 --secret "25 kap. 1 § OSL"' },
    { say: "ex.case.risk", run: "avvik case update 2026-000012 --probability 3 --consequence 4" },
    { say: "ex.case.classify", run: "avvik case update 2026-000012 --classification 2.6.1" },
  ]);
}

export interface UpdateOptions {
  severity?: string;
  kind?: string;
  area?: string;
  unit?: string;
  summary?: string;
  description?: string;
  causes?: string;
  actions?: string;
  followUp?: string;
  ref?: string[];
  duplicateOf?: string;
  secret?: string;
  probability?: string;
  consequence?: string;
  classification?: string;
  /** Not a flag: the values a dialogue showed for the fields it changes (see `CaseUpdate.expected`). */
  expected?: CaseUpdate["expected"];
}

export async function update(ctx: Context, o: UpdateOptions, ref: string): Promise<void> {
  const changes: CaseUpdate["changes"] = {};
  if (o.severity) changes.severity = parseCodeFlag("--severity", SEVERITIES, o.severity);
  if (o.kind) changes.kind = parseCodeFlag("--kind", KINDS, o.kind);
  if (o.area) changes.area = parseCodeFlag("--area", AREAS, o.area);
  if (o.summary !== undefined) changes.summary = parseText("--summary", o.summary, MAX_SHORT_TEXT);
  if (o.description !== undefined) changes.description = parseText("--description", o.description, MAX_TEXT);
  if (o.causes !== undefined) changes.causes = parseText("--causes", o.causes, MAX_TEXT);
  if (o.actions !== undefined) changes.actions = parseText("--actions", o.actions, MAX_TEXT);
  if (o.followUp !== undefined) changes.followUp = parseText("--follow-up", o.followUp, MAX_TEXT);
  if (o.ref) changes.refs = o.ref.map((r) => parseRefFlag("--ref", r));
  if (o.probability !== undefined) changes.probability = parseRiskLevel("--probability", o.probability);
  if (o.consequence !== undefined) changes.consequence = parseRiskLevel("--consequence", o.consequence);
  if (o.classification !== undefined) changes.classification = parseClassificationFlag("--classification", o.classification);
  if (o.unit) changes.unitId = parseOrgId("--unit", o.unit);
  const store = await ctx.store();
  // A secrecy marking (OSL) is the register's, not the case's content: it may change on a closed case too.
  const secrecy = o.secret === undefined ? undefined : parseSecrecyGround(o.secret, "--secret", store.today);
  const { case: c, changed } = await updateCase(store, ref, { changes, ...(o.duplicateOf !== undefined ? { duplicateOf: o.duplicateOf } : {}), ...(secrecy !== undefined ? { secrecy } : {}), ...(o.expected ? { expected: o.expected } : {}) });
  const label = caseLabel(c.diaryNumber, c.id);
  ctx.out.result({ ...c, changed }, () => {
    ctx.out.line(changed.length ? ctx.t("case.updated", { case: label, fields: changed.map((f) => fieldName(ctx.t, f)).join(", ") }) : ctx.t("case.unchanged", { case: label }));
    if (changed.includes("secrecy")) ctx.out.line(c.secrecy ? ctx.t("case.secrecySet", { case: label, ground: c.secrecy }) : ctx.t("case.secrecyLifted", { case: label }));
  });
}

/** A changed field as the user reads it: "allvarlighetsgrad", "referens synergi". */
function fieldName(t: Translate, field: string): string {
  if (field.startsWith("ref:")) return t("case.field.ref", { system: field.slice(4) });
  return isMessageKey(`case.field.${field}`) ? t(`case.field.${field}` as MessageKey) : field;
}
