import type { Command } from "commander";
import { codesWithWords, foldWord, ORG_KINDS, type OrgKind } from "../../core/codes.js";
import { DEFAULT_DEADLINE_MONTHS } from "../../core/deadline.js";
import { DEFAULT_DIARY_FORMAT, DiaryTemplate } from "../../core/diaryNumber.js";
import { RefusedError, UsageError } from "../../core/errors.js";
import { isMessageKey, type MessageKey, type Translate } from "../../i18n/index.js";
import type { Context } from "../context.js";
import { action } from "../command.js";
import { requireFlags, parseAddress, parseCodeFlag, parseDeadlineMonths, parseOrgId, parseText, MAX_SHORT_TEXT } from "../parse.js";

export interface InitOptions {
  orgId?: string;
  orgName?: string;
  kind?: string;
  diaryFormat?: string;
  deadlineMonths?: string;
  address?: string;
}

export function registerInit(program: Command, t: Translate): void {
  program
    .command("init")
    .description(t("help.init"))
    .option("--org-id <id>", t("flag.orgId"))
    .option("--org-name <name>", t("flag.orgName"))
    .option("--kind <kind>", `${t("flag.orgKind")}: ${codesWithWords(ORG_KINDS, ", ")}`, "municipality")
    .option("--diary-format <fmt>", t("flag.diaryFormat"))
    .option("--deadline-months <n>", t("flag.deadlineMonths"))
    .option("--address <text>", t("flag.address"))
    .option("--json", t("help.json"))
    .action(action<InitOptions>(init));
}

export function parseDiaryFormat(t: Translate, value: string): DiaryTemplate {
  const parsed = DiaryTemplate.parse(value);
  if (parsed instanceof DiaryTemplate) return parsed;
  throw new UsageError("error.diaryFormatInvalid", { format: value, reason: t(`error.diaryFormat.${parsed.error}` as MessageKey) });
}

/** `avvik init` in a terminal without the required flags: a short dialogue (the values are checked as typed). */
export async function initDialogue(ctx: Context, o: InitOptions): Promise<void> {
  const { ask, choose } = await import("../prompt.js");
  const t = ctx.t;
  const check = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch (e) {
      return e instanceof UsageError && isMessageKey(e.key) ? t(e.key, e.params) : String(e);
    }
  };
  o.orgName ??= await ask(ctx, (p) => p.input({ message: t("init.prompt.name"), validate: (v) => check(() => parseText("--org-name", v, MAX_SHORT_TEXT)) }));
  const suggested = suggestOrgId(o.orgName);
  o.orgId ??= await ask(ctx, (p) => p.input({ message: t("init.prompt.id"), default: suggested || undefined, validate: (v) => check(() => parseOrgId("--org-id", v)) }));
  if (o.kind === undefined || o.kind === "municipality") {
    o.kind = await choose(ctx, t("init.prompt.kind"), ORG_KINDS.map((k) => ({ name: t(`orgKind.${k}` as MessageKey), value: k as string })), { default: o.kind ?? "municipality" });
  }
  o.diaryFormat ??= await ask(ctx, (p) =>
    p.input({
      message: t("init.prompt.format"),
      default: DEFAULT_DIARY_FORMAT,
      validate: (v) => check(() => parseDiaryFormat(t, v)),
    }),
  );
  o.deadlineMonths ??= await ask(ctx, (p) =>
    p.input({ message: t("init.prompt.months"), default: String(DEFAULT_DEADLINE_MONTHS), validate: (v) => check(() => parseDeadlineMonths("--deadline-months", v)) }),
  );
}

/** "Linköpings kommun" → "linkopings-kommun"; a first guess at an id. */
function suggestOrgId(name: string): string {
  return foldWord(name).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
}

export async function init(ctx: Context, o: InitOptions): Promise<void> {
  if ((!o.orgId || !o.orgName) && ctx.canPrompt()) await initDialogue(ctx, o);
  requireFlags(o as Record<string, unknown>, [["orgId", "--org-id"], ["orgName", "--org-name"]]);
  const id = parseOrgId("--org-id", o.orgId!);
  const name = parseText("--org-name", o.orgName!, MAX_SHORT_TEXT);
  const kind: OrgKind = parseCodeFlag("--kind", ORG_KINDS, o.kind ?? "municipality");
  const template = parseDiaryFormat(ctx.t, o.diaryFormat ?? DEFAULT_DIARY_FORMAT);
  const months = o.deadlineMonths ? parseDeadlineMonths("--deadline-months", o.deadlineMonths) : DEFAULT_DEADLINE_MONTHS;
  const address = o.address ? parseAddress(o.address) : null;

  const { Store } = await import("../../store/store.js");
  const actor = { user: ctx.user, now: ctx.now };
  if (Store.exists(ctx.home)) {
    const existing = Store.create({ home: ctx.home, actor, keyFile: ctx.keyFile });
    try {
      const org = existing.settings.get("org_id");
      if (org) throw new RefusedError("error.alreadyInitialised", { home: ctx.home, org });
    } finally {
      existing.close();
    }
  }
  // A data directory made beforehand (mkdir with a wide umask, a shared folder) becomes private first.
  const { tightenHome } = await import("../../store/protection.js");
  const wasOpen = tightenHome(ctx.home);
  if (wasOpen) ctx.out.warn(ctx.t("init.homeModeFixed", { home: ctx.home, mode: wasOpen }));
  const store = Store.create({ home: ctx.home, actor, keyFile: ctx.keyFile });
  try {
    store.write(() => {
      store.settings.set("org_id", id);
      store.settings.set("diary_format", template.source);
      store.settings.set("deadline_months", String(months));
      store.orgs.add({ id, name, kind, address }, true);
      store.audit.record("init", null, { org: id, diaryFormat: template.source, deadlineMonths: months });
    });
    // The key that signs our exchange files (docs/exchange/signing.md); its creation is audited.
    const signing = (await import("../../exchange/keys.js")).ourSigningKey(store);
    const year = Number(store.today.slice(0, 4));
    const result = { home: ctx.home, org: { id, name, kind }, diaryFormat: template.source, deadlineMonths: months, keyFile: store.keyFile, signingKey: { file: signing.file, fingerprint: signing.fingerprint } };
    ctx.out.result(result, () => {
      ctx.out.line(ctx.t("init.done", { org: name, home: ctx.home, format: template.source, example: template.format(year, 1), months }));
      ctx.out.line(ctx.t("init.keyNote", { key: store.keyFile }));
      ctx.out.line(ctx.t("init.signingKeyNote", { file: signing.file, fingerprint: signing.fingerprint }));
    });
  } finally {
    store.close();
  }
}
