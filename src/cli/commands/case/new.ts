// `avvik case new`: driven by flags in scripts, a guided dialogue for whatever is missing in a terminal.

import { AREAS, DIRECTIONS, KINDS, type Area, type Direction, type Kind } from "../../../core/codes.js";
import { parseIsoDate } from "../../../core/dates.js";
import { DUPLICATE_WINDOW_DAYS } from "../../../core/duplicates.js";
import { FailedError, InterruptedError, InvalidDataError, UsageError } from "../../../core/errors.js";
import { findPersonalNumbers, isPersonalNumber, maskPersonalNumber, parsePersonalNumber } from "../../../core/personnummer.js";
import type { Case, NewCaseInput, Org } from "../../../core/types.js";
import type { MessageKey } from "../../../i18n/index.js";
import type { Store } from "../../../store/store.js";
import { registerCase } from "../../../app/case/new.js";
import { waitForImport } from "../../importWait.js";
import type { Context } from "../../context.js";
import { action } from "../../command.js";
import { examples } from "../../help.js";
import type { Command } from "commander";
import { codesWithWords } from "../../../core/codes.js";
import type { Translate } from "../../../i18n/index.js";
import { collect, requireFlags, MAX_SHORT_TEXT, MAX_TEXT, parseCodeFlag, parseDateFlag, parseOrgId, parsePersonFlag, parseRefFlag, parseText } from "../../parse.js";
import { ask, choose, longText, yesNo } from "../../prompt.js";
import { codeName } from "../../render.js";

export function registerCaseNew(group: Command, t: Translate): void {
  const cmd = group
    .command("new")
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
  examples(cmd, [
    { say: "ex.case.newDialogue", run: "avvik case new" },
    {
      say: "ex.case.newOut",
      run: 'avvik case new --direction out --counterpart region-ostergotland --unit ro-viss --event-date 2026-03-01 --discovered-date 2026-03-02 --kind tillbud --area lakemedel --summary "Utskriven utan läkemedelslista"',
    },
    {
      say: "ex.case.newIn",
      run: 'avvik case new --direction in --counterpart region-ostergotland --ref synergi:45678 --event-date 2026-02-20 --discovered-date 2026-02-21 --kind risk --area information --summary "Ofullständig överrapportering" --person 19121212-1212',
    },
  ]);
}

export interface NewOptions {
  direction?: string;
  counterpart?: string;
  unit?: string;
  eventDate?: string;
  discoveredDate?: string;
  receivedDate?: string;
  kind?: string;
  area?: string;
  summary?: string;
  description?: string;
  ref?: string[];
  person?: string[];
  /** false with --no-notify: no automatic notice to the manager. */
  notify?: boolean;
  json?: boolean;
}

const REQUIRED: Array<[keyof NewOptions, string]> = [
  ["direction", "--direction"],
  ["counterpart", "--counterpart"],
  ["eventDate", "--event-date"],
  ["discoveredDate", "--discovered-date"],
  ["kind", "--kind"],
  ["area", "--area"],
  ["summary", "--summary"],
];

export async function caseNew(ctx: Context, o: NewOptions): Promise<Case> {
  const store = await ctx.store();
  const missing = REQUIRED.filter(([k]) => !o[k]);
  if (missing.length) {
    if (!ctx.canPrompt()) requireFlags(o as Record<string, unknown>, REQUIRED, true);
    await dialogue(ctx, store, o);
  }
  const input = await validate(ctx, store, o);
  await waitForImport(ctx);
  const r = await registerCase(store, input, { notify: o.notify !== false, home: ctx.home, env: ctx.env });
  const c = r.case;
  if (r.notice) {
    const to = r.notice.recipients.filter((x) => x.kind === "to").map((x) => x.address).join(", ");
    ctx.out.info(ctx.t("mail.noticeQueued", { id: r.notice.id, to }));
  } else if (r.noticeNobody) {
    ctx.out.warn(ctx.t("mail.noticeNobody", { case: r.label }));
  }
  // Warned on stderr when the new case looks like one already registered (double reporting).
  for (const d of r.likelyDuplicates.slice(0, 3)) {
    const reasons = d.reasons.map((x) => ctx.t(`duplicates.reason.${x}` as MessageKey, { n: DUPLICATE_WINDOW_DAYS })).join(", ");
    ctx.out.warn(ctx.t("duplicates.warnNew", { case: d.diaryNumber, reasons, self: r.label }));
  }
  if (r.likelyDuplicates.length > 3) ctx.out.warn(ctx.t("duplicates.warnMore", { n: r.likelyDuplicates.length - 3 }));
  ctx.out.result(c, () => {
    ctx.out.line(ctx.t("case.created", { number: r.label, direction: codeName(ctx.t, "direction", c.direction).toLowerCase(), counterpart: c.counterpart.name, due: c.dueDate }));
  });
  return c;
}

/** Everything checked before anything is written; returns the input for the store. */
export async function validate(ctx: Context, store: Store, o: NewOptions): Promise<NewCaseInput> {
  const direction: Direction = parseCodeFlag("--direction", DIRECTIONS, o.direction!);
  const kind: Kind = parseCodeFlag("--kind", KINDS, o.kind!);
  const area: Area = parseCodeFlag("--area", AREAS, o.area!);
  const eventDate = parseDateFlag("--event-date", o.eventDate!);
  const discoveredDate = parseDateFlag("--discovered-date", o.discoveredDate!);
  const receivedDate = o.receivedDate ? parseDateFlag("--received-date", o.receivedDate) : direction === "in" ? store.today : null;
  const summary = parseText("--summary", o.summary!, MAX_SHORT_TEXT);
  const description = o.description ? parseText("--description", o.description, MAX_TEXT) : null;
  const refs = (o.ref ?? []).map((r) => parseRefFlag("--ref", r));
  const persons = (o.person ?? []).map((p) => parsePersonFlag("--person", p, store.today, (r) => ctx.t(`usage.pnr.${r}` as MessageKey)));

  if (eventDate > discoveredDate) throw new InvalidDataError("error.dateOrder", { event: eventDate, discovered: discoveredDate });
  for (const [flag, date] of [["--event-date", eventDate], ["--discovered-date", discoveredDate], ["--received-date", receivedDate]] as const) {
    if (date && date > store.today) throw new InvalidDataError("error.dateFuture", { flag, date, today: store.today });
  }
  const self = await store.orgs.self();
  const counterpart = await store.orgs.require(parseOrgId("--counterpart", o.counterpart!));
  if (counterpart.id === self.id) throw new InvalidDataError("error.counterpartSelf", { org: self.name });
  if (counterpart.parentId) throw new InvalidDataError("error.counterpartIsUnit", { id: counterpart.id, parent: counterpart.parentId });
  let unitId: string | null = null;
  if (o.unit) {
    const unit = await store.orgs.require(parseOrgId("--unit", o.unit));
    const top = await store.orgs.topOf(unit);
    if (top.id !== counterpart.id && top.id !== self.id) throw new InvalidDataError("error.unitNotOfParties", { unit: unit.id, counterpart: counterpart.name });
    unitId = unit.id;
  }
  return { direction, counterpartId: counterpart.id, unitId, eventDate, discoveredDate, receivedDate, kind, area, summary, description, refs, persons };
}

async function dialogue(ctx: Context, store: Store, o: NewOptions): Promise<void> {
  const t = ctx.t;
  const self = await store.orgs.self();
  const tops = (await store.orgs.list()).filter((org) => !org.self && !org.parentId);
  if (!o.counterpart && tops.length === 0) throw new FailedError("error.noCounterparts", {});
  // Each answer is checked when it is given, with the same rules as the flags (not after "Registrera ärendet?").
  const dateInput = (message: MessageKey, def?: string, notBefore?: { date: string; event: string }) =>
    ask(ctx, (p) =>
      p.input({
        message: t(message),
        default: def,
        validate: (v) => {
          const d = parseIsoDate(v);
          if (!d) return t("case.prompt.invalidDate");
          if (d > store.today) return t("error.dateFuture", { flag: "", date: d, today: store.today }).trim();
          if (notBefore && d < notBefore.date) return t("error.dateOrder", { event: notBefore.event, discovered: d });
          return true;
        },
      }),
    );
  const noPnr = (v: string) => (findPersonalNumbers(v, store.today).length ? t("case.prompt.hasPnr") : true);

  o.direction ??= await choose(ctx, t("case.prompt.direction"), [
    { name: t("case.prompt.directionIn"), value: "in" },
    { name: t("case.prompt.directionOut"), value: "out" },
  ]);
  o.counterpart ??= await choose(
    ctx,
    t("case.prompt.counterpart"),
    tops.map((org: Org) => ({ name: `${org.name} (${org.id})`, value: org.id })),
  );
  if (o.unit === undefined) {
    const units = [...(await store.orgs.unitsOf(o.counterpart)), ...(await store.orgs.unitsOf(self.id))];
    if (units.length) {
      const unit = await choose(ctx, t("case.prompt.unit"), [
        { name: t("case.prompt.noUnit"), value: "" },
        ...units.map((u) => ({ name: `${u.name} (${u.id})`, value: u.id })),
      ]);
      o.unit = unit || undefined;
    }
  }
  o.eventDate ??= await dateInput("case.prompt.eventDate", store.today);
  o.discoveredDate ??= await dateInput("case.prompt.discoveredDate", o.eventDate, { date: o.eventDate, event: o.eventDate });
  if (o.direction === "in" && !o.receivedDate) o.receivedDate = await dateInput("case.prompt.receivedDate", store.today, undefined);
  o.kind ??= await choose(ctx, t("case.prompt.kind"), KINDS.map((k) => ({ name: codeName(t, "kind", k), value: k })));
  o.area ??= await choose(ctx, t("case.prompt.area"), AREAS.map((a) => ({ name: codeName(t, "area", a), value: a })));
  o.summary ??= await ask(ctx, (p) =>
    p.input({ message: t("case.prompt.summary"), validate: (v) => (v.trim() ? noPnr(v) : t("case.prompt.required")) }),
  );
  if (o.description === undefined) {
    const d = await longText(ctx, t("case.prompt.description"), { validate: (v) => (v.length > MAX_TEXT ? t("case.prompt.tooLong", { max: MAX_TEXT }) : noPnr(v)) });
    o.description = d || undefined;
  }
  if (!o.ref?.length) {
    // External references (Synergi, MedControl …): the key the other party's answer will carry.
    o.ref = [];
    for (;;) {
      const r = await ask(ctx, (p) =>
        p.input({
          message: t("case.prompt.ref"),
          validate: (v) => {
            if (!v.trim()) return true;
            try {
              parseRefFlag("--ref", v);
              return true;
            } catch (e) {
              return e instanceof UsageError ? t("case.prompt.badRef", { value: v.trim() }) : String(e);
            }
          },
        }),
      );
      if (!r.trim()) break;
      o.ref.push(r.trim());
    }
  }
  if (!o.person?.length) {
    o.person = [];
    while (await yesNo(ctx, t("case.prompt.addPerson"), false)) {
      const pnr = await ask(ctx, (p) =>
        p.input({
          message: t("case.prompt.person"),
          // Once entered, the number is shown masked like everywhere else.
          transformer: (v, { isFinal }) => {
            const r = parsePersonalNumber(v, store.today);
            return isFinal && isPersonalNumber(r) ? maskPersonalNumber(r.digits) : v;
          },
          validate: (v) => {
            const r = parsePersonalNumber(v, store.today);
            return isPersonalNumber(r) ? true : t(`usage.pnr.${r.error}` as MessageKey);
          },
        }),
      );
      const name = await ask(ctx, (p) => p.input({ message: t("case.prompt.personName") }));
      o.person.push(name.trim() ? `${pnr}:${name.trim()}` : pnr);
    }
  }
  const ok = await yesNo(ctx, t("case.prompt.confirm"), true);
  if (!ok) {
    ctx.out.info(t("case.prompt.cancelled"));
    throw new InterruptedError();
  }
}
