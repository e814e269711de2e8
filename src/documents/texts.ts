// Letter, form and document texts from templates/ (Swedish, editable by an administrator without touching
// code). A file under <data directory>/templates/ replaces the bundled one of the same name.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidDataError, reasonOf } from "../core/errors.js";
import { TEMPLATES_DIR } from "../paths.js";
import { runCache } from "../runCache.js";

/** The bundled templates: <package>/templates. */
export const BUNDLED_TEMPLATES = TEMPLATES_DIR;

/** The address field in the envelope window (templates/letters/common.json `window`). */
export interface WindowSetting {
  leftMm: number;
  topMm: number;
  widthMm: number;
  heightMm: number;
  side?: "left" | "right";
  minFontSize?: number;
}

export interface CommonTexts {
  sender: { extraLines: string[]; signature: string; phone: string; email: string };
  /** The address field in the envelope window; `side` "right" for a right-hand (H2) window. */
  window: WindowSetting;
  /** Titles printed under a signer's name, by contact role. */
  titles?: Partial<Record<string, string>>;
  systems: Record<string, string>;
  ownSystems: string[];
  labels: Record<"date" | "ourReference" | "theirReference" | "replyBy" | "enclosures" | "page" | "noAddress", string> &
    Partial<Record<"unitConcerned" | "handler" | "phone" | "email", string>>;
}

export interface LetterTexts {
  subject: string;
  greeting: string;
  paragraphs: string[];
  personalDataNote: string;
  closing: string;
  enclosures: string[];
  theirReferenceText?: string;
  answerTitle?: string;
  summaryTitle?: string;
  headings?: Record<"causes" | "actions" | "followUp", string>;
}

export interface ReplyFormTexts {
  title: string;
  intro: string;
  referencesTitle: string;
  ourReference: string;
  theirReference: string;
  theirReferenceEmpty: string;
  theirReferenceHint?: string;
  fields: Array<{ key: string; label: string; lines: number }>;
  actionFields?: string[];
  signatureFields: string[];
  contactFields?: string[];
  returnTo: string;
  noPersonalData: string;
}

export interface ReportTexts {
  title: string;
  sections: Record<"parties" | "references" | "dates" | "classification" | "description" | "persons" | "answer", string>;
  labels: Record<string, string>;
  empty: string;
  notYet: string;
  personsMasked: string;
  noPersons: string;
}

export interface AnalysisSection {
  letter: string;
  heading: string;
  from?: "raisedBy" | "noticed" | "summary" | "causes" | "actions" | "followUp";
  lines: number;
  hint?: string;
}

export interface AnalysisTexts {
  title: string;
  caseTitle?: string;
  intro: string;
  warning: string;
  sections: AnalysisSection[];
  fromCase: string;
  systemNames: Record<string, string>;
  otherSystem: string;
  diaryNumber: string;
}

/** The readable pages of an exchange file (src/exchange/file.ts). */
export type ExchangeTexts = Record<
  | "titleCase" | "titleAnswer" | "subject" | "from" | "to" | "senderNumber" | "inReplyTo" | "refs" | "date" | "event"
  | "eventDate" | "discovered" | "due" | "kind" | "area" | "severity" | "unit" | "summary" | "description" | "persons"
  | "causes" | "actions" | "followUp" | "request" | "requestText" | "note" | "page",
  string
>;

/** The board report (templates/documents/board.json). */
export interface BoardTexts {
  title: string;
  subtitle: Record<"half1" | "half2" | "year" | "range", string>;
  info: Record<"period" | "comparedWith" | "organisation" | "produced", string>;
  audience: string;
  noPersonalData: string;
  figures: Record<"total" | "answered" | "handlingMedian" | "handlingP90" | "withinDeadline" | "unansweredOverdue" | "openNow" | "overdueNow", string>;
  columns: Record<
    | "figure" | "period" | "previous" | "change" | "judgement" | "count" | "share" | "withinDeadline" | "handlingMedian" | "open"
    | "overdue" | "out" | "in" | "total" | "from" | "to" | "area" | "counterpart",
    string
  >;
  judgement: Record<"better" | "worse" | "same" | "up" | "down", string>;
  shares: Record<"of" | "tooFew" | "percentagePoints" | "days", string>;
  headings: Record<"keyFigures" | "runChart" | "flows" | "providerPairs" | "kinds" | "followUp" | "comments" | "tables" | "topPairs" | "definitions", string>;
  intro: Record<"runChart" | "flows" | "providerPairs" | "kinds" | "followUp" | "topPairs" | "shares", string>;
  charts: Record<
    | "area" | "counterpart" | "deadline" | "deadlineTotal" | "direction" | "kind" | "severity" | "noData" | "more" | "median" | "alt"
    | "altSeries" | "altRun",
    string
  >;
  definitions: string[];
  page: string;
}

export interface Texts {
  common: CommonTexts;
  packetOut: LetterTexts;
  packetIn: LetterTexts;
  replyForm: ReplyFormTexts;
  report: ReportTexts;
  analysis: AnalysisTexts;
  exchange: ExchangeTexts;
  board: BoardTexts;
}

const FILES = {
  common: "letters/common.json",
  packetOut: "letters/packet-out.json",
  packetIn: "letters/packet-in.json",
  replyForm: "letters/reply-form.json",
  report: "documents/report.json",
  analysis: "documents/analysis.json",
  exchange: "documents/exchange.json",
  board: "documents/board.json",
} as const;

const cache = runCache<string, Texts>();

function load(home: string | null, file: string): unknown {
  const local = home ? join(home, "templates", file) : null;
  const path = local && existsSync(local) ? local : join(BUNDLED_TEMPLATES, file);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidDataError("paper.error.templateUnreadable", { file: path, reason: reasonOf(e, { path }) });
  }
}

/** All texts, read once per data directory and run (src/runCache.ts). */
export function texts(home: string | null): Texts {
  const key = home ?? "";
  let t = cache.get(key);
  if (!t) {
    t = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, load(home, f)])) as unknown as Texts;
    cache.set(key, t);
  }
  return t;
}

/** Fills {name} placeholders; unknown ones stay as written. */
export function fill(text: string, params: Record<string, string | number | null | undefined>): string {
  return text.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? whole : String(v);
  });
}
