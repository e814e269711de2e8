import type { Area, Direction, Kind, Role, Severity, Status } from "../core/codes.js";
import { addDays } from "../core/dates.js";
import { dueDate, deadlineMonths, daysLeft, isOverdue } from "../core/deadline.js";
import { DEFAULT_DIARY_FORMAT, DiaryTemplate, splitDocumentNumber } from "../core/diaryNumber.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { formatPersonalNumber, maskName, maskPersonalNumber } from "../core/personnummer.js";
import type { Case, CaseFilter, Contact, ExternalRef, NewCaseInput } from "../core/types.js";
import { checkTransition } from "../core/workflow.js";
import type { NewDocument } from "./documents.js";
import type { Store } from "./store.js";

interface CaseRow {
  id: number;
  diary_number: string | null;
  direction: Direction;
  status: Status;
  counterpart_id: string;
  counterpart_name: string;
  unit_id: string | null;
  unit_name: string | null;
  event_date: string;
  discovered_date: string;
  received_date: string | null;
  registered_at: string;
  due_date: string;
  kind: Kind;
  area: Area;
  severity: Severity | null;
  summary: string;
  description: string | null;
  causes: string | null;
  actions: string | null;
  follow_up: string | null;
  assignee_name: string | null;
  assignee_email: string | null;
  assignee_role: Role | null;
  answered_at: string | null;
  closed_at: string | null;
  duplicate_number: string | null;
}

const SELECT_CASE = `
  SELECT c.*, o.name AS counterpart_name, u.name AS unit_name,
         k.name AS assignee_name, k.email AS assignee_email, k.role AS assignee_role,
         d.diary_number AS duplicate_number
  FROM cases c
  JOIN orgs o ON o.id = c.counterpart_id
  LEFT JOIN orgs u ON u.id = c.unit_id
  LEFT JOIN contacts k ON k.id = c.assignee_id
  LEFT JOIN cases d ON d.id = c.duplicate_of`;

/** The free-text fields a user may change with `case update`, by their JSON name and column. */
export const TEXT_FIELDS = {
  summary: "summary",
  description: "description",
  causes: "causes",
  actions: "actions",
  followUp: "follow_up",
} as const;

export interface CaseChanges {
  severity?: Severity;
  kind?: Kind;
  area?: Area;
  unitId?: string | null;
  summary?: string;
  description?: string;
  causes?: string;
  actions?: string;
  followUp?: string;
  refs?: ExternalRef[];
  duplicateOf?: number | null;
}

export interface RevealedPerson {
  pnr: string;
  name: string | null;
}

export class CaseRepo {
  constructor(private readonly s: Store) {}

  template(): DiaryTemplate {
    const parsed = DiaryTemplate.parse(this.s.settings.get("diary_format") ?? DEFAULT_DIARY_FORMAT);
    if (!(parsed instanceof DiaryTemplate)) throw new RefusedError("error.diaryFormatInvalid", { format: this.s.settings.get("diary_format") ?? "" });
    return parsed;
  }

  /**
   * Gives the case the next number of the current year; call inside `store.write`. The sequence row is
   * updated in the same immediate transaction as the case, so numbers never repeat and never skip, also
   * with several processes registering at once.
   */
  diarise(caseId: number): string {
    const year = Number(this.s.today.slice(0, 4));
    const { last_seq: seq } = this.s.db
      .prepare(
        `INSERT INTO diary_sequences (year, last_seq) VALUES (?, 1)
         ON CONFLICT(year) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
      )
      .get(year) as { last_seq: number };
    const number = this.template().format(year, seq);
    this.s.db.prepare("UPDATE cases SET diary_number = ?, diary_year = ?, diary_seq = ? WHERE id = ?").run(number, year, seq, caseId);
    this.s.audit.record("case.diarise", caseId, { diaryNumber: number });
    return number;
  }

  /** The months to answer in: the counterpart's agreement, its parent's, else the organisation's default. */
  deadlineMonthsFor(counterpartId: string): number {
    const org = this.s.orgs.require(counterpartId);
    const parent = org.parentId ? this.s.orgs.get(org.parentId) : undefined;
    const fallback = Number(this.s.settings.get("deadline_months") ?? "");
    return deadlineMonths(org.deadlineMonths, parent?.deadlineMonths, Number.isFinite(fallback) ? fallback : undefined);
  }

  /**
   * Registers a case with its first diary document in one transaction; call inside `store.write`.
   * `diarise: false` keeps it out of the register (imports without --diarise) and records no document.
   */
  create(input: NewCaseInput, first: NewDocument | null, options: { diarise?: boolean; status?: Status } = {}): number {
    for (const [field, text] of [["--summary", input.summary], ["--description", input.description]] as const) {
      if (text) assertNoPersonalNumber(text, field, this.s.today);
    }
    const counterpart = this.s.orgs.require(input.counterpartId);
    const due = dueDate(input.discoveredDate, this.deadlineMonthsFor(counterpart.id));
    const info = this.s.db
      .prepare(
        `INSERT INTO cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, received_date,
                            registered_at, due_date, kind, area, severity, summary, description, updated_at)
         VALUES (@direction, @status, @counterpart, @unit, @event, @discovered, @received, @now, @due, @kind, @area,
                 @severity, @summary, @description, @now)`,
      )
      .run({
        direction: input.direction,
        status: options.status ?? "registered",
        counterpart: counterpart.id,
        unit: input.unitId,
        event: input.eventDate,
        discovered: input.discoveredDate,
        received: input.receivedDate,
        now: this.s.now,
        due,
        kind: input.kind,
        area: input.area,
        severity: input.severity ?? null,
        summary: input.summary,
        description: input.description,
      });
    const id = Number(info.lastInsertRowid);
    this.s.audit.record("case.new", id, { direction: input.direction, counterpart: counterpart.id, dueDate: due, persons: input.persons.length });
    for (const ref of input.refs) this.addRef(id, ref);
    this.addPersons(id, input.persons);
    if (options.diarise !== false) {
      this.diarise(id);
      if (first) this.s.documents.add(id, first);
    }
    return id;
  }

  addPersons(caseId: number, persons: Array<{ digits: string; name: string | null }>): void {
    const insert = this.s.db.prepare("INSERT INTO persons (case_id, pnr_enc, name_enc, pnr_hash) VALUES (?, ?, ?, ?)");
    for (const p of persons) {
      insert.run(caseId, this.s.cipher.encrypt(p.digits), p.name ? this.s.cipher.encrypt(p.name) : null, this.s.cipher.hash(p.digits));
    }
  }

  addRef(caseId: number, ref: ExternalRef): void {
    // External references are stored and shown in clear: a personnummer used as an id is refused.
    assertNoPersonalNumber(`${ref.id}`, "--ref", this.s.today);
    const system = ref.system.toLowerCase();
    const owner = this.s.db.prepare("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?").get(system, ref.id) as
      | { case_id: number }
      | undefined;
    if (owner?.case_id === caseId) return;
    if (owner) throw new RefusedError("error.refTaken", { ref: `${system}:${ref.id}`, case: this.label(owner.case_id) });
    this.s.db.prepare("INSERT INTO case_refs (case_id, system, external_id) VALUES (?, ?, ?)").run(caseId, system, ref.id);
  }

  /** The diary number of a case, or its internal id when it has none. */
  label(caseId: number): string {
    const r = this.s.db.prepare("SELECT diary_number FROM cases WHERE id = ?").get(caseId) as { diary_number: string | null } | undefined;
    return r?.diary_number ?? `#${caseId}`;
  }

  /**
   * Finds the case a reference names: a diary number (2026-000012), a document number (2026-000012:2),
   * the internal id, or an external reference SYSTEM:ID (synergi:45678).
   */
  resolve(ref: string): number {
    const text = ref.trim();
    const byNumber = this.s.db.prepare("SELECT id FROM cases WHERE diary_number = ?").get(text) as { id: number } | undefined;
    if (byNumber) return byNumber.id;
    const doc = splitDocumentNumber(text);
    if (doc) {
      const r = this.s.db.prepare("SELECT case_id FROM documents WHERE number = ?").get(text) as { case_id: number } | undefined;
      if (r) return r.case_id;
      const ext = this.s.db
        .prepare("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?")
        .get(doc.caseNumber.toLowerCase(), String(doc.seq)) as { case_id: number } | undefined;
      if (ext) return ext.case_id;
    }
    const ext = /^([^:]+):(.+)$/.exec(text);
    if (ext) {
      const r = this.s.db
        .prepare("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?")
        .get(ext[1]!.toLowerCase(), ext[2]!) as { case_id: number } | undefined;
      if (r) return r.case_id;
    }
    if (/^#?\d+$/.test(text)) {
      const r = this.s.db.prepare("SELECT id FROM cases WHERE id = ?").get(Number(text.replace("#", ""))) as { id: number } | undefined;
      if (r) return r.id;
    }
    throw new NotFoundError("error.caseNotFound", { ref: text });
  }

  get(id: number, options: { documents?: boolean } = {}): Case {
    const row = this.s.db.prepare(`${SELECT_CASE} WHERE c.id = ?`).get(id) as CaseRow | undefined;
    if (!row) throw new NotFoundError("error.caseNotFound", { ref: String(id) });
    const refs = this.refsOf([id]);
    const persons = this.maskedPersonsOf([id]);
    const c = this.toCase(row, refs.get(id) ?? [], persons.get(id) ?? []);
    if (options.documents) c.documents = this.s.documents.forCase(id);
    return c;
  }

  list(filter: CaseFilter = {}): Case[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.status) {
      where.push("c.status = @status");
      params.status = filter.status;
    }
    if (filter.direction) {
      where.push("c.direction = @direction");
      params.direction = filter.direction;
    }
    if (filter.counterpartId) {
      where.push("(c.counterpart_id = @counterpart OR o.parent_id = @counterpart)");
      params.counterpart = filter.counterpartId;
    }
    const open = "c.status NOT IN ('answered','followed_up','closed')";
    if (filter.overdue) {
      where.push(`${open} AND c.due_date < @today`);
      params.today = this.s.today;
    }
    if (filter.dueWithin !== undefined) {
      where.push(`${open} AND c.due_date BETWEEN @today AND @until`);
      params.today = this.s.today;
      params.until = addDays(this.s.today, filter.dueWithin);
    }
    if (filter.text) {
      where.push("(instr(lower(c.summary), lower(@text)) > 0 OR instr(lower(COALESCE(c.description,'')), lower(@text)) > 0)");
      params.text = filter.text;
    }
    const byDeadline = filter.overdue || filter.dueWithin !== undefined;
    const sql = `${SELECT_CASE} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${byDeadline ? "c.due_date, " : ""}c.diary_year IS NULL, c.diary_year, c.diary_seq, c.id
      ${filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : ""}`;
    const rows = this.s.db.prepare(sql).all(params) as CaseRow[];
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const refs = this.refsOf(ids);
    const persons = this.maskedPersonsOf(ids);
    return rows.map((r) => this.toCase(r, refs.get(r.id) ?? [], persons.get(r.id) ?? []));
  }

  private inClause(ids: number[]): { sql: string; params: number[] } {
    // Small sets by id; large sets by range, filtered afterwards by the caller's map lookups.
    if (ids.length <= 500) return { sql: `IN (${ids.map(() => "?").join(",")})`, params: ids };
    let min = Infinity;
    let max = -Infinity;
    for (const id of ids) {
      if (id < min) min = id;
      if (id > max) max = id;
    }
    return { sql: "BETWEEN ? AND ?", params: [min, max] };
  }

  private refsOf(ids: number[]): Map<number, ExternalRef[]> {
    const map = new Map<number, ExternalRef[]>();
    const clause = this.inClause(ids);
    const rows = this.s.db
      .prepare(`SELECT case_id, system, external_id FROM case_refs WHERE case_id ${clause.sql} ORDER BY case_id, system, external_id`)
      .all(...clause.params) as Array<{ case_id: number; system: string; external_id: string }>;
    for (const r of rows) {
      const list = map.get(r.case_id) ?? [];
      list.push({ system: r.system, id: r.external_id });
      map.set(r.case_id, list);
    }
    return map;
  }

  private personRows(ids: number[]): Array<{ case_id: number; pnr_enc: Buffer | null; name_enc: Buffer | null }> {
    const clause = this.inClause(ids);
    return this.s.db
      .prepare(`SELECT case_id, pnr_enc, name_enc FROM persons WHERE case_id ${clause.sql} ORDER BY case_id, id`)
      .all(...clause.params) as Array<{ case_id: number; pnr_enc: Buffer | null; name_enc: Buffer | null }>;
  }

  /** Persons as shown by default: YYYYMMDD-****; purged persons are left out. */
  private maskedPersonsOf(ids: number[]): Map<number, string[]> {
    const map = new Map<number, string[]>();
    for (const r of this.personRows(ids)) {
      if (!r.pnr_enc) continue;
      const list = map.get(r.case_id) ?? [];
      list.push(maskPersonalNumber(this.s.cipher.decryptText(r.pnr_enc)));
      map.set(r.case_id, list);
    }
    return map;
  }

  /** Persons in clear or as initials; the caller records a `reveal` audit event when it shows them in clear. */
  persons(caseId: number, reveal: boolean): RevealedPerson[] {
    return this.personRows([caseId])
      .filter((r) => r.pnr_enc)
      .map((r) => {
        const digits = this.s.cipher.decryptText(r.pnr_enc!);
        const name = r.name_enc ? this.s.cipher.decryptText(r.name_enc) : null;
        return reveal
          ? { pnr: formatPersonalNumber(digits), name }
          : { pnr: maskPersonalNumber(digits), name: name === null ? null : maskName(name) };
      });
  }

  private toCase(r: CaseRow, refs: ExternalRef[], persons: string[]): Case {
    return {
      id: r.id,
      diaryNumber: r.diary_number,
      direction: r.direction,
      status: r.status,
      counterpart: { id: r.counterpart_id, name: r.counterpart_name },
      unit: r.unit_id ? { id: r.unit_id, name: r.unit_name ?? r.unit_id } : null,
      eventDate: r.event_date,
      discoveredDate: r.discovered_date,
      receivedDate: r.received_date,
      registeredAt: r.registered_at,
      dueDate: r.due_date,
      overdue: isOverdue(r.status, r.due_date, this.s.today),
      daysLeft: daysLeft(r.due_date, this.s.today),
      kind: r.kind,
      area: r.area,
      severity: r.severity,
      summary: r.summary,
      description: r.description,
      causes: r.causes,
      actions: r.actions,
      followUp: r.follow_up,
      assignee: r.assignee_email ? { name: r.assignee_name ?? "", email: r.assignee_email, role: r.assignee_role! } : null,
      answeredAt: r.answered_at,
      closedAt: r.closed_at,
      duplicateOf: r.duplicate_number,
      refs,
      persons,
    };
  }

  /** Applies changes; call inside `store.write`. Returns the names of the fields that changed. */
  update(id: number, changes: CaseChanges): string[] {
    const before = this.get(id);
    const sets: string[] = [];
    const params: Record<string, unknown> = { id, now: this.s.now };
    const changed: string[] = [];
    const simple: Array<[keyof CaseChanges, string]> = [
      ["severity", "severity"],
      ["kind", "kind"],
      ["area", "area"],
      ["unitId", "unit_id"],
      ...Object.entries(TEXT_FIELDS).map(([k, col]) => [k as keyof CaseChanges, col] as [keyof CaseChanges, string]),
    ];
    for (const [key, col] of simple) {
      const value = changes[key];
      if (value === undefined) continue;
      if (typeof value === "string" && key in TEXT_FIELDS) assertNoPersonalNumber(value, `--${key === "followUp" ? "follow-up" : key}`, this.s.today);
      const current = key === "unitId" ? before.unit?.id ?? null : (before as unknown as Record<string, unknown>)[key];
      if (current === value) continue;
      sets.push(`${col} = @${col}`);
      params[col] = value;
      changed.push(key);
    }
    if (changes.duplicateOf !== undefined) {
      if (changes.duplicateOf === id) throw new RefusedError("error.duplicateSelf", { case: this.label(id) });
      sets.push("duplicate_of = @duplicate_of");
      params.duplicate_of = changes.duplicateOf;
      changed.push("duplicateOf");
    }
    if (sets.length) this.s.db.prepare(`UPDATE cases SET ${sets.join(", ")}, updated_at = @now WHERE id = @id`).run(params);
    for (const ref of changes.refs ?? []) {
      if (before.refs.some((r) => r.system === ref.system.toLowerCase() && r.id === ref.id)) continue;
      this.addRef(id, ref);
      changed.push(`ref:${ref.system.toLowerCase()}`);
    }
    if (changed.length) {
      this.s.audit.record("case.update", id, {
        fields: changed,
        ...(changes.severity ? { severity: changes.severity } : {}),
        ...(changes.duplicateOf !== undefined ? { duplicateOf: changes.duplicateOf === null ? null : this.label(changes.duplicateOf) } : {}),
      });
    }
    return changed;
  }

  /** Moves a case one allowed step; call inside `store.write`. Refuses with the allowed next steps. */
  setStatus(id: number, to: Status): { from: Status; to: Status } {
    const row = this.s.db.prepare("SELECT direction, status FROM cases WHERE id = ?").get(id) as { direction: Direction; status: Status } | undefined;
    if (!row) throw new NotFoundError("error.caseNotFound", { ref: String(id) });
    const check = checkTransition(row.direction, row.status, to);
    if (!check.ok) {
      throw new RefusedError(check.reason === "same" ? "error.statusSame" : "error.statusNotAllowed", {
        case: this.label(id),
        from: row.status,
        to,
        allowed: check.allowed.join(", "),
      });
    }
    const stamp = to === "sent" ? "sent_at" : to === "answered" ? "answered_at" : to === "closed" ? "closed_at" : null;
    this.s.db
      .prepare(`UPDATE cases SET status = @to, ${stamp ? `${stamp} = COALESCE(${stamp}, @now),` : ""} updated_at = @now WHERE id = @id`)
      .run({ to, now: this.s.now, id });
    this.s.audit.record("case.status", id, { from: row.status, to });
    return { from: row.status, to };
  }

  /** Records who is responsible; moves a registered incoming case to `assigned`. Call inside `store.write`. */
  assign(id: number, contact: Contact): { statusChanged: boolean } {
    const c = this.get(id);
    if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: this.label(id) });
    this.s.db.prepare("UPDATE cases SET assignee_id = ?, updated_at = ? WHERE id = ?").run(contact.id, this.s.now, id);
    this.s.audit.record("case.assign", id, { contact: contact.id, role: contact.role });
    if (c.direction === "in" && c.status === "registered") {
      this.setStatus(id, "assigned");
      return { statusChanged: true };
    }
    return { statusChanged: false };
  }
}
