// The exchange file: a readable A4 PDF (Swedish) that carries the payload as an embedded JSON file.
// pdfkit writes it; pdfjs-dist reads the embedded file back. Both are loaded only by the exchange commands.

import { createHash } from "node:crypto";
import { EXCHANGE_FILE_NAME, isPayload, openPayload, type ExchangePayload, type ExchangeProblem } from "../core/exchange.js";
import { fill, texts, type ExchangeTexts } from "../documents/texts.js";
import { tSv, type MessageKey } from "../i18n/index.js";

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

const A4_MARGIN = 56;

/** Renders the exchange PDF (Swedish, texts from templates/documents/exchange.json); deterministic for the same payload. */
export async function renderExchangePdf(payload: ExchangePayload, json: string, home: string | null = null): Promise<Buffer> {
  const { archiveDocument, archiveOptions, documentBytes, eachPage } = await import("../documents/pdf.js");
  const { FONT, GREY, PAGE } = await import("../documents/layout.js");
  const x: ExchangeTexts = texts(home).exchange;
  const label = (key: keyof ExchangeTexts) => x[key];
  const created = new Date(payload.createdAt);
  // PDF/A-3b: the archive format that allows the embedded payload (PDF/A-2 allows only embedded PDF/A files).
  const doc = await archiveDocument({
    ...archiveOptions({
      title: `${label(payload.type === "case" ? "titleCase" : "titleAnswer")} ${payload.case.diaryNumber}`,
      author: payload.sender.name,
      subject: label("subject"),
      now: created,
      pdfA3: true,
      keywords: payload.case.diaryNumber,
    }),
    size: PAGE.size,
    margin: A4_MARGIN,
    bufferPages: true,
  } as PDFKit.PDFDocumentOptions);

  const c = payload.case;
  const heading = (text: string) => {
    doc.moveDown(0.8).font(FONT.bold).fontSize(11).text(text).moveDown(0.2).font(FONT.regular).fontSize(10);
  };
  const field = (name: string, value: string | null | undefined) => {
    doc.font(FONT.bold).fontSize(10).text(`${name}: `, { continued: true }).font(FONT.regular).text(value && value.length ? value : "–");
  };

  doc.font(FONT.bold).fontSize(16).text(label(payload.type === "case" ? "titleCase" : "titleAnswer"));
  doc.font(FONT.regular).fontSize(10).moveDown(0.5);
  field(label("from"), payload.sender.name);
  field(label("to"), payload.recipient.name);
  field(label("senderNumber"), c.diaryNumber);
  if (payload.answer) field(label("inReplyTo"), payload.answer.inReplyTo.diaryNumber);
  const refs = c.refs.map((r) => `${r.system}:${r.id}`).join(", ");
  field(label("refs"), refs);
  field(label("date"), payload.createdAt.slice(0, 10));

  heading(label("event"));
  field(label("eventDate"), c.eventDate);
  field(label("discovered"), c.discoveredDate);
  field(label("due"), c.dueDate);
  field(label("kind"), tSv(`kind.${c.kind}` as MessageKey));
  field(label("area"), tSv(`area.${c.area}` as MessageKey));
  field(label("severity"), c.severity ? tSv(`severity.${c.severity}` as MessageKey) : null);
  if (c.unit) field(label("unit"), c.unit.name);
  heading(label("summary"));
  doc.text(c.summary);
  if (c.description) {
    heading(label("description"));
    doc.text(c.description);
  }
  if (c.persons?.length) {
    heading(label("persons"));
    for (const p of c.persons) doc.text(p.name ? `${p.pnr}  ${p.name}` : p.pnr);
  }
  if (payload.answer) {
    heading(label("causes"));
    doc.text(payload.answer.causes ?? "–");
    heading(label("actions"));
    doc.text(payload.answer.actions ?? "–");
    heading(label("followUp"));
    doc.text(payload.answer.followUp ?? "–");
  } else {
    heading(label("request"));
    doc.text(fill(x.requestText, { due: c.dueDate }));
  }
  doc.moveDown(1.5).fontSize(8).fillColor(GREY).text(fill(x.note, { file: EXCHANGE_FILE_NAME, version: payload.version }));
  doc.fillColor("black");

  // PDF/A-3 names how the embedded file relates to the document (/AFRelationship, pdfkit's `relationship`).
  doc.file(Buffer.from(json, "utf8"), {
    name: EXCHANGE_FILE_NAME,
    type: "application/json",
    description: `avvik-exchange v${payload.version}`,
    relationship: "Data",
    creationDate: created,
    modifiedDate: created,
  } as PDFKit.Mixins.PDFAttachmentOptions);

  eachPage(doc, (i, n) => {
    const bottom = doc.page.height - 36;
    doc.fontSize(8).fillColor(GREY);
    doc.text(`${payload.sender.name} · ${c.diaryNumber}`, A4_MARGIN, bottom, { lineBreak: false });
    doc.text(fill(x.page, { i, n }), A4_MARGIN, bottom, { width: doc.page.width - 2 * A4_MARGIN, align: "right", lineBreak: false });
    doc.fillColor("black");
  });
  return documentBytes(doc);
}

export type ReadResult = { payload: ExchangePayload } | ExchangeProblem | { problem: "not-pdf" } | { problem: "no-attachment" };

/** Finds and checks the payload in an exchange PDF (or a bare JSON file written by another system). */
export async function readExchangeFile(data: Buffer): Promise<ReadResult> {
  const head = data.subarray(0, 1024).toString("latin1");
  let json: string;
  if (head.trimStart().startsWith("{")) {
    json = data.toString("utf8");
  } else {
    if (!head.includes("%PDF-")) return { problem: "not-pdf" };
    const found = await embeddedFile(data, EXCHANGE_FILE_NAME);
    if (found === "broken") return { problem: "not-pdf" };
    if (!found) return { problem: "no-attachment" };
    json = found.toString("utf8");
  }
  const opened = openPayload(json, sha256Hex);
  return isPayload(opened) ? { payload: opened } : opened;
}

/**
 * The bytes of a named embedded file, undefined when there is none, "broken" when the PDF cannot be read.
 * Read as a foreign PDF: in the worker that bounds its size, memory and time (documents/untrusted.ts).
 */
export async function embeddedFile(data: Buffer, name: string): Promise<Buffer | undefined | "broken"> {
  const { readUntrustedAttachment } = await import("../documents/untrusted.js");
  return readUntrustedAttachment(data, name);
}
