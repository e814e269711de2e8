import type { Area, Direction, Kind, Severity, Status } from "../core/codes.js";
import { addDays } from "../core/dates.js";
import { ANSWERED_STATUSES, dueDate, deadlineMonths } from "../core/deadline.js";
import { caseLabel, DEFAULT_DIARY_FORMAT, DiaryTemplate, splitDocumentNumber } from "../core/diaryNumber.js";
import { NotFoundError, RefusedError, messageRef } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import { formatPersonalNumber, maskName, maskPersonalNumber } from "../core/personnummer.js";
import type { Case, CaseFilter, Contact, ExternalRef, NewCaseInput } from "../core/types.js";
import { checkTransition, reopenTarget, stampsOf } from "../core/workflow.js";
import { assertNoOpenActions } from "../core/actions.js";
import { DEFAULT_EVENT_ANALYSIS_THRESHOLD, isRiskLevel } from "../core/risk.js";
import type { NewDocument } from "./documents.js";
import type { Statement } from "better-sqlite3";
import type { Store } from "./store.js";

/** SQL: the case's deadline still runs (not answered, and never answered before a reopening). */
const DEADLINE_RUNS = `c.status NOT IN (${ANSWERED_STATUSES.map((s) => `'${s}'`).join(",")}) AND c.answered_at IS NULL`;

// The JSON shape of a case (CLI.md section 1), built by SQLite itself: listing 100,000 cases then costs one
// string per row instead of a JavaScript object per column. `@today` decides `overdue` and `daysLeft`;
// `avvik_mask` (registered on the connection) decrypts and masks a personnummer.
const CASE_JSON = `
  json_object(
    'id', c.id,
    'diaryNumber', c.diary_number,
    'direction', c.direction,
    'status', c.status,
    'counterpart', json_object('id', c.counterpart_id, 'name', o.name),
    'unit', json(CASE WHEN c.unit_id IS NULL THEN NULL ELSE json_object('id', c.unit_id, 'name', COALESCE(u.name, c.unit_id)) END),
    'eventDate', c.event_date,
    'discoveredDate', c.discovered_date,
    'receivedDate', c.received_date,
    'registeredAt', c.registered_at,
    'dueDate', c.due_date,
    'overdue', json(CASE WHEN ${DEADLINE_RUNS} AND c.due_date < @today THEN 'true' ELSE 'false' END),
    'daysLeft', CAST(julianday(c.due_date) - julianday(@today) AS INTEGER),
    'kind', c.kind,
    'area', c.area,
    'severity', c.severity,
    'summary', c.summary,
    'description', c.description,
    'causes', c.causes,
    'actions', c.actions,
    'followUp', c.follow_up,
    'assignee', json(CASE WHEN k.id IS NULL THEN NULL ELSE json_object('name', k.name, 'email', k.email, 'role', k.role) END),
    'answeredAt', c.answered_at,
    'closedAt', c.closed_at,
    'duplicateOf', d.diary_number,
    'secrecy', c.secrecy,
    'archived', json(CASE WHEN c.archive_delivery_id IS NULL THEN NULL ELSE
                 (SELECT json_object('at', a.created_at, 'package', a.package_id) FROM archive_deliveries a WHERE a.id = c.archive_delivery_id) END),
    -- Most cases are not assessed: a constant (computed once per statement) instead of an object per row.
    'risk', CASE WHEN c.risk_probability IS NULL AND c.risk_consequence IS NULL
              THEN json('{"probability":null,"consequence":null,"score":null,"eventAnalysisSuggested":false}')
              ELSE json_object('probability', c.risk_probability, 'consequence', c.risk_consequence,
                               'score', c.risk_probability * c.risk_consequence,
                               'eventAnalysisSuggested', json(CASE WHEN c.risk_probability * c.risk_consequence >= @threshold THEN 'true' ELSE 'false' END))
            END,
    'classification', COALESCE(c.classification, @classification),
    -- The default's name is looked up once (a parameter); only a case's own code is looked up per row.
    'classificationName', CASE WHEN c.classification IS NULL THEN @classificationName
                               ELSE (SELECT cc.name FROM classification_codes cc WHERE cc.code = c.classification) END,
    'refs', json((SELECT json_group_array(json_object('system', r.system, 'id', r.external_id) ORDER BY r.system, r.external_id)
                  FROM case_refs r WHERE r.case_id = c.id)),
    'persons', json((SELECT json_group_array(avvik_mask(p.pnr_enc) ORDER BY p.id)
                     FROM persons p WHERE p.case_id = c.id AND p.pnr_enc IS NOT NULL))
  )`;

const FROM_CASES = `
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
  /** Risk assessment, 1–4 each. */
  probability?: number;
  consequence?: number;
  /** The matter's classification code (checked against the loaded scheme); null: back to the default. */
  classification?: string | null;
}

export interface RevealedPerson {
  pnr: string;
  name: string | null;
}

export class CaseRepo {
  private byId: Statement | undefined;
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

  /**
   * The number `diarise` would give now. Only a read: a writer that renders it before diarising (a packet)
   * checks inside its transaction that it is still the next one.
   */
  nextDiaryNumber(): string {
    const year = Number(this.s.today.slice(0, 4));
    const r = this.s.db.prepare("SELECT last_seq FROM diary_sequences WHERE year = ?").get(year) as { last_seq: number } | undefined;
    return this.template().format(year, (r?.last_seq ?? 0) + 1);
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
      assertPrintable(text, field);
    }
    const counterpart = this.s.orgs.require(input.counterpartId);
    const due = input.dueDate ?? dueDate(input.discoveredDate, this.deadlineMonthsFor(counterpart.id));
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
    for (const p of persons) assertPrintable(p.name, "--person");
    for (const p of persons) {
      insert.run(caseId, this.s.cipher.encrypt(p.digits), p.name ? this.s.cipher.encrypt(p.name) : null, this.s.cipher.hash(p.digits));
    }
  }

  addRef(caseId: number, ref: ExternalRef): void {
    // External references are stored and shown in clear: a personnummer used as an id is refused.
    assertNoPersonalNumber(`${ref.id}`, "--ref", this.s.today);
    assertPrintable(`${ref.id}`, "--ref");
    const system = ref.system.toLowerCase();
    const owner = this.s.db.prepare("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?").get(system, ref.id) as
      | { case_id: number }
      | undefined;
    if (owner?.case_id === caseId) return;
    if (owner) throw new RefusedError("error.refTaken", { ref: `${system}:${ref.id}`, case: this.label(owner.case_id) });
    this.s.db.prepare("INSERT INTO case_refs (case_id, system, external_id) VALUES (?, ?, ?)").run(caseId, system, ref.id);
  }

  /** The highest case id so far (0 for an empty register): cases created after it have higher ids. */
  maxId(): number {
    return (this.s.db.prepare("SELECT COALESCE(max(id), 0) FROM cases").pluck().get() as number) ?? 0;
  }

  /** The diary number of a case, or its internal id when it has none. */
  label(caseId: number): string {
    const r = this.s.db.prepare("SELECT diary_number FROM cases WHERE id = ?").get(caseId) as { diary_number: string | null } | undefined;
    return caseLabel(r?.diary_number, caseId);
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
    // The register's own format as people type it: "vok 2026-1", "VOK 2026-01", or just "2026-1".
    const number = this.numberAsTyped(text);
    if (number) {
      const r = this.s.db.prepare("SELECT id FROM cases WHERE diary_number = ?").get(number) as { id: number } | undefined;
      if (r) return r.id;
    }
    throw this.notFound(text);
  }

  /** "Inget ärende matchar …", with an example in the register's own format. */
  notFound(ref: string): NotFoundError {
    let example = "2026-000012";
    try {
      example = this.template().format(Number(this.s.today.slice(0, 4)), 12);
    } catch {
      // an unusable format is reported where numbers are made
    }
    return new NotFoundError("error.caseNotFound", { ref, example });
  }

  /**
   * The diary number meant by a loosely typed one: the register's template matched in any case, with any
   * zeros before the sequence and spaces around separators ("vok 2026-1" for "VOK 2026-1"); or only the year
   * and the sequence ("2026-1", "2026/1"), which the template turns into exactly one number.
   */
  numberAsTyped(text: string): string | undefined {
    let template: DiaryTemplate;
    try {
      template = this.template();
    } catch {
      return undefined;
    }
    const m = new RegExp(`^\\s*${template.searchPattern()}\\s*$`, "iu").exec(text);
    const short = /^\s*((?:19|20)\d{2})\s*[-/\u2010-\u2015]\s*(\d{1,12})\s*$/.exec(text);
    const year = m?.groups?.year ? Number(m.groups.year) : m?.groups?.yy ? 2000 + Number(m.groups.yy) : short ? Number(short[1]) : undefined;
    const seq = m?.groups?.seq ? Number(m.groups.seq) : short ? Number(short[2]) : undefined;
    if (year === undefined || seq === undefined || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
    return template.format(year, seq);
  }

  /**
   * Loads the key before a case query that will mask a personnummer: `avvik_mask` runs inside the query, where
   * the connection cannot run the key check's own statements.
   */
  private prepareMasking(caseId?: number): void {
    const any =
      caseId === undefined
        ? this.s.db.prepare("SELECT 1 FROM persons WHERE pnr_enc IS NOT NULL LIMIT 1").get()
        : this.s.db.prepare("SELECT 1 FROM persons WHERE case_id = ? AND pnr_enc IS NOT NULL LIMIT 1").get(caseId);
    if (any) void this.s.cipher;
  }

  get(id: number, options: { documents?: boolean } = {}): Case {
    this.prepareMasking(id);
    // prepared once per register: the case query is large, and preparing it cost more than running it
    this.byId ??= this.s.db.prepare(`SELECT ${CASE_JSON} AS json ${FROM_CASES} WHERE c.id = @id`);
    const row = this.byId.get({ id, ...this.jsonParams() }) as { json: string } | undefined;
    if (!row) throw this.notFound(String(id));
    const c = JSON.parse(row.json) as Case;
    if (options.documents) c.documents = this.s.documents.forCase(id);
    return c;
  }

  /** The values the case JSON depends on besides the row: today, the event analysis threshold, the default class. */
  private jsonParams(): { today: string; threshold: number; classification: string | null; classificationName: string | null } {
    const classification = this.s.classification.defaultCode();
    return {
      today: this.s.today,
      threshold: eventAnalysisThreshold(this.s),
      classification,
      classificationName: classification === null ? null : (this.s.classification.name(classification) ?? null),
    };
  }

  list(filter: CaseFilter = {}): Case[] {
    return this.listJson(filter).map((text) => JSON.parse(text) as Case);
  }

  /** The same cases as `list`, each as its JSON text. */
  listJson(filter: CaseFilter = {}): string[] {
    return [...this.iterateJson(filter)];
  }

  /** The cases of `list` one JSON text at a time, for --json output of large registers in flat memory. */
  iterateJson(filter: CaseFilter = {}): IterableIterator<string> {
    this.prepareMasking();
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
    const open = DEADLINE_RUNS;
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
    Object.assign(params, this.jsonParams());
    const sql = `SELECT ${CASE_JSON} AS json ${FROM_CASES} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${byDeadline ? "c.due_date, " : ""}c.id
      ${filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : ""}`;
    return this.s.db.prepare(sql).pluck().iterate(params) as IterableIterator<string>;
  }

  private personRows(caseId: number): Array<{ pnr_enc: Buffer | null; name_enc: Buffer | null }> {
    return this.s.db.prepare("SELECT pnr_enc, name_enc FROM persons WHERE case_id = ? ORDER BY id").all(caseId) as Array<{ pnr_enc: Buffer | null; name_enc: Buffer | null }>;
  }

  /** Persons in clear or as initials; the caller records a `reveal` audit event when it shows them in clear. */
  persons(caseId: number, reveal: boolean): RevealedPerson[] {
    return this.personRows(caseId)
      .filter((r) => r.pnr_enc)
      .map((r) => {
        const digits = this.s.cipher.decryptText(r.pnr_enc!);
        const name = r.name_enc ? this.s.cipher.decryptText(r.name_enc) : null;
        return reveal
          ? { pnr: formatPersonalNumber(digits), name }
          : { pnr: maskPersonalNumber(digits), name: name === null ? null : maskName(name) };
      });
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
      if (typeof value === "string" && key in TEXT_FIELDS) {
        assertNoPersonalNumber(value, `--${key === "followUp" ? "follow-up" : key}`, this.s.today);
        assertPrintable(value, `--${key === "followUp" ? "follow-up" : key}`);
      }
      const current = key === "unitId" ? before.unit?.id ?? null : (before as unknown as Record<string, unknown>)[key];
      if (current === value) continue;
      sets.push(`${col} = @${col}`);
      params[col] = value;
      changed.push(key);
    }
    const riskRow = this.s.db.prepare("SELECT risk_probability AS p, risk_consequence AS c, classification FROM cases WHERE id = ?").get(id) as {
      p: number | null;
      c: number | null;
      classification: string | null;
    };
    for (const [key, col, current] of [["probability", "risk_probability", riskRow.p], ["consequence", "risk_consequence", riskRow.c]] as const) {
      const value = changes[key];
      if (value === undefined || value === current) continue;
      if (!isRiskLevel(value)) throw new RefusedError("risk.error.level", { flag: `--${key}`, value: String(value) });
      sets.push(`${col} = @${col}`);
      params[col] = value;
      changed.push(key);
    }
    if (changes.classification !== undefined && changes.classification !== riskRow.classification) {
      if (changes.classification !== null) this.s.classification.assertKnown(changes.classification, "--classification");
      sets.push("classification = @classification");
      params.classification = changes.classification;
      changed.push("classification");
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
        ...(changed.includes("probability") || changed.includes("consequence") ? { probability: changes.probability ?? riskRow.p, consequence: changes.consequence ?? riskRow.c } : {}),
        ...(changed.includes("classification") ? { classification: changes.classification } : {}),
        ...(changes.duplicateOf !== undefined ? { duplicateOf: changes.duplicateOf === null ? null : this.label(changes.duplicateOf) } : {}),
      });
    }
    return changed;
  }

  /** Moves a case one allowed step; call inside `store.write`. Refuses with the allowed next steps. */
  setStatus(id: number, to: Status): { from: Status; to: Status } {
    const row = this.s.db.prepare("SELECT direction, status FROM cases WHERE id = ?").get(id) as { direction: Direction; status: Status } | undefined;
    if (!row) throw this.notFound(String(id));
    const check = checkTransition(row.direction, row.status, to);
    if (!check.ok) {
      throw new RefusedError(check.reason === "same" ? "error.statusSame" : "error.statusNotAllowed", {
        case: this.label(id),
        from: messageRef(`statusWord.${row.status}`),
        to: messageRef(`statusWord.${to}`),
        allowed: check.allowed.map((a) => messageRef(`statusWord.${a}`)),
      });
    }
    // A deviation is handled when its actions are done: closing waits for them (read here, in the write).
    if (to === "closed") assertNoOpenActions(this.label(id), this.s.actions.openFor(id));
    const stamps = stampsOf(row.direction, to).map((s) => `${s}_at = COALESCE(${s}_at, @now), `).join("");
    this.s.db.prepare(`UPDATE cases SET status = @to, ${stamps}updated_at = @now WHERE id = @id`).run({ to, now: this.s.now, id });
    this.s.audit.record("case.status", id, { from: row.status, to });
    return { from: row.status, to };
  }

  /**
   * Marks the whole matter secret with a ground (validated by `parseSecrecyGround`), or lifts the marking
   * (null); call inside `store.write`. Documents diarised while it is marked inherit the ground; while it
   * lasts, every entry of the case is kept out of the public register. Returns false when nothing changed.
   */
  setSecrecy(id: number, ground: string | null): boolean {
    const row = this.s.db.prepare("SELECT secrecy FROM cases WHERE id = ?").get(id) as { secrecy: string | null } | undefined;
    if (!row) throw this.notFound(String(id));
    if (row.secrecy === ground) return false;
    this.s.db.prepare("UPDATE cases SET secrecy = ?, updated_at = ? WHERE id = ?").run(ground, this.s.now, id);
    this.s.audit.record("case.secrecy", id, { from: row.secrecy, to: ground });
    return true;
  }

  /**
   * Reopens a closed or followed-up case: back to the step where work continues (`reopenTarget`), the closing
   * date cleared (closed again, it gets a new one); the first answer's date stays, so the statistics count the
   * case once, with its first handling. Records the reason in the audit trail. Call inside `store.write`; the
   * status is read here, in the transaction.
   */
  reopen(id: number, reason: string): { from: Status; to: Status } {
    assertNoPersonalNumber(reason, "--reason", this.s.today);
    assertPrintable(reason, "--reason");
    const row = this.s.db.prepare("SELECT direction, status, archive_delivery_id AS archived FROM cases WHERE id = ?").get(id) as
      | { direction: Direction; status: Status; archived: number | null }
      | undefined;
    if (!row) throw this.notFound(String(id));
    // Delivered to the e-archive, the matter is finished in the register: a new deviation is a new case.
    if (row.archived !== null) throw new RefusedError("case.error.reopenArchived", { case: this.label(id) });
    const to = reopenTarget(row.direction, row.status);
    if (!to) throw new RefusedError("case.error.notReopenable", { case: this.label(id), status: messageRef(`statusWord.${row.status}`) });
    this.s.db.prepare("UPDATE cases SET status = @to, closed_at = NULL, updated_at = @now WHERE id = @id").run({ to, now: this.s.now, id });
    this.s.audit.record("case.reopen", id, { from: row.status, to, reason });
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

/** The setting `risk.eventAnalysisThreshold`: from this risk value on, an event analysis is suggested. */
export const EVENT_ANALYSIS_SETTING = "risk_event_analysis_threshold";

export function eventAnalysisThreshold(s: Store): number {
  const n = Number(s.settings.get(EVENT_ANALYSIS_SETTING) ?? "");
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_EVENT_ANALYSIS_THRESHOLD;
}
