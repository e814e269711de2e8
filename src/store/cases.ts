import { STATUSES, type Area, type Direction, type Kind, type Severity, type Status } from "../core/codes.js";
import { addDays } from "../core/dates.js";
import { dueDate, deadlineMonths, isAwaitingAnswer } from "../core/deadline.js";
import { caseLabel, splitDocumentNumber } from "../core/diaryNumber.js";
import { RefusedError, messageRef } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import { formatPersonalNumber, maskName, maskPersonalNumber } from "../core/personnummer.js";
import type { Case, CaseFilter, Contact, ExternalRef, NewCaseInput } from "../core/types.js";
import { checkTransition, reopenTarget, stampsOf } from "../core/workflow.js";
import { assertNoOpenActions } from "../core/actions.js";
import { DEFAULT_EVENT_ANALYSIS_THRESHOLD, isRiskLevel } from "../core/risk.js";
import type { NewDocument } from "./documents.js";
import type { ActionRepo } from "./actions.js";
import type { AuditRepo } from "./audit.js";
import type { ClassificationRepo } from "./classification.js";
import type { DiaryRepo } from "./diary.js";
import type { DocumentRepo } from "./documents.js";
import type { OrgRepo } from "./orgs.js";
import type { SettingsRepo } from "./settings.js";
import type { Clock, Dialect, Keys, Params, Sql } from "./sql.js";

/** SQL over cases `c`: the statuses still awaiting the answer (core/deadline.ts), as a list an index can use. */
export const AWAITING_ANSWER = `c.status IN (${STATUSES.filter(isAwaitingAnswer).map((s) => `'${s}'`).join(",")})`;

/** SQL over cases `c`: the case's deadline still runs (not answered, and never answered before a reopening). */
export const DEADLINE_RUNS = `${AWAITING_ANSWER} AND c.answered_at IS NULL`;

// The JSON shape of a case (CLI.md section 1), built by the database itself: listing 100,000 cases then costs
// one string per row instead of a JavaScript object per column. `@today` decides `overdue` and `daysLeft`;
// the persons are added after the query, decrypted and masked here (withPersons). The same expression for both
// engines, through the dialect's JSON functions (src/store/sql.ts).
function caseJsonOf(d: Dialect): string {
  const obj = d.jsonObject;
  return `
  ${obj(`
    'id', c.id,
    'diaryNumber', c.diary_number,
    'direction', c.direction,
    'status', c.status,
    'counterpart', ${obj("'id', c.counterpart_id, 'name', o.name")},
    'unit', ${d.json(`CASE WHEN c.unit_id IS NULL THEN NULL ELSE ${obj("'id', c.unit_id, 'name', COALESCE(u.name, c.unit_id)")} END`)},
    'eventDate', c.event_date,
    'discoveredDate', c.discovered_date,
    'receivedDate', c.received_date,
    'registeredAt', c.registered_at,
    'dueDate', c.due_date,
    'overdue', ${d.json(`CASE WHEN ${DEADLINE_RUNS} AND c.due_date < @today THEN 'true' ELSE 'false' END`)},
    'daysLeft', ${d.daysBetween("@today", "c.due_date")},
    'kind', c.kind,
    'area', c.area,
    'severity', c.severity,
    'summary', c.summary,
    'description', c.description,
    'causes', c.causes,
    'actions', c.actions,
    'followUp', c.follow_up,
    'assignee', ${d.json(`CASE WHEN k.id IS NULL THEN NULL ELSE ${obj("'name', k.name, 'email', k.email, 'role', k.role")} END`)},
    'answeredAt', c.answered_at,
    'closedAt', c.closed_at,
    'duplicateOf', d.diary_number,
    'secrecy', c.secrecy,
    'archived', ${d.json(`CASE WHEN c.archive_delivery_id IS NULL THEN NULL ELSE
                 (SELECT ${obj("'at', a.created_at, 'package', a.package_id")} FROM archive_deliveries a WHERE a.id = c.archive_delivery_id) END`)},
    -- Most cases are not assessed: a constant (computed once per statement) instead of an object per row.
    'risk', CASE WHEN c.risk_probability IS NULL AND c.risk_consequence IS NULL
              THEN ${d.json(`'{"probability":null,"consequence":null,"score":null,"eventAnalysisSuggested":false}'`)}
              ELSE ${obj(`'probability', c.risk_probability, 'consequence', c.risk_consequence,
                               'score', c.risk_probability * c.risk_consequence,
                               'eventAnalysisSuggested', ${d.json("CASE WHEN c.risk_probability * c.risk_consequence >= @threshold THEN 'true' ELSE 'false' END")}`)}
            END,
    'classification', COALESCE(c.classification, CAST(@classification AS text)),
    -- The default's name is looked up once (a parameter); only a case's own code is looked up per row.
    'classificationName', CASE WHEN c.classification IS NULL THEN CAST(@classificationName AS text)
                               ELSE (SELECT cc.name FROM classification_codes cc WHERE cc.code = c.classification) END,
    'refs', ${d.json(`(SELECT ${d.jsonArray(obj("'system', r.system, 'id', r.external_id"), "r.system, r.external_id")}
                  FROM case_refs r WHERE r.case_id = c.id)`)},
    -- Last, and empty: the persons are decrypted and masked after the query (withPersons).
    'persons', ${d.json("'[]'")}
  `)}`;
}

const caseJsonByEngine = new Map<Dialect, string>();
function caseJson(d: Dialect): string {
  let text = caseJsonByEngine.get(d);
  if (!text) caseJsonByEngine.set(d, (text = caseJsonOf(d)));
  return text;
}

/** A case's JSON text (its last field the empty 'persons') with its masked persons. */
function withPersons(json: string, masked: string[]): string {
  const empty = '"persons":[]}';
  if (!json.endsWith(empty)) throw new Error("case JSON: persons is not the last field");
  return `${json.slice(0, -2)}${JSON.stringify(masked).slice(1)}}`;
}

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
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly keys: Keys,
    private readonly repos: {
      settings: SettingsRepo;
      audit: AuditRepo;
      orgs: OrgRepo;
      diary: DiaryRepo;
      documents: DocumentRepo;
      classification: ClassificationRepo;
      actions: ActionRepo;
    },
  ) {}

  /** The months to answer in: the counterpart's agreement, its parent's, else the organisation's default. */
  async deadlineMonthsFor(counterpartId: string): Promise<number> {
    const org = await this.repos.orgs.require(counterpartId);
    const parent = org.parentId ? await this.repos.orgs.get(org.parentId) : undefined;
    const fallback = Number((await this.repos.settings.get("deadline_months")) ?? "");
    return deadlineMonths(org.deadlineMonths, parent?.deadlineMonths, Number.isFinite(fallback) ? fallback : undefined);
  }

  /**
   * Registers a case with its first diary document in one transaction; call inside `store.write`.
   * `diarise: false` keeps it out of the register (imports without --diarise) and records no document.
   */
  async create(input: NewCaseInput, first: NewDocument | null, options: { diarise?: boolean; status?: Status } = {}): Promise<number> {
    for (const [field, text] of [["--summary", input.summary], ["--description", input.description]] as const) {
      if (text) assertNoPersonalNumber(text, field, this.clock.today);
      assertPrintable(text, field);
    }
    const counterpart = await this.repos.orgs.require(input.counterpartId);
    const due = input.dueDate ?? dueDate(input.discoveredDate, await this.deadlineMonthsFor(counterpart.id));
    const info = (await this.db.run(`INSERT INTO cases (direction, status, counterpart_id, unit_id, event_date, discovered_date, received_date,
                            registered_at, due_date, kind, area, severity, summary, description, updated_at)
         VALUES (@direction, @status, @counterpart, @unit, @event, @discovered, @received, @now, @due, @kind, @area,
                 @severity, @summary, @description, @now) RETURNING id`, {
        direction: input.direction,
        status: options.status ?? "registered",
        counterpart: counterpart.id,
        unit: input.unitId,
        event: input.eventDate,
        discovered: input.discoveredDate,
        received: input.receivedDate,
        now: this.clock.now,
        due,
        kind: input.kind,
        area: input.area,
        severity: input.severity ?? null,
        summary: input.summary,
        description: input.description,
      }));
    const id = info.lastId!;
    await this.repos.audit.record("case.new", id, { direction: input.direction, counterpart: counterpart.id, dueDate: due, persons: input.persons.length });
    for (const ref of input.refs) await this.addRef(id, ref);
    await this.addPersons(id, input.persons);
    if (options.diarise !== false) {
      await this.repos.diary.diarise(id);
      if (first) await this.repos.documents.add(id, first);
    }
    return id;
  }

  async addPersons(caseId: number, persons: Array<{ digits: string; name: string | null }>): Promise<void> {
    for (const p of persons) assertPrintable(p.name, "--person");
    if (persons.length === 0) return;
    const cipher = await this.keys();
    for (const p of persons) {
      await this.db.run("INSERT INTO persons (case_id, sealed, pnr_hash) VALUES (?, ?, ?)", [caseId, cipher.sealPerson(p.digits, p.name), cipher.personHash(p.digits)]);
    }
  }

  async addRef(caseId: number, ref: ExternalRef): Promise<void> {
    // External references are stored and shown in clear: a personnummer used as an id is refused.
    assertNoPersonalNumber(`${ref.id}`, "--ref", this.clock.today);
    assertPrintable(`${ref.id}`, "--ref");
    const system = ref.system.toLowerCase();
    const owner = (await this.db.get("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?", [system, ref.id])) as
      | { case_id: number }
      | undefined;
    if (owner?.case_id === caseId) return;
    if (owner) throw new RefusedError("error.refTaken", { ref: `${system}:${ref.id}`, case: await this.label(owner.case_id) });
    await this.db.run("INSERT INTO case_refs (case_id, system, external_id) VALUES (?, ?, ?)", [caseId, system, ref.id]);
  }

  /** The highest case id so far (0 for an empty register): cases created after it have higher ids. */
  async maxId(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT COALESCE(max(id), 0) AS n FROM cases"))?.n ?? 0;
  }

  /** The diary number of a case, or its internal id when it has none. */
  async label(caseId: number): Promise<string> {
    const r = (await this.db.get("SELECT diary_number FROM cases WHERE id = ?", [caseId])) as { diary_number: string | null } | undefined;
    return caseLabel(r?.diary_number, caseId);
  }

  /**
   * Finds the case a reference names: a diary number (2026-000012), a document number (2026-000012:2),
   * the internal id, or an external reference SYSTEM:ID (synergi:45678).
   */
  async resolve(ref: string): Promise<number> {
    const text = ref.trim();
    const byNumber = (await this.db.get("SELECT id FROM cases WHERE diary_number = ?", [text])) as { id: number } | undefined;
    if (byNumber) return byNumber.id;
    const doc = splitDocumentNumber(text);
    if (doc) {
      const r = (await this.db.get("SELECT case_id FROM documents WHERE number = ?", [text])) as { case_id: number } | undefined;
      if (r) return r.case_id;
      const ext = (await this.db.get("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?", [doc.caseNumber.toLowerCase(), String(doc.seq)])) as { case_id: number } | undefined;
      if (ext) return ext.case_id;
    }
    const ext = /^([^:]+):(.+)$/.exec(text);
    if (ext) {
      const r = (await this.db.get("SELECT case_id FROM case_refs WHERE system = ? AND external_id = ?", [ext[1]!.toLowerCase(), ext[2]!])) as { case_id: number } | undefined;
      if (r) return r.case_id;
    }
    if (/^#?\d+$/.test(text)) {
      const r = (await this.db.get("SELECT id FROM cases WHERE id = ?", [Number(text.replace("#", ""))])) as { id: number } | undefined;
      if (r) return r.id;
    }
    // The register's own format as people type it: "vok 2026-1", "VOK 2026-01", or just "2026-1".
    const number = await this.repos.diary.numberAsTyped(text);
    if (number) {
      const r = (await this.db.get("SELECT id FROM cases WHERE diary_number = ?", [number])) as { id: number } | undefined;
      if (r) return r.id;
    }
    throw await this.repos.diary.caseNotFound(text);
  }

  /**
   * The persons of the cases a query selects (`ids`: SQL of their ids), masked, by case: decrypted here,
   * after the query (the database never sees a key), and only those of the cases listed.
   */
  private async maskedPersons(ids: string, params: Params): Promise<Map<number, string[]>> {
    const rows = await this.db.all<{ case_id: number; sealed: Buffer }>(
      `SELECT p.case_id, p.sealed FROM persons p WHERE p.sealed IS NOT NULL AND p.case_id IN (${ids}) ORDER BY p.case_id, p.id`,
      params,
    );
    const out = new Map<number, string[]>();
    if (rows.length === 0) return out;
    const cipher = await this.keys();
    for (const r of rows) {
      const list = out.get(r.case_id) ?? [];
      list.push(maskPersonalNumber(cipher.openPerson(r.sealed).digits));
      out.set(r.case_id, list);
    }
    return out;
  }

  async get(id: number, options: { documents?: boolean } = {}): Promise<Case> {
    const row = await this.db.get<{ json: string }>(`SELECT ${caseJson(this.db.dialect)} AS json ${FROM_CASES} WHERE c.id = @id`, { id, ...(await this.jsonParams()) });
    if (!row) throw await this.repos.diary.caseNotFound(String(id));
    const c = JSON.parse(this.db.dialect.jsonResult(row.json)) as Case;
    c.persons = (await this.maskedPersons("?", [id])).get(id) ?? [];
    if (options.documents) c.documents = await this.repos.documents.forCase(id);
    return c;
  }

  /** The values the case JSON depends on besides the row: today, the event analysis threshold, the default class. */
  private async jsonParams(): Promise<{ today: string; threshold: number; classification: string | null; classificationName: string | null }> {
    const classification = await this.repos.classification.defaultCode();
    return {
      today: this.clock.today,
      threshold: await eventAnalysisThreshold(this.repos.settings),
      classification,
      classificationName: classification === null ? null : ((await this.repos.classification.name(classification)) ?? null),
    };
  }

  async list(filter: CaseFilter = {}): Promise<Case[]> {
    return (await this.listJson(filter)).map((text) => JSON.parse(text) as Case);
  }

  /** The same cases as `list`, each as its JSON text. */
  async listJson(filter: CaseFilter = {}): Promise<string[]> {
    const out: string[] = [];
    for await (const text of this.iterateJson(filter)) out.push(text);
    return out;
  }

  /** The cases of `list` one JSON text at a time, for --json output of large registers in flat memory. */
  async *iterateJson(filter: CaseFilter = {}): AsyncIterable<string> {
    const where: string[] = [];
    const params: Record<string, string | number | null> = {};
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
      params.today = this.clock.today;
    }
    if (filter.dueWithin !== undefined) {
      where.push(`${open} AND c.due_date BETWEEN @today AND @until`);
      params.today = this.clock.today;
      params.until = addDays(this.clock.today, filter.dueWithin);
    }
    if (filter.text) {
      const d = this.db.dialect;
      where.push(`(${d.contains("lower(c.summary)", "lower(CAST(@text AS text))")} OR ${d.contains("lower(COALESCE(c.description,''))", "lower(CAST(@text AS text))")})`);
      params.text = filter.text;
    }
    const byDeadline = filter.overdue || filter.dueWithin !== undefined;
    const selection = `${FROM_CASES} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${byDeadline ? "c.due_date, " : ""}c.id
      ${filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : ""}`;
    // The persons first: nothing else may use the connection while the cases are read one at a time.
    const persons = await this.maskedPersons(`SELECT c.id ${selection}`, params);
    Object.assign(params, await this.jsonParams());
    for await (const r of this.db.iterate<{ json: string; id: number }>(`SELECT ${caseJson(this.db.dialect)} AS json, c.id AS id ${selection}`, params)) {
      const masked = persons.get(r.id);
      const json = this.db.dialect.jsonResult(r.json);
      yield masked ? withPersons(json, masked) : json;
    }
  }

  private async personRows(caseId: number): Promise<Array<{ sealed: Buffer | null }>> {
    return await this.db.all<{ sealed: Buffer | null }>("SELECT sealed FROM persons WHERE case_id = ? ORDER BY id", [caseId]);
  }

  /** Persons in clear or as initials; the caller records a `reveal` audit event when it shows them in clear. */
  async persons(caseId: number, reveal: boolean): Promise<RevealedPerson[]> {
    const rows = (await this.personRows(caseId)).filter((r) => r.sealed);
    if (rows.length === 0) return [];
    const cipher = await this.keys();
    return rows.map((r) => {
        const { digits, name } = cipher.openPerson(r.sealed!);
        return reveal
          ? { pnr: formatPersonalNumber(digits), name }
          : { pnr: maskPersonalNumber(digits), name: name === null ? null : maskName(name) };
      });
  }

  /** Applies changes; call inside `store.write`. Returns the names of the fields that changed. */
  async update(id: number, changes: CaseChanges): Promise<string[]> {
    const before = await this.get(id);
    const sets: string[] = [];
    const params: Record<string, unknown> = { id, now: this.clock.now };
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
        assertNoPersonalNumber(value, `--${key === "followUp" ? "follow-up" : key}`, this.clock.today);
        assertPrintable(value, `--${key === "followUp" ? "follow-up" : key}`);
      }
      const current = key === "unitId" ? before.unit?.id ?? null : (before as unknown as Record<string, unknown>)[key];
      if (current === value) continue;
      sets.push(`${col} = @${col}`);
      params[col] = value;
      changed.push(key);
    }
    const riskRow = (await this.db.get("SELECT risk_probability AS p, risk_consequence AS c, classification FROM cases WHERE id = ?", [id])) as {
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
      if (changes.classification !== null) await this.repos.classification.assertKnown(changes.classification, "--classification");
      sets.push("classification = @classification");
      params.classification = changes.classification;
      changed.push("classification");
    }
    if (changes.duplicateOf !== undefined) {
      if (changes.duplicateOf === id) throw new RefusedError("error.duplicateSelf", { case: await this.label(id) });
      sets.push("duplicate_of = @duplicate_of");
      params.duplicate_of = changes.duplicateOf;
      changed.push("duplicateOf");
    }
    if (sets.length) await this.db.run(`UPDATE cases SET ${sets.join(", ")}, updated_at = @now WHERE id = @id`, params);
    for (const ref of changes.refs ?? []) {
      if (before.refs.some((r) => r.system === ref.system.toLowerCase() && r.id === ref.id)) continue;
      await this.addRef(id, ref);
      changed.push(`ref:${ref.system.toLowerCase()}`);
    }
    if (changed.length) {
      await this.repos.audit.record("case.update", id, {
        fields: changed,
        ...(changes.severity ? { severity: changes.severity } : {}),
        ...(changed.includes("probability") || changed.includes("consequence") ? { probability: changes.probability ?? riskRow.p, consequence: changes.consequence ?? riskRow.c } : {}),
        ...(changed.includes("classification") ? { classification: changes.classification } : {}),
        ...(changes.duplicateOf !== undefined ? { duplicateOf: changes.duplicateOf === null ? null : await this.label(changes.duplicateOf) } : {}),
      });
    }
    return changed;
  }

  /** Moves a case one allowed step; call inside `store.write`. Refuses with the allowed next steps. */
  async setStatus(id: number, to: Status): Promise<{ from: Status; to: Status }> {
    const row = (await this.db.get("SELECT direction, status FROM cases WHERE id = ?", [id])) as { direction: Direction; status: Status } | undefined;
    if (!row) throw await this.repos.diary.caseNotFound(String(id));
    const check = checkTransition(row.direction, row.status, to);
    if (!check.ok) {
      throw new RefusedError(check.reason === "same" ? "error.statusSame" : "error.statusNotAllowed", {
        case: await this.label(id),
        from: messageRef(`statusWord.${row.status}`),
        to: messageRef(`statusWord.${to}`),
        allowed: check.allowed.map((a) => messageRef(`statusWord.${a}`)),
      });
    }
    // A deviation is handled when its actions are done: closing waits for them (read here, in the write).
    if (to === "closed") assertNoOpenActions(await this.label(id), await this.repos.actions.openFor(id));
    const stamps = stampsOf(row.direction, to).map((s) => `${s}_at = COALESCE(${s}_at, @now), `).join("");
    await this.db.run(`UPDATE cases SET status = @to, ${stamps}updated_at = @now WHERE id = @id`, { to, now: this.clock.now, id });
    await this.repos.audit.record("case.status", id, { from: row.status, to });
    return { from: row.status, to };
  }

  /**
   * Marks the whole matter secret with a ground (validated by `parseSecrecyGround`), or lifts the marking
   * (null); call inside `store.write`. Documents diarised while it is marked inherit the ground; while it
   * lasts, every entry of the case is kept out of the public register. Returns false when nothing changed.
   */
  async setSecrecy(id: number, ground: string | null): Promise<boolean> {
    const row = (await this.db.get("SELECT secrecy FROM cases WHERE id = ?", [id])) as { secrecy: string | null } | undefined;
    if (!row) throw await this.repos.diary.caseNotFound(String(id));
    if (row.secrecy === ground) return false;
    await this.db.run("UPDATE cases SET secrecy = ?, updated_at = ? WHERE id = ?", [ground, this.clock.now, id]);
    await this.repos.audit.record("case.secrecy", id, { from: row.secrecy, to: ground });
    return true;
  }

  /**
   * Reopens a closed or followed-up case: back to the step where work continues (`reopenTarget`), the closing
   * date cleared (closed again, it gets a new one); the first answer's date stays, so the statistics count the
   * case once, with its first handling. Records the reason in the audit trail. Call inside `store.write`; the
   * status is read here, in the transaction.
   */
  async reopen(id: number, reason: string): Promise<{ from: Status; to: Status }> {
    assertNoPersonalNumber(reason, "--reason", this.clock.today);
    assertPrintable(reason, "--reason");
    const row = (await this.db.get("SELECT direction, status, archive_delivery_id AS archived FROM cases WHERE id = ?", [id])) as
      | { direction: Direction; status: Status; archived: number | null }
      | undefined;
    if (!row) throw await this.repos.diary.caseNotFound(String(id));
    // Delivered to the e-archive, the matter is finished in the register: a new deviation is a new case.
    if (row.archived !== null) throw new RefusedError("case.error.reopenArchived", { case: await this.label(id) });
    const to = reopenTarget(row.direction, row.status);
    if (!to) throw new RefusedError("case.error.notReopenable", { case: await this.label(id), status: messageRef(`statusWord.${row.status}`) });
    await this.db.run("UPDATE cases SET status = @to, closed_at = NULL, updated_at = @now WHERE id = @id", { to, now: this.clock.now, id });
    await this.repos.audit.record("case.reopen", id, { from: row.status, to, reason });
    return { from: row.status, to };
  }

  /** Records who is responsible; moves a registered incoming case to `assigned`. Call inside `store.write`. */
  async assign(id: number, contact: Contact): Promise<{ statusChanged: boolean }> {
    const c = await this.get(id);
    if (c.status === "closed") throw new RefusedError("error.caseClosed", { case: await this.label(id) });
    await this.db.run("UPDATE cases SET assignee_id = ?, updated_at = ? WHERE id = ?", [contact.id, this.clock.now, id]);
    await this.repos.audit.record("case.assign", id, { contact: contact.id, role: contact.role });
    if (c.direction === "in" && c.status === "registered") {
      await this.setStatus(id, "assigned");
      return { statusChanged: true };
    }
    return { statusChanged: false };
  }
}

/** The setting `risk.eventAnalysisThreshold`: from this risk value on, an event analysis is suggested. */
export const EVENT_ANALYSIS_SETTING = "risk_event_analysis_threshold";

export async function eventAnalysisThreshold(settings: SettingsRepo): Promise<number> {
  const n = Number((await settings.get(EVENT_ANALYSIS_SETTING)) ?? "");
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_EVENT_ANALYSIS_THRESHOLD;
}
