// `avvik packet`, `avvik report`, `avvik analysis`: documents on paper. pdfkit and the document modules
// are loaded inside the actions, never at start-up.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { outputFile, type OutputFile } from "../outputs.js";
import { codeName } from "../render.js";

interface PaperOptions {
  output?: string;
  withPersonalData?: boolean;
}

export function registerPaper(program: Command, t: Translate): void {
  program
    .command("packet")
    .description(t("paper.help.packet"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--with-personal-data", t("paper.flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action<PaperOptions>(packet));
  program
    .command("report")
    .description(t("paper.help.report"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--with-personal-data", t("paper.flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action<PaperOptions>(report));
  program
    .command("analysis")
    .description(t("paper.help.analysis"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--json", t("help.json"))
    .action(action<PaperOptions>(analysis));
}

/** The output of a paper command: `-o FILE` ("-" is stdout), else `fallback` in the current directory. */
function pdfOutput(ctx: Context, o: PaperOptions, fallback: string, personal: boolean): OutputFile {
  return outputFile(ctx, o.output ?? fallback, { flag: "-o", personal });
}

export async function packet(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const { issuePacket, fileSafe } = await import("../../documents/packet.js");
  const personal = o.withPersonalData === true;
  // The default name carries the diary number, which an undiarised case gets only with its packet.
  const r = await issuePacket(store, id, { withPersonalData: personal }, (diaryNumber) => pdfOutput(ctx, o, `${fileSafe(diaryNumber)}-packet.pdf`, personal));
  const file = r.file;
  if (!r.hasAddress) ctx.out.warn(ctx.t("paper.noAddress", { org: r.recipient }));
  const value = {
    caseId: r.caseId,
    diaryNumber: r.diaryNumber,
    file,
    pages: r.pages,
    hash: r.hash,
    withPersonalData: o.withPersonalData === true,
    encrypted: r.encrypted,
    document: r.document,
    existingDocument: r.existingDocument,
    status: store.cases.get(id).status,
    statusChange: r.status,
  };
  if (file === "-") {
    if (!ctx.json) ctx.out.info(ctx.t("paper.packetDiarised", { number: r.document?.number ?? r.existingDocument ?? "" }));
    return;
  }
  ctx.out.result(value, () => {
    ctx.out.line(ctx.t("paper.written", { file, pages: r.pages }));
    if (r.document) ctx.out.line(ctx.t("paper.packetDiarised", { number: r.document.number }));
    else ctx.out.line(ctx.t("paper.packetSame", { number: r.existingDocument ?? "" }));
    if (r.status) ctx.out.line(ctx.t("paper.statusChanged", { from: codeName(ctx.t, "status", r.status.from), to: codeName(ctx.t, "status", r.status.to) }));
    if (o.withPersonalData) ctx.out.line(ctx.t("paper.personalDataWarning"));
  });
}

async function report(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const { renderReport } = await import("../../documents/report.js");
  const { fileSafe } = await import("../../documents/packet.js");
  const personal = o.withPersonalData === true;
  const label = store.cases.label(id);
  const out = pdfOutput(ctx, o, `${fileSafe(label)}-rapport.pdf`, personal);
  const { pdf, recordReveal } = await renderReport(store, id, { withPersonalData: personal });
  // Written before the reveal is recorded; a failure records nothing.
  out.stage(pdf);
  try {
    store.write(() => {
      recordReveal();
      out.commit();
    });
  } finally {
    out.discard();
  }
  const file = out.path;
  if (file === "-") return;
  ctx.out.result({ caseId: id, diaryNumber: label, file, withPersonalData: o.withPersonalData === true, bytes: pdf.length }, () =>
    ctx.out.line(ctx.t("paper.writtenFile", { file })),
  );
}

async function analysis(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const { analysisDocument } = await import("../../documents/analysis.js");
  const { fileSafe } = await import("../../documents/packet.js");
  const label = store.cases.label(id);
  const out = pdfOutput(ctx, o, `${fileSafe(label)}-analys.pdf`, false);
  const { pdf, redactedUnits } = await analysisDocument(store, id);
  if (redactedUnits.length) ctx.out.warn(ctx.t("paper.analysisUnitsReplaced", { units: redactedUnits.join(", ") }));
  out.write(pdf);
  const file = out.path;
  if (file === "-") return;
  ctx.out.result({ caseId: id, diaryNumber: label, file, bytes: pdf.length }, () => ctx.out.line(ctx.t("paper.writtenFile", { file })));
}
