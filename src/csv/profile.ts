// Import profiles: how one installation of Synergi, MedControl or Treserva names its export columns
// and its values. A profile is JSON (CLI.md section 4); a wrong profile is refused with the problem named.

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AREAS, DIRECTIONS, KINDS, SEVERITIES, STATUSES, isCode, type Direction } from "../core/codes.js";
import { InvalidDataError, UsageError, reasonOf, type MessageParams } from "../core/errors.js";
import { compileDateFormat, type DateFormat } from "./dates.js";

export const FIELDS = [
  "externalId",
  "eventDate",
  "discoveredDate",
  "receivedDate",
  "summary",
  "description",
  "area",
  "kind",
  "severity",
  "counterpart",
  "unit",
  "status",
  "personnummer",
  "personName",
] as const;
export type Field = (typeof FIELDS)[number];

/** Fields a new case needs: a column or a default (discoveredDate falls back to eventDate). */
export const REQUIRED_FIELDS: readonly Field[] = ["externalId", "eventDate", "summary", "area", "kind", "counterpart"];

/** Fields whose file texts are mapped through `values` to codes (counterpart and unit: to organisation ids). */
export const CODE_LISTS = { area: AREAS, kind: KINDS, severity: SEVERITIES, status: STATUSES } as const;
export type CodedField = keyof typeof CODE_LISTS;
const VALUE_FIELDS = ["area", "kind", "severity", "status", "counterpart", "unit"] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

export const BUILTIN_PROFILES = ["synergi", "medcontrol", "treserva"] as const;
const TOP_KEYS = ["$comment", "system", "direction", "delimiter", "encoding", "dateFormats", "columns", "values", "defaults"];
const DELIMITERS: Record<string, string> = { ";": ";", ",": ",", "\t": "\t", tab: "\t", "|": "|" };

export interface Profile {
  /** The file it was read from, as given (for messages). */
  file: string;
  /** The file it was read from, absolute (a worker thread reads it again). */
  path: string;
  system: string;
  direction: Direction;
  /** Null: detected from the header line. */
  delimiter: string | null;
  /** "auto" or an encoding iconv-lite knows. */
  encoding: string;
  dateFormats: DateFormat[];
  columns: Partial<Record<Field, string>>;
  /** Per field: the file's text (trimmed, lower-case) → code or organisation id. */
  values: Partial<Record<ValueField, Map<string, string>>>;
  /** Per field: the file's texts as the profile writes them (for messages). */
  valueTexts: Partial<Record<ValueField, string[]>>;
  /** Values used when a field has no column or its cell is empty (file texts, mapped like cells). */
  defaults: Partial<Record<Field, string>>;
}

function fail(file: string, problem: string, params: MessageParams = {}): never {
  throw new InvalidDataError(`csv.profile.${problem}`, { file, ...params });
}

/**
 * The profile file for a built-in name, or the path given (relative to `cwd`, named as given in messages). An
 * unknown name that is no file is a usage error.
 */
export function profileFile(nameOrPath: string, templatesDir: string, cwd: string): { file: string; path: string } {
  const name = nameOrPath.trim().toLowerCase();
  if ((BUILTIN_PROFILES as readonly string[]).includes(name)) {
    const file = join(templatesDir, "profiles", `${name}.json`);
    return { file, path: file };
  }
  if (existsSync(resolve(cwd, nameOrPath))) return { file: nameOrPath, path: resolve(cwd, nameOrPath) };
  throw new UsageError("csv.profile.unknown", { value: nameOrPath, allowed: BUILTIN_PROFILES.join(", ") });
}

export function loadProfile(nameOrPath: string, templatesDir: string, encodingExists: (e: string) => boolean, cwd: string): Profile {
  const { file, path } = profileFile(nameOrPath, templatesDir, cwd);
  return readProfile(file, path, encodingExists);
}

/** Reads and checks the profile at `path` (absolute), named `file` in messages. */
export function readProfile(file: string, path: string, encodingExists: (e: string) => boolean): Profile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8").replace(/^\uFEFF/, ""));
  } catch (e) {
    fail(file, "json", { reason: reasonOf(e, { path: file }) });
  }
  return { ...checkProfile(raw, file, encodingExists), path };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks a parsed profile; every problem is refused with a message that names it. */
export function checkProfile(raw: unknown, file: string, encodingExists: (e: string) => boolean): Profile {
  if (!isObject(raw)) fail(file, "notObject");
  for (const key of Object.keys(raw)) if (!TOP_KEYS.includes(key)) fail(file, "unknownKey", { key, allowed: TOP_KEYS.filter((k) => k !== "$comment").join(", ") });

  const system = raw.system;
  if (typeof system !== "string" || !/^[A-Za-z][\w.-]{0,39}$/.test(system.trim())) fail(file, "badSystem", { value: String(system ?? "") });
  if (!isCode(DIRECTIONS, raw.direction)) fail(file, "badDirection", { value: String(raw.direction ?? "") });

  let delimiter: string | null = null;
  if (raw.delimiter !== undefined && raw.delimiter !== "auto") {
    const d = typeof raw.delimiter === "string" ? DELIMITERS[raw.delimiter] : undefined;
    if (!d) fail(file, "badDelimiter", { value: String(raw.delimiter) });
    delimiter = d;
  }
  let encoding = "auto";
  if (raw.encoding !== undefined) {
    if (typeof raw.encoding !== "string" || (raw.encoding !== "auto" && !encodingExists(raw.encoding))) fail(file, "badEncoding", { value: String(raw.encoding) });
    encoding = raw.encoding.toLowerCase();
  }

  const formats = raw.dateFormats ?? ["YYYY-MM-DD"];
  if (!Array.isArray(formats) || formats.length === 0) fail(file, "badDateFormat", { value: JSON.stringify(raw.dateFormats) });
  const dateFormats = formats.map((f) => {
    const compiled = typeof f === "string" ? compileDateFormat(f) : undefined;
    if (!compiled) fail(file, "badDateFormat", { value: String(f) });
    return compiled;
  });

  if (!isObject(raw.columns)) fail(file, "missing", { key: "columns" });
  const columns: Partial<Record<Field, string>> = {};
  for (const [field, header] of Object.entries(raw.columns)) {
    if (!isCode(FIELDS, field)) fail(file, "unknownField", { field, where: "columns", allowed: FIELDS.join(", ") });
    if (typeof header !== "string" || !header.trim()) fail(file, "badHeader", { field });
    columns[field] = header.trim();
  }
  if (!columns.externalId) fail(file, "noExternalId");

  const defaults: Partial<Record<Field, string>> = {};
  if (raw.defaults !== undefined) {
    if (!isObject(raw.defaults)) fail(file, "missing", { key: "defaults" });
    for (const [field, value] of Object.entries(raw.defaults)) {
      if (!isCode(FIELDS, field) || field === "externalId" || field === "personnummer" || field === "personName")
        fail(file, "unknownField", { field, where: "defaults", allowed: FIELDS.filter((f) => f !== "externalId" && f !== "personnummer" && f !== "personName").join(", ") });
      if (typeof value !== "string") fail(file, "badHeader", { field });
      defaults[field] = value;
    }
  }
  for (const field of REQUIRED_FIELDS) if (!columns[field] && defaults[field] === undefined) fail(file, "required", { field });

  const values: Partial<Record<ValueField, Map<string, string>>> = {};
  const valueTexts: Partial<Record<ValueField, string[]>> = {};
  if (raw.values !== undefined) {
    if (!isObject(raw.values)) fail(file, "missing", { key: "values" });
    for (const [field, mapping] of Object.entries(raw.values)) {
      if (!isCode(VALUE_FIELDS, field)) fail(file, "unknownField", { field, where: "values", allowed: VALUE_FIELDS.join(", ") });
      if (!isObject(mapping)) fail(file, "badValues", { field });
      const map = new Map<string, string>();
      for (const [text, code] of Object.entries(mapping)) {
        if (typeof code !== "string") fail(file, "badValues", { field });
        if (field in CODE_LISTS) {
          const list = CODE_LISTS[field as CodedField] as readonly string[];
          if (!list.includes(code)) fail(file, "badCode", { field, text, code, allowed: list.join(", ") });
        }
        map.set(normaliseKey(text), code);
      }
      values[field] = map;
      valueTexts[field] = Object.keys(mapping);
    }
  }
  return {
    file,
    path: file,
    system: system.trim().toLowerCase(),
    direction: raw.direction,
    delimiter,
    encoding,
    dateFormats,
    columns,
    values,
    valueTexts,
    defaults,
  };
}

/** How cell texts are compared with the profile's `values` keys: trimmed, spaces collapsed, lower-case. */
export function normaliseKey(text: string): string {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}
