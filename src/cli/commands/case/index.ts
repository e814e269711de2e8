import type { Command } from "commander";
import { codesWithWords, AREAS, DIRECTIONS, KINDS, SEVERITIES, STATUSES, type Status } from "../../../core/codes.js";
import { RefusedError, UsageError, messageRef } from "../../../core/errors.js";
import { allowedNext } from "../../../core/workflow.js";
import type { Contact } from "../../../core/types.js";
import type { Store } from "../../../store/store.js";
import type { CaseFilter } from "../../../core/types.js";
import { isMessageKey, type MessageKey, type Translate } from "../../../i18n/index.js";
import { eventAnalysisThreshold, type CaseChanges } from "../../../store/cases.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { MAX_SHORT_TEXT, MAX_TEXT, collect, parseClassificationFlag, parseCodeFlag, parseNonNegativeInt, parseOrgId, parsePositiveInt, parseRefFlag, parseRiskLevel, parseText } from "../../parse.js";
import { codeName, printCaseCard, printCaseTable } from "../../render.js";
import { caseNew, type NewOptions } from "./new.js";
import { registerCaseReopen } from "./reopen.js";
import { caseLabel } from "../../../core/diaryNumber.js";
import { parseSecrecyGround } from "../../../core/secrecy.js";
import { redactPersonalNumbers } from "../../../core/personnummer.js";

export function registerCase(program: Command, t: Translate): void {
  const c = program.command("case").description(t("help.case"));
  c.command("new")
    .description(t("help.case.new"))
    .option("--direction <direction>", codesWithWords(DIRECTIONS, ", "))
    .option("--counterpart <org>", t("flag.counterpart"))
    .option("--unit <org>", t("flag.unit"))
    .option("--event-date <date>", t("flag.eventDate"))
    .option("--discovered-date <date>", t("flag.discoveredDate"))
    .option("--received-date <date>", t("flag.receivedDate"))
    .option("--kind <kind>", codesWithWords(KINDS, ", "))
    .option("--area <area>", codesWithWords(AREAS, ", "))
    .option("--summary <text>", t("flag.summary"))
    .option("--description <text>", t("flag.description"))
    .option("--ref <system:id>", t("flag.ref"), collect)
    .option("--person <pnr[:name]>", t("flag.person"), collect)
    .option("--no-notify", t("flag.noNotify"))
    .option("--json", t("help.json"))
    .action(action<NewOptions>(caseNew));
  c.command("show")
    .description(t("help.case.show"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--reveal", t("flag.reveal"))
    .option("--history", t("flag.history"))
    .option("--json", t("help.json"))
    .action(action(show));
  c.command("list")
    .description(t("help.case.list"))
    .option("--status <status>", codesWithWords(STATUSES, ", "))
    .option("--direction <direction>", codesWithWords(DIRECTIONS, ", "))
    .option("--overdue", t("flag.overdue"))
    .option("--due-within <days>", t("flag.dueWithin"))
    .option("--counterpart <org>", t("flag.counterpartFilter"))
    .option("--search <text>", t("flag.search"))
    .option("--limit <n>", t("flag.limit"))
    .option("--json", t("help.json"))
    .action(action(list));
  c.command("assign")
    .description(t("help.case.assign"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--to <contact>", t("flag.assignTo"))
    .option("--json", t("help.json"))
    .action(action(assign));
  c.command("update")
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
  c.command("status")
    .description(t("help.case.status"))
    .argument("<ref>", t("flag.caseRef"))
    .argument("[status]", codesWithWords(STATUSES, ", "))
    .option("--json", t("help.json"))
    .action(action(status));
  c.command("close")
    .description(t("help.case.close"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--json", t("help.json"))
    .action(action(close));
  registerCaseReopen(c, t);
}

export async function show(ctx: Context, o: { reveal?: boolean; history?: boolean }, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const c = store.cases.get(id, { documents: true });
  const persons = store.cases.persons(id, o.reveal === true);
  if (o.reveal && persons.length) store.write(() => store.audit.record("reveal", id, { persons: persons.length }));
  const actionItems = store.actions.list({ caseId: id });
  // Texts OCR read from scanned replies: personal identity numbers in them masked unless --reveal.
  const recognised = [...store.documents.recognised(id)].map(([document, hash]) => {
    const text = store.files.read(hash).toString("utf8");
    return { document, text: o.reveal ? text : redactPersonalNumbers(text, store.today, "********-****") };
  });
  const shown = { ...c, actionItems, ...(recognised.length ? { recognisedTexts: recognised } : {}) };
  const value = o.reveal ? { ...shown, persons: persons.map((p) => p.pnr), personDetails: persons } : shown;
  ctx.out.result(value, () => {
    printCaseCard(ctx, c, {
      persons,
      revealed: o.reveal === true,
      history: o.history ? store.audit.list(id) : undefined,
      actions: actionItems,
      eventAnalysisThreshold: eventAnalysisThreshold(store),
    });
    for (const r of recognised) {
      ctx.out.line("");
      ctx.out.line(ctx.t("case.recognisedText", { document: r.document }));
      for (const line of r.text.split(/\r?\n/).filter((l) => l.trim())) ctx.out.line(`  ${line.trim()}`);
    }
  });
}

export interface ListOptions {
  status?: string;
  direction?: string;
  overdue?: boolean;
  dueWithin?: string;
  counterpart?: string;
  search?: string;
  limit?: string;
}

export async function list(ctx: Context, o: ListOptions): Promise<void> {
  const filter: CaseFilter = {};
  if (o.status) filter.status = parseCodeFlag("--status", STATUSES, o.status);
  if (o.direction) filter.direction = parseCodeFlag("--direction", DIRECTIONS, o.direction);
  if (o.overdue) filter.overdue = true;
  if (o.dueWithin !== undefined) filter.dueWithin = parseNonNegativeInt("--due-within", o.dueWithin);
  if (o.search) filter.text = parseText("--search", o.search, MAX_SHORT_TEXT);
  if (o.limit) filter.limit = parsePositiveInt("--limit", o.limit);
  const store = await ctx.store();
  if (o.counterpart) filter.counterpartId = store.orgs.require(parseOrgId("--counterpart", o.counterpart)).id;
  if (ctx.json) return ctx.out.jsonTexts(store.cases.iterateJson(filter));
  printCaseTable(ctx, store.cases.list(filter));
}

export async function assign(ctx: Context, o: { to?: string }, ref: string): Promise<void> {
  if (!o.to && !ctx.canPrompt()) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const contact = o.to ? store.contacts.find(o.to) : await chooseContact(ctx, store, id);
  const r = store.write(() => store.cases.assign(id, contact));
  const c = store.cases.get(id);
  ctx.out.result(c, () => {
    ctx.out.line(ctx.t("case.assigned", { case: caseLabel(c.diaryNumber, id), name: contact.name, email: contact.email }));
    if (r.statusChanged) ctx.out.line(ctx.t("case.assignedStatus", { status: codeName(ctx.t, "status", c.status) }));
  });
}

/** In a terminal: the contacts of our own organisation and its units (managers first) to choose from. */
async function chooseContact(ctx: Context, store: Store, id: number): Promise<Contact> {
  const self = store.orgs.self();
  const ours = new Set([self.id, ...store.orgs.unitsOf(self.id).map((u) => u.id)]);
  const contacts = store.contacts
    .list()
    .filter((k) => ours.has(k.orgId))
    .sort((a, b) => Number(b.role === "manager") - Number(a.role === "manager"));
  if (!contacts.length) throw new UsageError("usage.missingFlag", { flag: "--to" });
  const { choose } = await import("../../prompt.js");
  const orgName = new Map(store.orgs.list().map((org) => [org.id, org.name]));
  return choose(
    ctx,
    ctx.t("menu.assign.prompt", { case: store.cases.label(id) }),
    contacts.map((k) => ({ name: `${k.name} <${k.email}> · ${codeName(ctx.t, "role", k.role)}, ${orgName.get(k.orgId) ?? k.orgId}`, value: k })),
  );
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
}

export async function update(ctx: Context, o: UpdateOptions, ref: string): Promise<void> {
  const changes: CaseChanges = {};
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
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  if (o.unit) changes.unitId = store.orgs.require(parseOrgId("--unit", o.unit)).id;
  if (o.duplicateOf !== undefined) {
    // Linking duplicates is for the statistics: the event counts once. A link never forms a chain.
    changes.duplicateOf = o.duplicateOf.trim().toLowerCase() === "none" ? null : store.stats.duplicateTarget(id, store.cases.resolve(o.duplicateOf));
  }
  // A secrecy marking (OSL) is the register's, not the case's content: it may change on a closed case too.
  const secrecy = o.secret === undefined ? undefined : parseSecrecyGround(o.secret, "--secret", store.today);
  // A closed case may still be marked as a duplicate (or unmarked), which changes the statistics, be classified
  // (the register's filing, e.g. before an archive delivery) or marked secret: none changes the matter itself.
  const keys = Object.keys(changes);
  const onlyRegister = keys.length === 0 ? secrecy !== undefined : keys.every((k) => k === "duplicateOf" || k === "classification");
  const changed = store.write(() => {
    // Decided on the status read in the transaction: another run may have closed the case meanwhile.
    const before = store.cases.get(id);
    if (before.status === "closed" && !onlyRegister) throw new RefusedError("error.caseClosed", { case: caseLabel(before.diaryNumber, id) });
    const fields = store.cases.update(id, changes);
    if (changes.duplicateOf) store.stats.repointDuplicates(id, changes.duplicateOf);
    if (secrecy !== undefined && store.cases.setSecrecy(id, secrecy)) fields.push("secrecy");
    return fields;
  });
  const c = store.cases.get(id);
  const label = caseLabel(c.diaryNumber, id);
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

async function moveTo(ctx: Context, ref: string, to: Status): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const r = store.write(() => store.cases.setStatus(id, to));
  const c = store.cases.get(id);
  const label = caseLabel(c.diaryNumber, id);
  ctx.out.result(c, () =>
    ctx.out.line(
      to === "closed" ? ctx.t("case.closed", { case: label }) : ctx.t("case.statusChanged", { case: label, from: codeName(ctx.t, "status", r.from), to: codeName(ctx.t, "status", r.to) }),
    ),
  );
}

export async function status(ctx: Context, _o: unknown, ref: string, to?: string): Promise<void> {
  if (to === undefined) {
    // In a terminal: the allowed next steps to choose from.
    if (!ctx.canPrompt()) throw new UsageError("usage.missingArgument", { name: "STATUS", command: "case status" });
    const store = await ctx.store();
    const c = store.cases.get(store.cases.resolve(ref));
    const next = allowedNext(c.direction, c.status);
    const label = caseLabel(c.diaryNumber, c.id);
    if (!next.length) throw new RefusedError("error.statusSame", { case: label, from: messageRef(`statusWord.${c.status}`), allowed: [] });
    const { choose } = await import("../../prompt.js");
    const chosen = await choose(ctx, ctx.t("menu.status.prompt", { case: label, status: codeName(ctx.t, "status", c.status) }), next.map((st) => ({ name: codeName(ctx.t, "status", st), value: st })));
    return moveTo(ctx, ref, chosen);
  }
  await moveTo(ctx, ref, parseCodeFlag("STATUS", STATUSES, to));
}

export async function close(ctx: Context, _o: unknown, ref: string): Promise<void> {
  await moveTo(ctx, ref, "closed");
}
