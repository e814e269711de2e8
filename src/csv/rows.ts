// One row of an export, checked and turned into a case: every problem is named with its column, the value
// and what was expected, so that an administrator can correct it. No I/O here: the directory is passed in.

import type { Area, Kind, Severity, Status } from "../core/codes.js";
import { describeCharacters, unprintableCharacters } from "../core/printable.js";
import { findPersonalNumbers, isPersonalNumber, parsePersonalNumber } from "../core/personnummer.js";
import type { Org } from "../core/types.js";
import { statusesOf } from "../core/workflow.js";
import type { CaseFields } from "../store/imports.js";
import { parseDateWith } from "./dates.js";
import { CODE_LISTS, normaliseKey, type CodedField, type Field, type Profile } from "./profile.js";

export const MAX_EXTERNAL_ID = 100;
export const MAX_SUMMARY = 300;
export const MAX_DESCRIPTION = 4000;


export interface ImportRow {
  externalId: string;
  fields: CaseFields;
  persons: Array<{ digits: string; name: string | null }>;
}

export interface Problem {
  key: string;
  params: Record<string, string | number>;
}

export type RowResult = { ok: true; row: ImportRow } | { ok: false; problems: Problem[] };

/** The organisations a row may name, looked up by id or by name (case-insensitive). */
export interface Directory {
  self: Org;
  find(text: string): Org | undefined;
  topOf(org: Org): Org;
}

export function directoryOf(orgs: readonly Org[]): Directory {
  const byId = new Map<string, Org>();
  const byName = new Map<string, Org>();
  for (const o of orgs) {
    byId.set(o.id.toLowerCase(), o);
    byName.set(normaliseKey(o.name), o);
  }
  const self = orgs.find((o) => o.self);
  if (!self) throw new Error("no own organisation");
  return {
    self,
    find: (text) => byId.get(text.trim().toLowerCase()) ?? byName.get(normaliseKey(text)),
    topOf(org) {
      let current = org;
      for (let i = 0; i < 10 && current.parentId; i++) current = byId.get(current.parentId) ?? current;
      return current;
    },
  };
}

/** Where the profile's fields are in the file: column index per field, from the header row. */
export type ColumnIndex = Partial<Record<Field, number>>;

/** Maps the header row to the profile's columns; returns the headers the profile needs but the file lacks. */
export function indexColumns(profile: Profile, header: readonly string[]): { index: ColumnIndex; missing: string[] } {
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normaliseKey(h.replace(/^\uFEFF/, ""));
    if (!positions.has(key)) positions.set(key, i);
  });
  const index: ColumnIndex = {};
  const missing: string[] = [];
  for (const [field, name] of Object.entries(profile.columns) as Array<[Field, string]>) {
    const i = positions.get(normaliseKey(name));
    if (i === undefined) missing.push(name);
    else index[field] = i;
  }
  return { index, missing };
}

// Tabs and line breaks are allowed in free text; other control characters and bidi overrides are not.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

export class RowReader {
  /** The row being read and its problems (one row at a time: the helpers below are methods, not closures per row). */
  private cells: readonly string[] = [];
  private problems: Problem[] = [];

  constructor(
    private readonly profile: Profile,
    private readonly index: ColumnIndex,
    private readonly directory: Directory,
    private readonly today: string,
  ) {}

  private column(field: Field): string {
    return this.index[field] !== undefined ? this.profile.columns[field]! : `defaults.${field}`;
  }

  /** The cell's text, else the profile's default, else "" (trimmed). */
  private get(field: Field): string {
    const i = this.index[field];
    const cell = i === undefined ? "" : (this.cells[i] ?? "").trim();
    return cell || (this.profile.defaults[field] ?? "").trim();
  }

  private problem(key: string, field: Field | null, params: Record<string, string | number> = {}): void {
    this.problems.push({ key: `csv.row.${key}`, params: field ? { column: this.column(field), ...params } : params });
  }

  private required(field: Field): string {
    const v = this.get(field);
    if (!v) this.problem("required", field, { field });
    return v;
  }

  private text(field: Field, max: number, needed: boolean): string | null {
    const raw = needed ? this.required(field) : this.get(field);
    if (!raw) return null;
    const v = raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
    if (v.includes("\uFFFD")) this.problem("badEncoding", field);
    else if (CONTROL.test(v)) this.problem("control", field);
    else if (v.length > max) this.problem("tooLong", field, { length: v.length, max });
    else if (findPersonalNumbers(v, this.today).length) this.problem("pnrInText", field, { system: this.profile.system });
    else if (unprintableCharacters(v).length) this.problem("unprintable", field, { chars: describeCharacters(unprintableCharacters(v)) });
    return v;
  }

  private date(field: Field, needed: boolean): string | null {
    const p = this.profile;
    const v = needed ? this.required(field) : this.get(field);
    if (!v) return null;
    const d = parseDateWith(p.dateFormats, v);
    if (!d) {
      this.problem("badDate", field, { value: v, formats: p.dateFormats.map((f) => f.text).join(", ") });
      return null;
    }
    if (d > this.today) this.problem("futureDate", field, { date: d, today: this.today });
    return d;
  }

  private code<T extends string>(field: CodedField, needed: boolean): T | null {
    const p = this.profile;
    const v = needed ? this.required(field) : this.get(field);
    if (!v) return null;
    const key = normaliseKey(v);
    const mapped = p.values[field]?.get(key);
    const list = CODE_LISTS[field] as readonly string[];
    if (mapped) return mapped as T;
    if (list.includes(key)) return key as T;
    const texts = p.valueTexts[field] ?? [];
    this.problem("badCode", field, { value: v, allowed: (texts.length ? texts : list).join(", ") });
    return null;
  }

  /** Checks one record (the cells of one row) and returns the case it describes, or every problem found. */
  read(cells: readonly string[]): RowResult {
    this.cells = cells;
    const problems: Problem[] = (this.problems = []);
    const p = this.profile;
    const externalId = this.required("externalId");
    // The external id becomes a reference shown in clear (as `case update --ref` refuses a personnummer).
    if (externalId && findPersonalNumbers(externalId, this.today).length) this.problem("pnrAsId", "externalId");
    else if (externalId && (externalId.length > MAX_EXTERNAL_ID || CONTROL.test(externalId) || /[\r\n]/.test(externalId)))
      this.problem("badId", "externalId", { value: externalId.slice(0, 40), max: MAX_EXTERNAL_ID });

    const eventDate = this.date("eventDate", true);
    const discoveredDate = this.date("discoveredDate", false) ?? eventDate;
    const receivedDate = this.date("receivedDate", false);
    if (eventDate && discoveredDate && eventDate > discoveredDate) this.problem("dateOrder", null, { event: eventDate, discovered: discoveredDate });

    const summary = this.text("summary", MAX_SUMMARY, true);
    const description = this.text("description", MAX_DESCRIPTION, false);
    const area = this.code<Area>("area", true);
    const kind = this.code<Kind>("kind", true);
    const severity = this.code<Severity>("severity", false);
    const status = this.code<Status>("status", false);
    if (status && !statusesOf(p.direction).includes(status)) {
      this.problem("statusDirection", "status", { value: this.get("status"), status, allowed: statusesOf(p.direction).join(", ") });
    }

    // The counterpart: an organisation by id or name (through values.counterpart); a unit names its organisation.
    let counterpart: Org | undefined;
    let unit: Org | undefined;
    const counterpartText = this.required("counterpart");
    if (counterpartText) {
      const org = this.org("counterpart", counterpartText);
      if (!org) this.problem("orgUnknown", "counterpart", { value: counterpartText });
      else {
        const top = this.directory.topOf(org);
        if (top.id === this.directory.self.id) this.problem("counterpartSelf", "counterpart", { value: counterpartText });
        else {
          counterpart = top;
          if (org.id !== top.id) unit = org;
        }
      }
    }
    const unitText = this.get("unit");
    if (unitText) {
      const org = this.org("unit", unitText);
      if (!org) this.problem("orgUnknown", "unit", { value: unitText });
      else if (counterpart) {
        const top = this.directory.topOf(org);
        if (top.id !== counterpart.id && top.id !== this.directory.self.id) this.problem("unitNotOfParties", "unit", { value: unitText, counterpart: counterpart.name });
        else unit = org;
      }
    }

    const persons: ImportRow["persons"] = [];
    const pnrText = this.get("personnummer");
    if (pnrText) {
      const numbers = pnrText.split(/[,;\n]+/).map((s) => s.trim()).filter(Boolean);
      const names = this.get("personName").split(/[;\n]+/).map((s) => s.trim());
      numbers.forEach((n, i) => {
        const parsed = parsePersonalNumber(n, this.today);
        if (!isPersonalNumber(parsed)) {
          this.problem("badPnr", "personnummer", { value: n.length > 6 ? `${n.slice(0, 6)}…` : n, reason: parsed.error });
          return;
        }
        const name = (numbers.length === 1 ? names.join(" ") : names[i] ?? "").trim();
        if (name && (name.length > MAX_SUMMARY || CONTROL.test(name))) this.problem("tooLong", "personName", { length: name.length, max: MAX_SUMMARY });
        else if (name && unprintableCharacters(name).length) this.problem("unprintable", "personName", { chars: describeCharacters(unprintableCharacters(name)) });
        persons.push({ digits: parsed.digits, name: name || null });
      });
    }

    if (problems.length || !counterpart || !eventDate || !discoveredDate || !summary || !area || !kind) {
      return { ok: false, problems };
    }
    return {
      ok: true,
      row: {
        externalId,
        fields: {
          eventDate,
          discoveredDate,
          receivedDate,
          summary,
          description,
          area,
          kind,
          severity,
          counterpartId: counterpart.id,
          unitId: unit?.id ?? null,
          status,
        },
        persons,
      },
    };
  }

  private org(field: "counterpart" | "unit", text: string): Org | undefined {
    const mapped = this.profile.values[field]?.get(normaliseKey(text));
    return this.directory.find(mapped ?? text);
  }
}
