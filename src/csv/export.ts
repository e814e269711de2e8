// `avvik export`: the register as CSV (UTF-8 with BOM and ";" so that Swedish Excel opens it) or JSON,
// streamed page by page. Persons are masked (YYYYMMDD-****) or, with --pseudonymise, replaced by a keyed
// hash that is the same for the same person in every export; names are never exported. Cells that a
// spreadsheet would run as a formula are neutralised.

import { once } from "node:events";
import { stringify } from "csv-stringify";
import { findPersonalNumbers, maskPersonalNumber } from "../core/personnummer.js";
import type { Translate } from "../i18n/index.js";
import type { FieldCipher } from "../store/crypto.js";
import type { ExportCase } from "../store/imports.js";
import type { Store } from "../store/store.js";

export interface ExportOptions {
  format: "csv" | "json";
  from?: string;
  to?: string;
  pseudonymise: boolean;
  delimiter: string;
  /** Column headers (Swedish: the export is a document). */
  t: Translate;
}

const PAGE = 1000;

/** A cell a spreadsheet would run as a formula (=, +, -, @, or a tab/CR first) gets a leading apostrophe. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The pseudonym of a person: a keyed hash of the number, stable across exports, useless without the key. */
function pseudonym(cipher: FieldCipher, digits: string): string {
  return `P-${cipher.hash(digits, "pseudonym").slice(0, 16)}`;
}

/** Free text never carries a personnummer out (refused on entry; checked again here). */
function scrub(text: string | null, today: string): string | null {
  if (!text) return text;
  let out = text;
  for (const found of findPersonalNumbers(text, today)) out = out.split(found).join("[personnummer]");
  return out;
}

/** The key of pseudonyms, or null: persons masked. */
type Pseudonyms = FieldCipher | null;

function persons(c: ExportCase, pseudonyms: Pseudonyms): string[] {
  return c.persons.map((d) => (pseudonyms ? pseudonym(pseudonyms, d) : maskPersonalNumber(d)));
}

const COLUMNS = [
  "diaryNumber",
  "refs",
  "direction",
  "status",
  "counterpartId",
  "counterpart",
  "unitId",
  "unit",
  "eventDate",
  "discoveredDate",
  "receivedDate",
  "registered",
  "dueDate",
  "kind",
  "area",
  "severity",
  "probability",
  "consequence",
  "riskScore",
  "classification",
  "summary",
  "description",
  "causes",
  "actions",
  "followUp",
  "answered",
  "closed",
  "persons",
] as const;

function csvRow(store: Store, c: ExportCase, pseudonymise: Pseudonyms): string[] {
  const today = store.today;
  const cells = [
    c.diaryNumber ?? "",
    c.refs.join(", "),
    c.direction,
    c.status,
    c.counterpartId,
    c.counterpartName,
    c.unitId ?? "",
    c.unitName ?? "",
    c.eventDate,
    c.discoveredDate,
    c.receivedDate ?? "",
    c.registeredAt.slice(0, 10),
    c.dueDate,
    c.kind,
    c.area,
    c.severity ?? "",
    c.probability?.toString() ?? "",
    c.consequence?.toString() ?? "",
    c.probability !== null && c.consequence !== null ? String(c.probability * c.consequence) : "",
    c.classification ?? "",
    scrub(c.summary, today) ?? "",
    scrub(c.description, today) ?? "",
    scrub(c.causes, today) ?? "",
    scrub(c.actions, today) ?? "",
    scrub(c.followUp, today) ?? "",
    c.answeredAt?.slice(0, 10) ?? "",
    c.closedAt?.slice(0, 10) ?? "",
    persons(c, pseudonymise).join(", "),
  ];
  return cells.map(neutralise);
}

function jsonCase(store: Store, c: ExportCase, pseudonymise: Pseudonyms): Record<string, unknown> {
  const today = store.today;
  return {
    id: c.id,
    diaryNumber: c.diaryNumber,
    refs: c.refs.map((r) => {
      const i = r.indexOf(":");
      return { system: r.slice(0, i), id: r.slice(i + 1) };
    }),
    direction: c.direction,
    status: c.status,
    counterpart: { id: c.counterpartId, name: c.counterpartName },
    unit: c.unitId ? { id: c.unitId, name: c.unitName ?? c.unitId } : null,
    eventDate: c.eventDate,
    discoveredDate: c.discoveredDate,
    receivedDate: c.receivedDate,
    registeredAt: c.registeredAt,
    dueDate: c.dueDate,
    kind: c.kind,
    area: c.area,
    severity: c.severity,
    risk: { probability: c.probability, consequence: c.consequence, score: c.probability !== null && c.consequence !== null ? c.probability * c.consequence : null },
    classification: c.classification,
    summary: scrub(c.summary, today),
    description: scrub(c.description, today),
    causes: scrub(c.causes, today),
    actions: scrub(c.actions, today),
    followUp: scrub(c.followUp, today),
    answeredAt: c.answeredAt,
    closedAt: c.closedAt,
    persons: persons(c, pseudonymise),
  };
}

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

/** Writes the export to `out` (not ended); returns the number of cases. */
export async function exportCases(store: Store, out: NodeJS.WritableStream, o: ExportOptions): Promise<number> {
  let count = 0;
  let after = 0;
  const pseudonyms = o.pseudonymise ? await store.cipher() : null;
  const pages = async function* () {
    for (;;) {
      const page = await store.imports.exportPage({ from: o.from, to: o.to }, after, PAGE);
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      yield page;
    }
  };
  if (o.format === "json") {
    await write(out, "[");
    for await (const page of pages()) {
      const text = page.map((c) => `${count++ ? "," : ""}\n  ${JSON.stringify(jsonCase(store, c, pseudonyms))}`).join("");
      await write(out, text);
    }
    await write(out, count ? "\n]\n" : "]\n");
    return count;
  }
  const csv = stringify({ delimiter: o.delimiter, bom: true, record_delimiter: "\r\n", quoted_match: /^\s|\s$/ });
  csv.pipe(out, { end: false });
  const done = once(csv, "end");
  csv.write(COLUMNS.map((k) => o.t(`csv.col.${k}`)));
  for await (const page of pages()) {
    for (const c of page) {
      if (!csv.write(csvRow(store, c, pseudonyms))) await once(csv, "drain");
      count++;
    }
  }
  csv.end();
  await done;
  return count;
}
