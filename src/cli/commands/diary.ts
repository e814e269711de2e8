import type { Command } from "commander";
import { codesWithWords, DOCUMENT_DIRECTIONS } from "../../core/codes.js";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { requireFlags, MAX_SHORT_TEXT, parseCodeFlag, parseDateFlag, parseText, parseYear } from "../parse.js";
import { codeName } from "../render.js";

export function registerDiary(program: Command, t: Translate): void {
  const diary = program.command("diary").description(t("help.diary"));
  diary
    .command("add")
    .description(t("help.diary.add"))
    .argument("<ref>", t("flag.caseRef"))
    .option("--direction <direction>", codesWithWords(DOCUMENT_DIRECTIONS, ", "))
    .option("--subject <text>", t("flag.subject"))
    .option("--party <name>", t("flag.party"))
    .option("--date <date>", t("flag.docDate"))
    .option("--json", t("help.json"))
    .action(action(add));
  diary
    .command("list")
    .description(t("help.diary.list"))
    .option("--year <year>", t("flag.year"))
    .option("--case <ref>", t("flag.caseRef"))
    .option("--json", t("help.json"))
    .action(action(list));
}

async function add(ctx: Context, o: { direction?: string; subject?: string; party?: string; date?: string }, ref: string): Promise<void> {
  requireFlags(o, [["direction", "--direction"], ["subject", "--subject"]]);
  const direction = parseCodeFlag("--direction", DOCUMENT_DIRECTIONS, o.direction!);
  const subject = parseText("--subject", o.subject!, MAX_SHORT_TEXT);
  const party = o.party ? parseText("--party", o.party, MAX_SHORT_TEXT) : null;
  const date = o.date ? parseDateFlag("--date", o.date) : undefined;
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const doc = store.write(() => store.documents.add(id, { direction, subject, party, date }));
  ctx.out.result({ ...doc, caseId: id }, () => ctx.out.line(ctx.t("diary.added", { number: doc.number, subject: doc.subject })));
}

async function list(ctx: Context, o: { year?: string; case?: string }): Promise<void> {
  const year = o.year ? parseYear("--year", o.year) : undefined;
  const store = await ctx.store();
  const caseId = o.case ? store.cases.resolve(o.case) : undefined;
  const entries = store.documents.list({ year, caseId });
  ctx.out.result(entries, () => {
    if (entries.length === 0) return ctx.out.line(ctx.t("diary.empty"));
    const t = ctx.t;
    ctx.out.table(
      [
        { header: t("diary.col.number") },
        { header: t("diary.col.date") },
        { header: t("diary.col.direction") },
        { header: t("diary.col.party"), max: 34 },
        { header: t("diary.col.subject"), max: 70 },
        ...(entries.some((e) => e.classification) ? [{ header: t("diary.col.classification") }] : []),
      ],
      entries.map((e) => [e.number, e.date, codeName(t, "direction", e.direction), e.party ?? "", e.subject, ...(entries.some((x) => x.classification) ? [e.classification ?? ""] : [])]),
    );
  });
}
