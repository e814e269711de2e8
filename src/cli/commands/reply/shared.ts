// What `reply attach` and `reply inbox` share: how an attached file is reported.

import { basename } from "node:path";
import type { AttachResult } from "../../../documents/reply.js";
import type { Context } from "../../context.js";
import { codeName } from "../../render.js";

export function printResult(ctx: Context, r: AttachResult, file: string): void {
  const t = ctx.t;
  if (r.alreadyAttached) ctx.out.line(t("reply.already", { file: basename(file), document: r.document.number }));
  else ctx.out.line(t("reply.attached", { file: basename(file), document: r.document.number, by: r.matchedBy.text }));
  for (const s of r.statusChanges) ctx.out.line(t("paper.statusChanged", { from: codeName(t, "status", s.from), to: codeName(t, "status", s.to) }));
}

export function notes(ctx: Context, r: AttachResult, file: string): void {
  for (const n of r.notes) if (n.key !== "reply.note.already") ctx.out.warn(ctx.t(n.key, n.params));
  if (r.matchedBy.by === "ocr" && !r.alreadyAttached) ctx.out.warn(ctx.t("reply.note.ocr", { file: basename(file), pages: r.ocrPages, case: r.diaryNumber }));
}
