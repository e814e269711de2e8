import type { Command } from "commander";
import { codesWithWords, ORG_KINDS, type OrgKind } from "../../core/codes.js";
import { DEFAULT_DEADLINE_MONTHS } from "../../core/deadline.js";
import { DEFAULT_DIARY_FORMAT, DiaryTemplate } from "../../core/diaryNumber.js";
import { RefusedError, UsageError } from "../../core/errors.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import { requireFlags, parseCodeFlag, parseDeadlineMonths, parseText, MAX_SHORT_TEXT } from "../parse.js";
import { parseOrgId } from "./org.js";

interface InitOptions {
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

async function init(ctx: import("../context.js").Context, o: InitOptions): Promise<void> {
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

/** "Box 905|612 25 Finspång" → lines; a literal "\n" also separates lines. */
export function parseAddress(value: string): string {
  const lines = value
    .split(/\||\\n|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return parseText("--address", lines.join("\n"), 500);
}
