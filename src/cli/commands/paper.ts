// `avvik packet`, `avvik report`, `avvik analysis`: documents on paper. pdfkit and the document modules
// are loaded inside the actions, never at start-up.

import { renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
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

/** Writes the PDF where asked ("-" is stdout), atomically; returns the path written or "-". */
function writePdf(ctx: Context, pdf: Buffer, output: string | undefined, fallback: string): string {
  if (output === "-") {
    ctx.io.stdout.write(pdf);
    return "-";
  }
  const path = ctx.path(output ?? fallback);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, pdf);
  renameSync(tmp, path);
  return path;
}

export async function packet(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const id = store.cases.resolve(ref);
  const { issuePacket, fileSafe } = await import("../../documents/packet.js");
  const r = await issuePacket(store, id, { withPersonalData: o.withPersonalData === true });
  const file = writePdf(ctx, r.pdf, o.output, `${fileSafe(r.diaryNumber)}-packet.pdf`);
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
  const pdf = await renderReport(store, id, { withPersonalData: o.withPersonalData === true });
  const label = store.cases.label(id);
  const file = writePdf(ctx, pdf, o.output, `${fileSafe(label)}-rapport.pdf`);
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
  const { pdf, redactedUnits } = await analysisDocument(store, id);
  if (redactedUnits.length) ctx.out.warn(ctx.t("paper.analysisUnitsReplaced", { units: redactedUnits.join(", ") }));
  const label = store.cases.label(id);
  const file = writePdf(ctx, pdf, o.output, `${fileSafe(label)}-analys.pdf`);
  if (file === "-") return;
  ctx.out.result({ caseId: id, diaryNumber: label, file, bytes: pdf.length }, () => ctx.out.line(ctx.t("paper.writtenFile", { file })));
}
