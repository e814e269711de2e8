// `avvik init --org-id ID --org-name NAME [--kind KIND] [--diary-format FMT] [--deadline-months N] [--address TEXT]`,
// or a short dialogue in a terminal.

import type { Command } from "commander";
import { codesWithWords, foldWord, ORG_KINDS } from "../../core/codes.js";
import { DEFAULT_DEADLINE_MONTHS } from "../../core/deadline.js";
import { DEFAULT_DIARY_FORMAT, DiaryTemplate } from "../../core/diaryNumber.js";
import { UsageError } from "../../core/errors.js";
import { initRegister } from "../../app/register/init.js";
import { isMessageKey, type MessageKey, type Translate } from "../../i18n/index.js";
import type { Context } from "../context.js";
import { action } from "../command.js";
import { examples } from "../help.js";
import { requireFlags, parseAddress, parseCodeFlag, parseDeadlineMonths, parseOrgId, parseText, MAX_SHORT_TEXT } from "../parse.js";

interface InitOptions {
  orgId?: string;
  orgName?: string;
  kind?: string;
  diaryFormat?: string;
  deadlineMonths?: string;
  address?: string;
}

export function registerInit(program: Command, t: Translate): void {
  const cmd = program
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
  examples(cmd, [
    { say: "ex.init.plain", run: 'avvik init --org-id linkoping --org-name "Linköpings kommun"' },
    { say: "ex.init.format", run: 'avvik init --org-id linkoping --org-name "Linköpings kommun" --diary-format "VOK {year}-{seq}" --deadline-months 3' },
  ]);
}

function parseDiaryFormat(t: Translate, value: string): DiaryTemplate {
  const parsed = DiaryTemplate.parse(value);
  if (parsed instanceof DiaryTemplate) return parsed;
  throw new UsageError("error.diaryFormatInvalid", { format: value, reason: t(`error.diaryFormat.${parsed.error}` as MessageKey) });
}

/** `avvik init` in a terminal without the required flags: a short dialogue (the values are checked as typed). */
async function initDialogue(ctx: Context, o: InitOptions): Promise<void> {
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
  const r = await initRegister({
    home: ctx.home,
    actor: { user: ctx.user, now: ctx.now },
    ...(ctx.keyFile !== undefined ? { keyFile: ctx.keyFile } : {}),
    ...(ctx.databaseUrl !== undefined ? { databaseUrl: ctx.databaseUrl } : {}),
    org: {
      id: parseOrgId("--org-id", o.orgId!),
      name: parseText("--org-name", o.orgName!, MAX_SHORT_TEXT),
      kind: parseCodeFlag("--kind", ORG_KINDS, o.kind ?? "municipality"),
      address: o.address ? parseAddress(o.address) : null,
    },
    diaryFormat: parseDiaryFormat(ctx.t, o.diaryFormat ?? DEFAULT_DIARY_FORMAT),
    deadlineMonths: o.deadlineMonths ? parseDeadlineMonths("--deadline-months", o.deadlineMonths) : DEFAULT_DEADLINE_MONTHS,
  });
  if (r.homeModeFixed) ctx.out.warn(ctx.t("init.homeModeFixed", { home: r.home, mode: r.homeModeFixed }));
  const { homeModeFixed: _fixed, firstNumber, ...result } = r;
  ctx.out.result(result, () => {
    ctx.out.line(ctx.t("init.done", { org: r.org.name, home: r.home, format: r.diaryFormat, example: firstNumber, months: r.deadlineMonths }));
    ctx.out.line(ctx.t("init.keyNote", { key: r.keyFile }));
    const { file, fingerprint } = r.signingKey;
    ctx.out.line(file === null ? ctx.t("init.signingKeyNoteShared", { fingerprint }) : ctx.t("init.signingKeyNote", { file, fingerprint }));
  });
}
