// `avvik packet REF [-o FILE] [--with-personal-data]`: the postal packet of a case. pdfkit and the document
// modules are loaded by the use case, never at start-up.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { outputFile } from "../outputs.js";
import { issueCasePacket } from "../../app/paper/packet.js";
import { fileNameOf } from "../../core/diaryNumber.js";
import { codeName } from "../render.js";

export interface PaperOptions {
  output?: string;
  withPersonalData?: boolean;
}

export function registerPacket(program: Command, t: Translate): void {
  const cmd = program
    .command("packet")
    .description(t("paper.help.packet"))
    .argument("<ref>", t("flag.caseRef"))
    .option("-o, --output <file>", t("paper.flag.paperOutput"))
    .option("--with-personal-data", t("paper.flag.withPersonalData"))
    .option("--json", t("help.json"))
    .action(action<PaperOptions>(packet));
  examples(cmd, [
    { say: "ex.packet.out", run: "avvik packet 2026-000012" },
    { say: "ex.packet.mas", run: "avvik packet 2026-000012 --with-personal-data -o till-mas.pdf" },
  ]);
}

export async function packet(ctx: Context, o: PaperOptions, ref: string): Promise<void> {
  const store = await ctx.store();
  const personal = o.withPersonalData === true;
  // The default name carries the diary number, which an undiarised case gets only with its packet.
  const r = await issueCasePacket(store, ref, personal, (diaryNumber) => outputFile(ctx, o.output ?? `${fileNameOf(diaryNumber)}-packet.pdf`, { flag: "-o", personal }));
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
    status: r.caseStatus,
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
