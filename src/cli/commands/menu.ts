// `avvik` with no arguments in a terminal: a menu of the day's work. Every choice runs the same handler as
// its command (case new, case update, case status, exchange export …) with what the menu already knows filled
// in; the handler asks for what is missing, prints its result, and the menu offers the natural next step.
// Ctrl-C in a dialogue returns to the menu; Ctrl-C in the menu itself ends avvik (exit 130, quietly).
//
// EXTENDING (after merging other areas), in this file only:
//   - a main-menu entry: one line in MENU, e.g.
//       { id: "inbox", label: "menu.inbox", run: (s) => s.with((ctx) => replyInbox(ctx, {}, dir)) }
//   - an action on a case (the case submenu, and offered as next step): one entry in CASE_ACTIONS, e.g.
//       { id: "packet", label: "menu.action.packet", when: (c) => c.status !== "closed",
//         after: ["new-out", "answer"], run: (s, c) => s.with((ctx) => packet(ctx, {}, ref(c))) }
//     `after` makes it a suggested next step ("Skriv ut paket nu?") after registering (new-out, new-in) or
//     after writing the answer (answer). Suggestions are offered in the order of CASE_ACTIONS.
// The labels are catalogue keys (src/i18n sv.ts and en.ts).

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { SEVERITIES, STATUSES, type Status } from "../../core/codes.js";
import { localDate } from "../../core/dates.js";
import { FailedError, InterruptedError, MessageError, NotFoundError } from "../../core/errors.js";
import { findPersonalNumbers } from "../../core/personnummer.js";
import type { Case, Contact } from "../../core/types.js";
import { allowedNext } from "../../core/workflow.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { Context, resolveNow, type GlobalOptions } from "../context.js";
import { report } from "../errors.js";
import type { Io, Run } from "../io.js";
import { ask, choose, longText, yesNo } from "../prompt.js";
import { codeName, daysText } from "../render.js";
import { assign as caseAssign } from "./case/assign.js";
import { list as caseList } from "./case/list.js";
import { show as caseShow } from "./case/show.js";
import { status as caseStatus } from "./case/status.js";
import { update as caseUpdate, type UpdateOptions } from "./case/update.js";
import { caseNew } from "./case/new.js";
import { fileStem } from "../../app/exchange/export.js";
import { exportCase } from "./exchange/export.js";
import { importFile } from "./exchange/import.js";
import { packet } from "./packet.js";
import { inbox } from "./reply/inbox.js";

/** What a menu entry gets: the translator, the run's streams, and a way to run a handler with a fresh context. */
export interface MenuSession {
  readonly t: Translate;
  readonly io: Io;
  readonly flags: GlobalOptions;
  /** Runs `fn` with a new Context (the clock read anew, the register opened for it and closed afterwards). */
  with<T>(fn: (ctx: Context) => Promise<T> | T): Promise<T>;
  /** A line on stderr (hints, headings of the menu itself). */
  say(text: string): void;
}

export interface MenuEntry {
  id: string;
  label: MessageKey;
  run(s: MenuSession): Promise<void>;
}

export type Moment = "new-out" | "new-in" | "answer";

export interface CaseAction {
  id: string;
  label: MessageKey;
  /** Whether the action makes sense for the case as it is now. */
  when(c: Case): boolean;
  /** After which moments it is offered as the next step. */
  after?: Moment[];
  run(s: MenuSession, c: Case): Promise<void>;
}

const ref = (c: Case) => c.diaryNumber ?? String(c.id);
const DUE_SOON_DAYS = 14;

// ------------------------------------------------------------------------------------------------ the tables

export const CASE_ACTIONS: CaseAction[] = [
  {
    id: "packet",
    label: "menu.action.packet",
    after: ["new-out", "answer"],
    when: (c) => c.status !== "closed" && (c.direction === "out" ? ["registered", "sent"].includes(c.status) : c.status !== "registered" && Boolean(c.causes && c.actions)),
    run: printPacket,
  },
  {
    id: "exchange-export",
    label: "menu.action.exchangeExport",
    after: ["new-out", "answer"],
    when: (c) => c.status !== "closed" && (c.direction === "out" ? ["registered", "sent"].includes(c.status) : Boolean(c.causes || c.actions)),
    run: exchangeExport,
  },
  { id: "assign", label: "menu.action.assign", after: ["new-in"], when: (c) => c.direction === "in" && c.status !== "closed", run: assignCase },
  // (lead) mail: { id: "notify", … after: ["new-in"] }, { id: "send", … after: ["new-out", "answer"] }
  { id: "answer", label: "menu.action.answer", when: (c) => c.status !== "closed", run: writeAnswer },
  { id: "status", label: "menu.action.status", after: ["answer"], when: (c) => allowedNext(c.direction, c.status).length > 0, run: changeStatus },
  { id: "history", label: "menu.action.history", when: () => true, run: (s, c) => s.with((ctx) => caseShow(ctx, { history: true }, ref(c))) },
];

export const MENU: MenuEntry[] = [
  { id: "new-in", label: "menu.newIn", run: (s) => registerCase(s, "in") },
  { id: "new-out", label: "menu.newOut", run: (s) => registerCase(s, "out") },
  { id: "packet", label: "menu.packet", run: (s) => withCase(s, (c) => printPacket(s, c)) },
  { id: "inbox", label: "menu.inbox", run: replyInbox },
  { id: "due", label: "menu.due", run: dueCases },
  { id: "find", label: "menu.find", run: (s) => withCase(s, async (c) => caseMenu(s, c, true)) },
  { id: "answer", label: "menu.answer", run: (s) => withCase(s, async (c) => (await writeAnswer(s, c), nextSteps(s, c, "answer"))) },
  { id: "status", label: "menu.status", run: (s) => withCase(s, (c) => changeStatus(s, c)) },
  { id: "exchange-export", label: "menu.exchangeExport", run: (s) => withCase(s, (c) => exchangeExport(s, c)) },
  { id: "exchange-import", label: "menu.exchangeImport", run: exchangeImport },
  // (lead) csv: { id: "import", … }, stats: { id: "summary", … }, protection: { id: "check", … }
];

// ------------------------------------------------------------------------------------------------ the loop

export async function runMenu(flags: GlobalOptions, run: Run): Promise<number> {
  const first = new Context(flags, run);
  const t = first.t;
  const s: MenuSession = {
    t,
    io: run.io,
    flags,
    async with(fn) {
      const ctx = new Context(flags, run);
      try {
        return await fn(ctx);
      } finally {
        ctx.close();
      }
    },
    // Through Output: control characters in names and summaries made visible, colour only where allowed.
    say: (text) => first.out.info(text),
  };
  // Before `avvik init`: offer to create the register (a short dialogue), else end quietly.
  if (!(await registerExists(first))) {
    if (!(await yesNo(s, t("init.prompt.create", { home: first.home }), true))) return 0;
    await s.with(async (ctx) => {
      const { init } = await import("./init.js");
      await init(ctx, {});
    });
    s.say("");
  }
  try {
    const store = await first.store();
    const overdue = (await store.cases.list({ overdue: true })).length;
    const soon = (await store.cases.list({ dueWithin: DUE_SOON_DAYS })).length;
    s.say(first.out.style("bold", t("menu.header", { org: (await store.orgs.self()).name, today: store.today })) + `  ${t("menu.headerCounts", { overdue, soon, days: DUE_SOON_DAYS })}`);
  } finally {
    first.close();
  }
  for (;;) {
    const choices = [...MENU.map((e) => ({ name: t(e.label), value: e as MenuEntry | null })), { name: t("menu.quit"), value: null }];
    // Ctrl-C here throws InterruptedError to main: exit 130, quietly.
    const entry = await choose(s, t("menu.title"), choices, { pageSize: choices.length });
    if (!entry) return 0;
    await guarded(s, () => entry.run(s));
    s.say("");
  }
}

async function registerExists(ctx: Context): Promise<boolean> {
  try {
    await ctx.store();
    ctx.close();
    return true;
  } catch (e) {
    if (e instanceof MessageError && e.key === "error.notInitialised") return false;
    throw e;
  }
}

/** Runs a step; Ctrl-C or an error (one translated line) brings the user back instead of ending avvik. */
async function guarded(s: MenuSession, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof InterruptedError || (e instanceof Error && e.name === "ExitPromptError")) {
      s.say(s.t("menu.backToMenu"));
      return;
    }
    const r = report(e, s.t, "", s.flags.debug === true);
    if (r.message) s.say(r.message);
  }
}

// ------------------------------------------------------------------------------------------------ steps

async function registerCase(s: MenuSession, direction: "in" | "out"): Promise<void> {
  const c = await s.with((ctx) => caseNew(ctx, { direction }));
  await nextSteps(s, c, direction === "out" ? "new-out" : "new-in");
}

/** Offers the actions that naturally follow; one may be chosen, or none. */
async function nextSteps(s: MenuSession, c0: Case, moment: Moment): Promise<void> {
  const c = await fresh(s, c0);
  const offers = CASE_ACTIONS.filter((a) => a.after?.includes(moment) && a.when(c));
  if (!offers.length) return;
  const picked = await choose(s, s.t("menu.next", { case: ref(c) }), [
    ...offers.map((a) => ({ name: s.t(a.label), value: a as CaseAction | null })),
    { name: s.t("menu.backToMain"), value: null },
  ]);
  if (picked) await picked.run(s, c);
}

async function fresh(s: MenuSession, c: Case): Promise<Case> {
  return s.with(async (ctx) => (await ctx.store()).cases.get(c.id));
}

/** The case submenu: the card, then what can be done with the case, until the user goes back. */
async function caseMenu(s: MenuSession, c0: Case, showCard: boolean): Promise<void> {
  if (showCard) await s.with((ctx) => caseShow(ctx, {}, ref(c0)));
  for (;;) {
    const c = await fresh(s, c0);
    const actions = CASE_ACTIONS.filter((a) => a.when(c));
    const picked = await choose(s, s.t("menu.caseAction", { case: ref(c) }), [
      ...actions.map((a) => ({ name: s.t(a.label), value: a as CaseAction | null })),
      { name: s.t("menu.backToMain"), value: null },
    ], { pageSize: actions.length + 1 });
    if (!picked) return;
    await guarded(s, () => picked.run(s, c));
  }
}

function caseLabel(t: Translate, c: Case): string {
  const days = daysText(t, c);
  const summary = c.summary.length > 50 ? `${c.summary.slice(0, 49)}…` : c.summary;
  return `${ref(c)}  ${codeName(t, "status", c.status)}  ${c.counterpart.name}${days ? ` (${days})` : ""}  ${summary}`;
}

/** Asks for a case: a diary number or reference, or words of its summary; empty shows the open cases. */
async function pickCase(s: MenuSession): Promise<Case | undefined> {
  const text = (await ask(s, (p) => p.input({ message: s.t("menu.pick.prompt") }))).trim();
  const found = await s.with(async (ctx) => {
    const store = await ctx.store();
    if (!text) {
      const open: Case[] = [];
      for (const status of STATUSES.filter((st) => st !== "closed")) open.push(...(await store.cases.list({ status, limit: 100 })));
      return open.sort((a, b) => a.dueDate.localeCompare(b.dueDate)).slice(0, 100);
    }
    try {
      return [await store.cases.get(await store.cases.resolve(text))];
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return await store.cases.list({ text, limit: 50 });
    }
  });
  if (!found.length) {
    s.say(s.t(text ? "menu.pick.none" : "menu.pick.noOpen", { text }));
    return undefined;
  }
  if (found.length === 1 && text) return found[0];
  return choose(s, s.t("menu.pick.choose", { n: found.length }), found.map((c) => ({ name: caseLabel(s.t, c), value: c })));
}

async function withCase(s: MenuSession, fn: (c: Case) => Promise<void>): Promise<void> {
  const c = await pickCase(s);
  if (c) await fn(c);
}

async function dueCases(s: MenuSession): Promise<void> {
  const cases = await s.with(async (ctx) => {
    ctx.out.line(ctx.out.style("bold", ctx.t("menu.due.overdue")));
    await caseList(ctx, { overdue: true });
    ctx.out.line("");
    ctx.out.line(ctx.out.style("bold", ctx.t("menu.due.soon", { days: DUE_SOON_DAYS })));
    await caseList(ctx, { dueWithin: String(DUE_SOON_DAYS) });
    const store = await ctx.store();
    return [...(await store.cases.list({ overdue: true })), ...(await store.cases.list({ dueWithin: DUE_SOON_DAYS }))];
  });
  if (!cases.length) return;
  const picked = await choose(s, s.t("menu.due.open"), [
    ...cases.map((c) => ({ name: caseLabel(s.t, c), value: c as Case | null })),
    { name: s.t("menu.backToMain"), value: null },
  ]);
  if (picked) await caseMenu(s, picked, true);
}

function noPersonalNumber(s: MenuSession) {
  const today = localDate(resolveNow(s.io.env));
  return (v: string) => (findPersonalNumbers(v, today).length ? s.t("case.prompt.hasPnr") : true);
}

/** Severity, causes, actions and follow-up: the same as `case update REF --severity … --causes … …`. */
async function writeAnswer(s: MenuSession, c0: Case): Promise<void> {
  const c = await fresh(s, c0);
  const t = s.t;
  const check = noPersonalNumber(s);
  const o: UpdateOptions = {};
  const severity = await choose(s, t("menu.answer.severity"), [
    { name: c.severity ? t("menu.answer.keep", { value: codeName(t, "severity", c.severity) }) : t("menu.answer.notSet"), value: "" },
    ...SEVERITIES.map((v) => ({ name: codeName(t, "severity", v), value: v as string })),
  ]);
  if (severity) o.severity = severity;
  const text = async (message: MessageKey, current: string | null) => {
    const v = await longText(s, t(message), { default: current ?? undefined, validate: (x) => (x ? check(x) : true) });
    return v || (current ?? "");
  };
  const causes = await text("menu.answer.causes", c.causes);
  if (causes && causes !== c.causes) o.causes = causes;
  const actions = await text("menu.answer.actions", c.actions);
  if (actions && actions !== c.actions) o.actions = actions;
  const followUp = await text("menu.answer.followUp", c.followUp);
  if (followUp && followUp !== c.followUp) o.followUp = followUp;
  // What this dialogue showed for the fields it changes: another registrar may have written them meanwhile.
  o.expected = {};
  if (o.severity) o.expected.severity = c.severity;
  if (o.causes) o.expected.causes = c.causes;
  if (o.actions) o.expected.actions = c.actions;
  if (o.followUp) o.expected.followUp = c.followUp;
  await s.with((ctx) => caseUpdate(ctx, o, ref(c)));
}

/** Only the steps the workflow allows from the case's status: the same as `case status REF STATUS`. */
async function changeStatus(s: MenuSession, c0: Case): Promise<void> {
  const c = await fresh(s, c0);
  const next = allowedNext(c.direction, c.status);
  if (!next.length) {
    s.say(s.t("menu.status.none", { case: ref(c), status: codeName(s.t, "status", c.status) }));
    return;
  }
  const to = await choose(s, s.t("menu.status.prompt", { case: ref(c), status: codeName(s.t, "status", c.status) }), [
    ...next.map((st) => ({ name: codeName(s.t, "status", st), value: st as Status | null })),
    { name: s.t("menu.backToMain"), value: null },
  ]);
  if (to) await s.with((ctx) => caseStatus(ctx, {}, ref(c), to));
}

/** The responsible manager, from our own organisation's contacts: the same as `case assign REF --to …`. */
async function assignCase(s: MenuSession, c: Case): Promise<void> {
  const contacts = await s.with(async (ctx) => {
    const store = await ctx.store();
    const self = await store.orgs.self();
    const ours: Contact[] = [];
    for (const k of await store.contacts.list()) if ((await store.orgs.topOf(await store.orgs.require(k.orgId))).id === self.id) ours.push(k);
    return ours
      // The case's own unit's people first, managers before other roles.
      .sort((a, b) => Number(b.orgId === c.unit?.id) - Number(a.orgId === c.unit?.id) || Number(b.role === "manager") - Number(a.role === "manager"));
  });
  const to = contacts.length
    ? await choose(s, s.t("menu.assign.prompt", { case: ref(c) }), contacts.map((k) => ({ name: `${k.name} <${k.email}> (${codeName(s.t, "role", k.role)})`, value: k.email })))
    : (await ask(s, (p) => p.input({ message: s.t("menu.assign.email"), validate: (v) => (v.trim() ? true : s.t("case.prompt.required")) }))).trim();
  await s.with((ctx) => caseAssign(ctx, { to }, ref(c)));
}

/** The same as `exchange export REF -o FILE`. */
async function exchangeExport(s: MenuSession, c: Case): Promise<void> {
  if (!c.diaryNumber) throw new FailedError("exchange.error.notDiarised", { case: ref(c) });
  const output = await ask(s, (p) => p.input({ message: s.t("menu.exchange.file"), default: `${fileStem(c.diaryNumber!)}-exchange.pdf` }));
  await s.with((ctx) => exportCase(ctx, { output: output.trim() }, ref(c)));
}

/** The same as `packet REF [-o FILE] [--with-personal-data]`. */
async function printPacket(s: MenuSession, c: Case): Promise<void> {
  if (!c.diaryNumber) throw new FailedError("exchange.error.notDiarised", { case: ref(c) });
  const output = await ask(s, (p) => p.input({ message: s.t("menu.packet.file"), default: `${fileStem(c.diaryNumber!)}-packet.pdf` }));
  const withPersonalData = c.persons.length > 0 && (await yesNo(s, s.t("menu.packet.personal"), false));
  await s.with((ctx) => packet(ctx, { output: output.trim(), withPersonalData }, ref(c)));
}

/** The same as `reply inbox DIR`. */
async function replyInbox(s: MenuSession): Promise<void> {
  const dir = await ask(s, (p) =>
    p.input({ message: s.t("menu.inbox.dir"), default: ".", validate: (v) => (v.trim() && existsSync(resolve(s.io.cwd, v.trim())) ? true : s.t("menu.inbox.noDir")) }),
  );
  await s.with((ctx) => inbox(ctx, {}, dir.trim()));
}

/** The same as `exchange import FILE`. */
async function exchangeImport(s: MenuSession): Promise<void> {
  const file = await ask(s, (p) =>
    p.input({ message: s.t("menu.exchange.importFile"), validate: (v) => (v.trim() && existsSync(resolve(s.io.cwd, v.trim())) ? true : s.t("menu.exchange.noFile")) }),
  );
  await s.with((ctx) => importFile(ctx, {}, file.trim()));
}
