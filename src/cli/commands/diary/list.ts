// `avvik diary list [--year Y] [--case REF] [--public]`

import type { Command } from "commander";
import { listEntries } from "../../../app/diary/list.js";
import type { DiaryEntry } from "../../../core/types.js";
import type { Translate } from "../../../i18n/index.js";
import type { PublicEntry } from "../../../store/documents.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { parseYear } from "../../parse.js";
import { codeName } from "../../render.js";

export function registerDiaryList(group: Command, t: Translate): void {
  const cmd = group
    .command("list")
    .description(t("help.diary.list"))
    .option("--year <year>", t("flag.year"))
    .option("--case <ref>", t("flag.caseRef"))
    .option("--public", t("flag.public"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.diary.list", run: "avvik diary list --year 2026" },
    { say: "ex.diary.listCase", run: "avvik diary list --case 2026-000012" },
    { say: "ex.diary.listPublic", run: "avvik diary list --public --year 2026" },
  ]);
}

/** An entry's subject as a table shows it: voided and secret entries marked; a public secret entry's subject left out. */
export function entrySubject(t: Translate, e: { subject: string | null; secrecy?: string; voided?: { at: string; reason: string } }): string {
  const parts: string[] = [];
  if (e.voided) parts.push(t("diary.voidedMark", { at: e.voided.at.slice(0, 10), reason: e.voided.reason }));
  if (e.subject !== null) parts.push(e.subject);
  if (e.secrecy) parts.push(t("diary.secretMark", { ground: e.secrecy }));
  return parts.join(" · ");
}

async function run(ctx: Context, o: { year?: string; case?: string; public?: boolean }): Promise<void> {
  const entries: Array<DiaryEntry | PublicEntry> = await listEntries(await ctx.store(), {
    ...(o.year ? { year: parseYear("--year", o.year) } : {}),
    ...(o.case ? { caseRef: o.case } : {}),
    public: o.public === true,
  });
  ctx.out.result(entries, () => {
    if (entries.length === 0) return ctx.out.line(ctx.t("diary.empty"));
    const t = ctx.t;
    // The matter's classification, as a last column when any entry has one.
    const classified = entries.some((e) => e.classification);
    ctx.out.table(
      [
        { header: t("diary.col.number") },
        { header: t("diary.col.date") },
        { header: t("diary.col.direction") },
        { header: t("diary.col.party"), max: 34 },
        { header: t("diary.col.subject"), max: 70 },
        ...(classified ? [{ header: t("diary.col.classification") }] : []),
      ],
      entries.map((e) => [
        e.number,
        e.date,
        codeName(t, "direction", e.direction),
        e.party ?? (e.secrecy && o.public ? "–" : ""),
        entrySubject(t, e),
        ...(classified ? [e.classification ?? ""] : []),
      ]),
    );
  });
}
