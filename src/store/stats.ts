// SQL for learning from deviations: period aggregates for the statistics, the lists of the morning summary,
// and candidates for double reporting. Aggregates are computed by SQLite over indexes (migrations 005 and 013);
// no method here loads every case of the register.

import type { Area, Direction, Kind, Role, Severity, Status } from "../core/codes.js";
import { addDays, addMonths, daysBetween, type IsoDate } from "../core/dates.js";
import { isOverdue } from "../core/deadline.js";
import { DUPLICATE_WINDOW_DAYS, matchDuplicate, PAIRS_PER_CASE, type DuplicateCandidate, type DuplicateReason } from "../core/duplicates.js";
import { RefusedError } from "../core/errors.js";
import {
  addDeadline,
  change,
  emptyMargins,
  historyMonths,
  isWholeMonths,
  mergeHistograms,
  monthsOf,
  NONE_KEY,
  periodFigures,
  previousPeriod,
  type Counts,
  type Histogram,
  type Margins,
  type Period,
  type StatsReport,
} from "../core/stats.js";

export type { StatsReport };
import type { CaseAction } from "../core/actions.js";
import type { Case } from "../core/types.js";
import type { ActionRepo } from "./actions.js";
import type { AuditRepo } from "./audit.js";
import { AWAITING_ANSWER, DEADLINE_RUNS, eventAnalysisThreshold } from "./cases.js";
import type { OrgRepo } from "./orgs.js";
import type { OutboxRepo } from "./outbox.js";
import type { SettingsRepo } from "./settings.js";
import type { Clock, Sql } from "./sql.js";
import { caseLabel } from "../core/diaryNumber.js";

/** Cases after `after` up to and including `last` (by id). */
export interface CaseRange {
  after: number;
  last: number;
}

/** Cases whose matching data one statement loads (well under either engine's limit on parameters). */
const CANDIDATES_PER_STATEMENT = 500;

/** Statuses in which the answer is still awaited (the workflow's statuses before `answered`). */
const IN_PERIOD = "c.registered_at >= @from AND c.registered_at < @next AND c.duplicate_of IS NULL";

const SUMMARY_SETTING = "summary_last_at";

/** A piece of a period: months read from the aggregates, or days counted from the cases (added or taken away). */
type Part = { kind: "months"; first: string; last: string } | { kind: "days"; from: IsoDate; to: IsoDate } | { kind: "cases"; from: IsoDate; to: IsoDate };

/** A case as the morning summary shows it: no persons, no free text beyond the summary line. */
export type SummaryCase = Pick<
  Case,
  | "id" | "diaryNumber" | "direction" | "status" | "counterpart" | "unit" | "assignee" | "eventDate" | "discoveredDate"
  | "registeredAt" | "dueDate" | "daysLeft" | "overdue" | "kind" | "area" | "severity" | "summary" | "duplicateOf"
>;

export type SummaryList = "newCases" | "overdue" | "dueSoon" | "awaitingReply";

/** A case of the summary's event analysis list: its risk value reaches the configured threshold. */
export interface RiskCase {
  id: number;
  diaryNumber: string | null;
  status: Status;
  summary: string;
  risk: { probability: number; consequence: number; score: number };
}

interface SummaryRow {
  id: number;
  diary_number: string | null;
  direction: Direction;
  status: Status;
  counterpart_id: string;
  counterpart_name: string;
  unit_id: string | null;
  unit_name: string | null;
  assignee_name: string | null;
  assignee_email: string | null;
  assignee_role: Role | null;
  event_date: string;
  discovered_date: string;
  registered_at: string;
  due_date: string;
  kind: Kind;
  area: Area;
  severity: Severity | null;
  summary: string;
  duplicate_number: string | null;
  answered_at: string | null;
}

const SELECT_SUMMARY = `
  SELECT c.id, c.diary_number, c.direction, c.status, c.counterpart_id, o.name AS counterpart_name,
         c.unit_id, u.name AS unit_name, k.name AS assignee_name, k.email AS assignee_email, k.role AS assignee_role,
         c.event_date, c.discovered_date, c.registered_at, c.due_date, c.kind, c.area, c.severity, c.summary,
         d.diary_number AS duplicate_number, c.answered_at
  FROM cases c
  JOIN orgs o ON o.id = c.counterpart_id
  LEFT JOIN orgs u ON u.id = c.unit_id
  LEFT JOIN contacts k ON k.id = c.assignee_id
  LEFT JOIN cases d ON d.id = c.duplicate_of`;

/** A pair of cases that probably describe the same event. */
export interface DuplicatePair {
  /** Diary number (or #id) of the older case. */
  a: string;
  b: string;
  reasons: DuplicateReason[];
  aId: number;
  bId: number;
  days: number;
  similarity: number;
}

/** A case that looks like a given one. */
export interface LikelyDuplicate {
  caseId: number;
  diaryNumber: string;
  reasons: DuplicateReason[];
  days: number;
  similarity: number;
}

/** A new case as the monthly aggregates count it (not a duplicate: a new case never is). */
export interface CountedCase {
  registeredAt: string;
  direction: Direction;
  area: string;
  kind: string;
  severity: string | null;
  counterpartId: string;
  unitId: string | null;
  discoveredDate: IsoDate;
  dueDate: IsoDate;
  answeredAt: string | null;
}

const DAY_MS = 86_400_000;

/**
 * The contributions of new cases to `stats_month` and `stats_handling`, counted in memory as an import writes
 * them: what the insert trigger of migration 013 adds per case (its DIMENSIONS, `answered`, `onTime`, `days`),
 * here without reading the cases back. StatsRepo.addCounts writes them once, at the end of the import.
 */
export class NewCaseCounts {
  /** One entry per combination of what the aggregates count (few: a file repeats its dates and codes). */
  private readonly combos = new Map<string, { c: CountedCase; n: number }>();

  add(c: CountedCase): void {
    const key = `${c.registeredAt.slice(0, 10)}\u0000${c.direction}\u0000${c.area}\u0000${c.kind}\u0000${c.severity ?? "\u0001"}\u0000${c.counterpartId}\u0000${c.unitId ?? "\u0001"}\u0000${c.discoveredDate}\u0000${c.dueDate}\u0000${c.answeredAt === null ? "" : c.answeredAt.slice(0, 10)}`;
    const cur = this.combos.get(key);
    if (cur) cur.n++;
    else this.combos.set(key, { c, n: 1 });
  }

  /**
   * month NUL dim NUL code → [n, answered, on time]; month NUL counterpart NUL days → n; the same per day
   * (`days`, `handlingDays`: the day of registration instead of the month).
   */
  totals(): {
    months: Map<string, [number, number, number]>;
    handling: Map<string, number>;
    days: Map<string, [number, number, number]>;
    handlingDays: Map<string, number>;
  } {
    const months = new Map<string, [number, number, number]>();
    const handling = new Map<string, number>();
    const byDay = new Map<string, [number, number, number]>();
    const handlingDays = new Map<string, number>();
    const count = (map: Map<string, [number, number, number]>, key: string, n: number, answered: number, onTime: number) => {
      const cur = map.get(key);
      if (cur) {
        cur[0] += n;
        cur[1] += answered;
        cur[2] += onTime;
      } else map.set(key, [n, answered, onTime]);
    };
    for (const { c, n } of this.combos.values()) {
      const month = c.registeredAt.slice(0, 7);
      const day = c.registeredAt.slice(0, 10);
      const answeredDay = c.answeredAt === null ? null : c.answeredAt.slice(0, 10);
      const answered = answeredDay === null ? 0 : n;
      const onTime = answeredDay !== null && answeredDay <= c.dueDate ? n : 0;
      const codes: Array<[string, string]> = [
        ["area", c.area],
        ["kind", c.kind],
        ["severity", c.severity ?? NONE_KEY],
        ["counterpart", c.counterpartId],
        ["unit", c.unitId ?? NONE_KEY],
        ["pair", `${c.area}|${c.counterpartId}`],
        ["flow", `${c.direction}|${c.counterpartId}`],
      ];
      for (const [dim, code] of codes) {
        count(months, `${month}\u0000${dim}\u0000${code}`, n, answered, onTime);
        count(byDay, `${day}\u0000${dim}\u0000${code}`, n, answered, onTime);
      }
      if (answeredDay !== null) {
        const days = Math.round((Date.parse(`${answeredDay}T00:00:00Z`) - Date.parse(`${c.discoveredDate}T00:00:00Z`)) / DAY_MS);
        const key = `${month}\u0000${c.counterpartId}\u0000${days}`;
        handling.set(key, (handling.get(key) ?? 0) + n);
        const dayKey = `${day}\u0000${c.counterpartId}\u0000${days}`;
        handlingDays.set(dayKey, (handlingDays.get(dayKey) ?? 0) + n);
      }
    }
    return { months, handling, days: byDay, handlingDays };
  }
}

export class StatsRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly settings: SettingsRepo,
    private readonly audit: AuditRepo,
  ) {}

  // --- statistics -------------------------------------------------------------------------------------

  private periodParams(from: IsoDate, to: IsoDate): { from: string; next: string } {
    // registered_at is a local timestamp whose first ten characters are the local date, so the period is a
    // range of the index: from the first day's date up to (not including) the day after the last.
    return { from, next: addDays(to, 1) };
  }

  /**
   * Adds counted contributions of new cases to the monthly aggregates (an import sets the insert trigger aside
   * and counts its new cases as it writes them: NewCaseCounts); call inside the import's transaction.
   */
  async addCounts(counts: NewCaseCounts): Promise<void> {
    const { months, handling: days, days: byDay, handlingDays } = counts.totals();
    for (const [key, c] of byDay) {
      const [d, dim, code] = key.split("\u0000") as [string, string, string];
      await this.db.run(
        `INSERT INTO stats_day (day, dim, code, n, answered, on_time) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time`,
        [d, dim, code, c[0], c[1], c[2]],
      );
    }
    for (const [key, n] of handlingDays) {
      const [d, counterpart, h] = key.split("\u0000") as [string, string, string];
      await this.db.run(
        "INSERT INTO stats_handling_day (day, counterpart, days, n) VALUES (?, ?, ?, ?) ON CONFLICT (day, counterpart, days) DO UPDATE SET n = n + excluded.n",
        [d, counterpart, Number(h), n],
      );
    }
    for (const [key, c] of months) {
      const [m, dim, code] = key.split("\u0000") as [string, string, string];
      await this.db.run(
        `INSERT INTO stats_month (month, dim, code, n, answered, on_time) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (month, dim, code) DO UPDATE SET n = n + excluded.n, answered = answered + excluded.answered, on_time = on_time + excluded.on_time`,
        [m, dim, code, c[0], c[1], c[2]],
      );
    }
    for (const [key, n] of days) {
      const [m, counterpart, d] = key.split("\u0000") as [string, string, string];
      await this.db.run(
        "INSERT INTO stats_handling (month, counterpart, days, n) VALUES (?, ?, ?, ?) ON CONFLICT (month, counterpart, days) DO UPDATE SET n = n + excluded.n",
        [m, counterpart, Number(d), n],
      );
    }
  }

  /**
   * How a period is counted: whole months from the monthly aggregates, and the days of an edge month (a month the
   * period only partly covers) from the daily aggregates (migration 019): a read of at most a month of days per
   * edge, never of cases. `live` counts the whole period from the cases (to check the aggregates against them).
   */
  private parts(from: IsoDate, to: IsoDate, live: boolean): Part[] {
    if (live) return [{ kind: "cases", from, to }];
    const months = monthsOf(from, to);
    const parts: Part[] = [];
    let first = 0;
    let last = months.length - 1;
    const firstEnd = addDays(addMonths(`${months[0]}-01`, 1), -1);
    if (!isWholeMonths({ from, to: firstEnd })) {
      parts.push({ kind: "days", from, to: to < firstEnd ? to : firstEnd });
      first = 1;
    }
    if (last >= first && !isWholeMonths({ from: `${months[last]}-01`, to })) {
      parts.push({ kind: "days", from: `${months[last]}-01` as IsoDate, to });
      last--;
    }
    if (last >= first) parts.push({ kind: "months", first: months[first]!, last: months[last]! });
    return parts;
  }

  /**
   * The period's counts per code of each dimension: the monthly aggregates kept by triggers (migrations 005 and
   * 013) for whole months, the edge months as `parts` says; the overdue unanswered cases are always counted live.
   * `options.live` counts everything from the cases, for checking one against the other.
   */
  async margins(from: IsoDate, to: IsoDate, options: { today?: IsoDate; live?: boolean } = {}): Promise<Margins> {
    const today = options.today ?? this.clock.today;
    const m = emptyMargins();
    const add = (map: Counts, key: string, n: number) => {
      map[key] = (map[key] ?? 0) + n;
    };
    const deadline = (id: string, answered: number, onTime: number) => {
      const d = (m.deadline[id] ??= { answered: 0, answeredOnTime: 0, unansweredOverdue: 0 });
      d.answered += answered;
      d.answeredOnTime += onTime;
    };
    for (const part of this.parts(from, to, options.live === true)) {
      if (part.kind !== "cases") {
        const rows = (
          part.kind === "months"
            ? await this.db.all(`SELECT month, dim, code, n, answered, on_time AS onTime FROM stats_month WHERE month BETWEEN @first AND @last AND n <> 0`, { first: part.first, last: part.last })
            : await this.db.all(`SELECT substr(day, 1, 7) AS month, dim, code, n, answered, on_time AS onTime FROM stats_day WHERE day BETWEEN @from AND @to AND n <> 0`, { from: part.from, to: part.to })
        ) as Array<{ month: string; dim: string; code: string; n: number; answered: number; onTime: number }>;
        const target: Record<string, Counts> = { area: m.byArea, kind: m.byKind, severity: m.bySeverity, counterpart: m.byCounterpart, unit: m.byUnit, pair: m.pairs, flow: m.flows };
        for (const r of rows) {
          const map = target[r.dim];
          if (map) add(map, r.code, r.n);
          if (r.dim === "counterpart") deadline(r.code, r.answered, r.onTime);
          // Cases per month: one dimension (every counted case has exactly one area).
          if (r.dim === "area") add(m.byMonth, r.month, r.n);
        }
        continue;
      }
      const rows = (await this.db.all(`SELECT substr(c.registered_at, 1, 7) AS month, c.direction, c.area, c.kind, COALESCE(c.severity, '${NONE_KEY}') AS severity,
                  c.counterpart_id AS counterpart, COALESCE(c.unit_id, '${NONE_KEY}') AS unit,
                  count(*) AS n,
                  sum(CASE WHEN c.answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
                  sum(CASE WHEN c.answered_at IS NOT NULL AND substr(c.answered_at, 1, 10) <= c.due_date THEN 1 ELSE 0 END) AS onTime,
                  sum(CASE WHEN ${DEADLINE_RUNS} AND c.due_date < @today THEN 1 ELSE 0 END) AS overdue
           FROM cases c${this.db.dialect.indexedBy("cases_registered")}
           WHERE ${IN_PERIOD}
           GROUP BY 1, 2, 3, 4, 5, 6, 7`, { ...this.periodParams(part.from, part.to), today })) as Array<{
        month: string;
        direction: string;
        area: string;
        kind: string;
        severity: string;
        counterpart: string;
        unit: string;
        n: number;
        answered: number;
        onTime: number;
        overdue: number;
      }>;
      for (const r of rows) {
        const n = r.n;
        add(m.byArea, r.area, n);
        add(m.byKind, r.kind, n);
        add(m.bySeverity, r.severity, n);
        add(m.byCounterpart, r.counterpart, n);
        add(m.byUnit, r.unit, n);
        add(m.pairs, `${r.area}|${r.counterpart}`, n);
        add(m.flows, `${r.direction}|${r.counterpart}`, n);
        add(m.byMonth, r.month, n);
        deadline(r.counterpart, r.answered, r.onTime);
        if (options.live) addDeadline(m, r.counterpart, { unansweredOverdue: r.overdue });
      }
    }
    if (!options.live) {
      const overdue = (await this.db.all(`SELECT c.counterpart_id AS id, count(*) AS n FROM cases c
           WHERE ${DEADLINE_RUNS} AND c.due_date < @today
             AND c.registered_at >= @from AND c.registered_at < @next AND c.duplicate_of IS NULL
           GROUP BY c.counterpart_id`, { ...this.periodParams(from, to), today })) as Array<{ id: string; n: number }>;
      for (const r of overdue) addDeadline(m, r.id, { unansweredOverdue: r.n });
    }
    // What the parts cancelled out is not there (as a code without cases is not in the aggregates' sums).
    for (const map of [m.byArea, m.byKind, m.bySeverity, m.byCounterpart, m.byUnit, m.pairs, m.flows, m.byMonth]) {
      for (const [k, n] of Object.entries(map)) if (n === 0) delete map[k];
    }
    for (const [id, d] of Object.entries(m.deadline)) if (!m.byCounterpart[id] && d.answered === 0 && d.answeredOnTime === 0 && d.unansweredOverdue === 0) delete m.deadline[id];
    return m;
  }

  /**
   * Handling days (discovered date to the day of the answer) of the period's answered cases, as a histogram
   * per counterpart: counted as `margins` counts the cases.
   */
  async handlingByCounterpart(from: IsoDate, to: IsoDate, options: { live?: boolean } = {}): Promise<Record<string, Histogram>> {
    const counts = new Map<string, Map<number, number>>();
    for (const part of this.parts(from, to, options.live === true)) {
      const rows = (
        part.kind === "months"
          ? (await this.db.all("SELECT counterpart, days, n FROM stats_handling WHERE month BETWEEN @first AND @last AND n <> 0", { first: part.first, last: part.last }))
          : part.kind === "days"
            ? (await this.db.all("SELECT counterpart, days, n FROM stats_handling_day WHERE day BETWEEN @from AND @to AND n <> 0", { from: part.from, to: part.to }))
            : (await this.db.all(`SELECT c.counterpart_id AS counterpart, ${this.db.dialect.daysBetween("c.discovered_date", "substr(c.answered_at, 1, 10)")} AS days, count(*) AS n
                 FROM cases c${this.db.dialect.indexedBy("cases_registered")}
                 WHERE ${IN_PERIOD} AND c.answered_at IS NOT NULL
                 GROUP BY 1, 2`, this.periodParams(part.from, part.to)))
      ) as Array<{ counterpart: string; days: number; n: number }>;
      for (const r of rows) {
        let h = counts.get(r.counterpart);
        if (!h) counts.set(r.counterpart, (h = new Map()));
        h.set(r.days, (h.get(r.days) ?? 0) + r.n);
      }
    }
    const out: Record<string, Array<readonly [number, number]>> = {};
    for (const [counterpart, h] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const list = [...h].filter(([, n]) => n !== 0).sort((a, b) => a[0] - b[0]);
      if (list.length) out[counterpart] = list.map(([d, n]) => [d, n] as const);
    }
    return out;
  }

  /** Handling days of the period's answered cases, as one histogram. */
  async handlingDays(from: IsoDate, to: IsoDate, options: { live?: boolean } = {}): Promise<Histogram> {
    return mergeHistograms(Object.values(await this.handlingByCounterpart(from, to, options)));
  }

  /** Cases per month of registration (YYYY-MM, inclusive) from the monthly aggregates; months without cases left out. */
  async monthCounts(firstMonth: string, lastMonth: string): Promise<Counts> {
    const rows = (await this.db.all("SELECT month, sum(n) AS n FROM stats_month WHERE dim = 'area' AND month BETWEEN @first AND @last GROUP BY month HAVING sum(n) <> 0", { first: firstMonth, last: lastMonth })) as Array<{ month: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.month, r.n]));
  }

  /**
   * The cases not yet answered (however old; duplicates left out) per counterpart, and of them those whose due
   * date has passed as of `today`: read through the index on direction and status, one look-up per open case.
   * A case answered once and reopened (case reopen) is open again, but not overdue: its deadline was met.
   */
  async openByCounterpart(today: IsoDate = this.clock.today): Promise<Record<string, { open: number; overdue: number }>> {
    const rows = (await this.db.all(`SELECT c.counterpart_id AS id, count(*) AS open, sum(CASE WHEN c.due_date < @today AND c.answered_at IS NULL THEN 1 ELSE 0 END) AS overdue
         FROM cases c${this.db.dialect.indexedBy("cases_direction_status")}
         WHERE c.direction IN ('in', 'out') AND ${AWAITING_ANSWER} AND c.duplicate_of IS NULL
         GROUP BY c.counterpart_id ORDER BY count(*) DESC, c.counterpart_id`, { today })) as Array<{ id: string; open: number; overdue: number }>;
    return Object.fromEntries(rows.map((r) => [r.id, { open: r.open, overdue: r.overdue }]));
  }

  /** Names of organisations by id (for counterparts and units in reports). */
  async orgNames(): Promise<Record<string, string>> {
    const rows = (await this.db.all("SELECT id, name FROM orgs")) as Array<{ id: string; name: string }>;
    return Object.fromEntries(rows.map((r) => [r.id, r.name]));
  }

  // --- the morning summary ----------------------------------------------------------------------------

  /** When the last summary ran (a local timestamp), if ever. */
  async lastSummaryAt(): Promise<string | undefined> {
    return this.settings.get(SUMMARY_SETTING);
  }

  /** Remembers that a summary ran now; call inside `store.write`. Records counts only, no case data. */
  async recordSummary(details: { since: string; counts: Record<SummaryList, number> }): Promise<void> {
    await this.settings.set(SUMMARY_SETTING, this.clock.now);
    await this.audit.record("summary.run", null, { since: details.since, ...details.counts });
  }

  /**
   * One list of the summary. `newCases`: registered after `since` (a timestamp, or a date meaning from that
   * day on); `overdue`: unanswered and past the due date; `dueSoon`: unanswered and due from today up to
   * `dueDays` days ahead; `awaitingReply`: outgoing cases sent and waiting for the other party's answer.
   */
  async summaryList(list: SummaryList, options: { since: string; dueDays: number; today?: IsoDate }): Promise<SummaryCase[]> {
    const today = options.today ?? this.clock.today;
    const where: Record<SummaryList, string> = {
      newCases: "c.registered_at > @since",
      overdue: `${DEADLINE_RUNS} AND c.due_date < @today`,
      dueSoon: `${DEADLINE_RUNS} AND c.due_date BETWEEN @today AND @until`,
      awaitingReply: "c.status = 'sent' AND c.direction = 'out'",
    };
    const order = list === "newCases" ? "c.registered_at, c.id" : "c.due_date, c.diary_year, c.diary_seq, c.id";
    const rows = (await this.db.all(`${SELECT_SUMMARY} WHERE ${where[list]} ORDER BY ${order}`, { since: options.since, today, until: addDays(today, options.dueDays) })) as SummaryRow[];
    return rows.map((r) => ({
      id: r.id,
      diaryNumber: r.diary_number,
      direction: r.direction,
      status: r.status,
      counterpart: { id: r.counterpart_id, name: r.counterpart_name },
      unit: r.unit_id ? { id: r.unit_id, name: r.unit_name ?? r.unit_id } : null,
      assignee: r.assignee_email ? { name: r.assignee_name ?? "", email: r.assignee_email, role: r.assignee_role! } : null,
      eventDate: r.event_date,
      discoveredDate: r.discovered_date,
      registeredAt: r.registered_at,
      dueDate: r.due_date,
      daysLeft: daysBetween(today, r.due_date),
      overdue: isOverdue(r.status, r.due_date, today, r.answered_at),
      kind: r.kind,
      area: r.area,
      severity: r.severity,
      summary: r.summary,
      duplicateOf: r.duplicate_number,
    }));
  }

  /**
   * Cases not yet closed whose risk value (probability × consequence) reaches `threshold`: the summary says an
   * event analysis should be considered for them. Highest risk first.
   */
  async eventAnalysisCases(threshold: number): Promise<RiskCase[]> {
    const rows = (await this.db.all(`SELECT c.id, c.diary_number, c.status, c.summary, c.risk_probability AS p, c.risk_consequence AS q
         FROM cases c
         WHERE c.status <> 'closed' AND c.risk_probability * c.risk_consequence >= @threshold
         ORDER BY c.risk_probability * c.risk_consequence DESC, c.diary_year, c.diary_seq, c.id`, { threshold })) as Array<{ id: number; diary_number: string | null; status: Status; summary: string; p: number; q: number }>;
    return rows.map((r) => ({ id: r.id, diaryNumber: r.diary_number, status: r.status, summary: r.summary, risk: { probability: r.p, consequence: r.q, score: r.p * r.q } }));
  }

  // --- double reporting -------------------------------------------------------------------------------

  private label(id: number, number: string | null): string {
    return caseLabel(number, id);
  }

  /**
   * Loads what the matching rules need for these cases (summary texts, dates, keyed person hashes): two statements
   * per 500 cases, not two per case (on a server every statement is a round trip).
   */
  private async candidates(ids: number[]): Promise<Map<number, DuplicateCandidate & { diaryNumber: string | null }>> {
    const out = new Map<number, DuplicateCandidate & { diaryNumber: string | null }>();
    const all = [...new Set(ids)];
    for (let i = 0; i < all.length; i += CANDIDATES_PER_STATEMENT) {
      const chunk = all.slice(i, i + CANDIDATES_PER_STATEMENT);
      const list = chunk.map(() => "?").join(", ");
      const rows = await this.db.all<{ id: number; diary_number: string | null; counterpart_id: string; event_date: string; area: string; summary: string; description: string | null }>(
        `SELECT id, diary_number, counterpart_id, event_date, area, summary, description FROM cases WHERE id IN (${list})`,
        chunk,
      );
      const hashes = new Map<number, string[]>();
      for (const p of await this.db.all<{ case_id: number; pnr_hash: Buffer }>(
        `SELECT case_id, pnr_hash FROM persons WHERE case_id IN (${list}) AND pnr_hash IS NOT NULL AND purged_at IS NULL ORDER BY case_id, id`,
        chunk,
      )) {
        const known = hashes.get(p.case_id) ?? [];
        known.push(p.pnr_hash.toString("hex"));
        hashes.set(p.case_id, known);
      }
      for (const r of rows) {
        out.set(r.id, {
          id: r.id,
          diaryNumber: r.diary_number,
          counterpartId: r.counterpart_id,
          eventDate: r.event_date,
          area: r.area,
          summary: r.summary,
          description: r.description,
          personHashes: hashes.get(r.id) ?? [],
        });
      }
    }
    return out;
  }

  /**
   * Candidate pairs (lower id first) from SQL: cases not marked as duplicates, with the same counterpart and
   * event dates within the window, that either share a person's keyed hash or have the same area (when one
   * of them names nobody); for each case its PAIRS_PER_CASE nearest in time. `only` restricts to pairs that
   * involve one of a range of cases.
   */
  private async candidatePairs(only?: CaseRange, period?: { from: IsoDate; to: IsoDate }): Promise<Array<[number, number]>> {
    // Two statements rather than one with "@after IS NULL OR …", so that the cases asked about are a seek, not a scan.
    const params: Record<string, unknown> = { window: DUPLICATE_WINDOW_DAYS };
    if (only) Object.assign(params, { after: only.after, last: only.last });
    // The side that is one of the cases asked about (one case, or the new cases of an import).
    const isOnly = (column: string) => `${column} > @after AND ${column} <= @last`;
    if (period) Object.assign(params, this.periodParams(period.from, period.to));
    const inPeriod = period
      ? "AND ((a.registered_at >= @from AND a.registered_at < @next) OR (b.registered_at >= @from AND b.registered_at < @next))"
      : "";
    const d = this.db.dialect;
    // Each case keeps its PAIRS_PER_CASE nearest candidates in time (then in registration order, the nearest id):
    // 2,000 rows of an export naming one person on one date took 101 s and 3.4 GB to report 4,000,000 pairs before.
    const nearest = (pairs: string) => `SELECT CASE WHEN self < other THEN self ELSE other END AS x, CASE WHEN self < other THEN other ELSE self END AS y
         FROM (SELECT self, other, ROW_NUMBER() OVER (PARTITION BY self ORDER BY gap, abs(other - self), other) AS n FROM (${pairs}) pairs) ranked
        WHERE n <= ${PAIRS_PER_CASE}`;
    // Those naming one person: each case's neighbours in that person's cases with the counterpart, in the order
    // of their event dates (PAIRS_PER_CASE on either side hold its nearest in time), rather than every pair of
    // them: a cluster of n cases costs n × PAIRS_PER_CASE pairs, not n².
    const ofPersons = only === undefined ? "" : "AND p.pnr_hash IN (SELECT q.pnr_hash FROM persons q WHERE q.case_id > @after AND q.case_id <= @last AND q.pnr_hash IS NOT NULL AND q.purged_at IS NULL)";
    const byPerson = (await this.db.all(
      nearest(`WITH seq AS (
           SELECT p.case_id AS id, p.pnr_hash AS h, c.counterpart_id AS cp,
                  ROW_NUMBER() OVER (PARTITION BY p.pnr_hash, c.counterpart_id ORDER BY c.event_date, p.case_id) AS pos
             FROM persons p JOIN cases c ON c.id = p.case_id
            WHERE p.pnr_hash IS NOT NULL AND p.purged_at IS NULL AND c.duplicate_of IS NULL ${ofPersons})
         SELECT DISTINCT s1.id AS self, s2.id AS other, abs(${d.daysBetween("b.event_date", "a.event_date")}) AS gap
           FROM seq s1
           JOIN seq s2 ON s2.h = s1.h AND s2.cp = s1.cp AND s2.id <> s1.id
                      AND s2.pos >= s1.pos - ${PAIRS_PER_CASE} AND s2.pos <= s1.pos + ${PAIRS_PER_CASE}
           JOIN cases a ON a.id = s1.id
           JOIN cases b ON b.id = s2.id
          WHERE ${only === undefined ? "s1.id < s2.id" : isOnly("s1.id")}
            AND abs(${d.daysBetween("b.event_date", "a.event_date")}) <= @window ${inPeriod}`),
      params,
    )) as Array<{ x: number; y: number }>;
    const noPerson = `NOT EXISTS (SELECT 1 FROM persons p WHERE p.case_id = %ID% AND p.pnr_hash IS NOT NULL AND p.purged_at IS NULL)`;
    // Over the whole register, `a` is the case without a person (checked once per case, before the join), so
    // a register whose cases all name persons (a bulk import) costs one look-up per case here, not one per pair.
    const byArea = (await this.db.all(
      nearest(`SELECT a.id AS self, b.id AS other, abs(${d.daysBetween("b.event_date", "a.event_date")}) AS gap
         FROM cases a
         JOIN cases b${d.indexedBy("cases_duplicates")}
           ON b.counterpart_id = a.counterpart_id AND b.area = a.area
          AND b.event_date BETWEEN ${d.addDays("a.event_date", "-1 * @window")} AND ${d.addDays("a.event_date", "@window")}
          AND b.id <> a.id
         WHERE a.duplicate_of IS NULL AND b.duplicate_of IS NULL
           AND ${
             only === undefined
               ? noPerson.replace("%ID%", "a.id")
               : `${isOnly("a.id")} AND (${noPerson.replace("%ID%", "a.id")} OR ${noPerson.replace("%ID%", "b.id")})`
           } ${inPeriod}`),
      params,
    )) as Array<{ x: number; y: number }>;
    const seen = new Set<string>();
    const pairs: Array<[number, number]> = [];
    for (const r of [...byPerson, ...byArea]) {
      const key = `${r.x}:${r.y}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([r.x, r.y]);
    }
    return pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  }

  /**
   * Every pair of cases in the register that probably describes the same event, with the reasons; with a
   * period, the pairs of which at least one case was registered in it.
   */
  async duplicatePairs(period?: { from: IsoDate; to: IsoDate }): Promise<DuplicatePair[]> {
    const pairs = await this.candidatePairs(undefined, period);
    const info = await this.candidates(pairs.flat());
    const out: DuplicatePair[] = [];
    for (const [x, y] of pairs) {
      const a = info.get(x);
      const b = info.get(y);
      if (!a || !b) continue;
      const m = matchDuplicate(a, b);
      if (!m) continue;
      out.push({ a: this.label(a.id, a.diaryNumber), b: this.label(b.id, b.diaryNumber), reasons: m.reasons, aId: a.id, bId: b.id, days: m.days, similarity: m.similarity });
    }
    return out;
  }

  /** The cases a given case probably duplicates (for `case new` to warn). */
  async likelyDuplicatesOf(caseId: number): Promise<LikelyDuplicate[]> {
    return (await this.likelyDuplicatesIn({ after: caseId - 1, last: caseId })).get(caseId) ?? [];
  }

  /**
   * For each case of a range (the cases an import created), the cases it probably duplicates, as
   * `likelyDuplicatesOf` would give them case by case, found set-based: a weekly export of 1,200 rows on
   * PostgreSQL spent 10.9 s on it case by case, four statements a case and two a candidate.
   */
  async likelyDuplicatesIn(range: CaseRange): Promise<Map<number, LikelyDuplicate[]>> {
    const out = new Map<number, LikelyDuplicate[]>();
    if (range.last <= range.after) return out;
    const pairs = await this.candidatePairs(range);
    const info = await this.candidates(pairs.flat());
    const inRange = (id: number) => id > range.after && id <= range.last;
    for (const [x, y] of pairs) {
      for (const [id, otherId] of [
        [x, y],
        [y, x],
      ] as const) {
        if (!inRange(id)) continue;
        const self = info.get(id);
        const other = info.get(otherId);
        if (!self || !other) continue;
        const m = matchDuplicate(self, other);
        if (!m) continue;
        const list = out.get(id) ?? [];
        list.push({ caseId: other.id, diaryNumber: this.label(other.id, other.diaryNumber), reasons: m.reasons, days: m.days, similarity: m.similarity });
        out.set(id, list);
      }
    }
    return out;
  }

  /**
   * The case a duplicate link should point at: the target itself, or the case it is already a duplicate
   * of (links never form chains). Refuses a link that would lead back to the case itself.
   */
  async duplicateTarget(caseId: number, targetId: number): Promise<number> {
    let current = targetId;
    for (let i = 0; i < 50; i++) {
      if (current === caseId) {
        const r = (await this.db.get("SELECT diary_number FROM cases WHERE id = ?", [caseId])) as { diary_number: string | null } | undefined;
        throw new RefusedError("error.duplicateSelf", { case: this.label(caseId, r?.diary_number ?? null) });
      }
      const r = await this.db.get<{ duplicate_of: number | null }>("SELECT duplicate_of FROM cases WHERE id = ?", [current]);
      if (!r?.duplicate_of) return current;
      current = r.duplicate_of;
    }
    return current;
  }

  /**
   * When a case that others duplicate becomes a duplicate itself, its duplicates follow it to the case it
   * now points at; call inside `store.write`.
   */
  async repointDuplicates(fromId: number, toId: number): Promise<void> {
    const ids = ((await this.db.all("SELECT id FROM cases WHERE duplicate_of = ? ORDER BY id", [fromId])) as Array<{ id: number }>).map((r) => r.id);
    const target = (await this.db.get("SELECT diary_number FROM cases WHERE id = ?", [toId])) as { diary_number: string | null } | undefined;
    for (const id of ids) {
      await this.db.run("UPDATE cases SET duplicate_of = ?, updated_at = ? WHERE id = ?", [toId, this.clock.now, id]);
      await this.audit.record("case.update", id, { fields: ["duplicateOf"], duplicateOf: this.label(toId, target?.diary_number ?? null) });
    }
  }
}

// --- compositions: what the commands (and later the e-mail outbox) render -----------------------------

/** The morning summary as data: rendered as text by the CLI, later as an e-mail by the outbox. */
export interface Summary {
  /** Today's date. */
  date: IsoDate;
  /** New cases are those registered after this (a local timestamp, or a date meaning from that day on). */
  since: string;
  dueDays: number;
  newCases: SummaryCase[];
  overdue: SummaryCase[];
  dueSoon: SummaryCase[];
  awaitingReply: SummaryCase[];
  /** Open actions (åtgärder) past their due date, oldest first. */
  overdueActions: CaseAction[];
  /** From this risk value on, an event analysis should be considered (setting risk.eventAnalysisThreshold). */
  eventAnalysisThreshold: number;
  /** Cases not closed whose risk value reaches the threshold. */
  eventAnalysis: RiskCase[];
  /** The audit trail's last event (id and hash) when the summary was made, to keep outside the register. */
  auditHead?: { id: number; hash: string } | null;
  /** E-mail that failed for good and waits for `avvik outbox retry` (no personal data is ever in mail). */
  failedMail: SummaryMail[];
  /** Without a mail server: the messages only saved as .eml files (never sent), and where. Absent otherwise. */
  mailFiles?: { count: number; dir: string };
}

export interface SummaryMail {
  id: number;
  case: string | null;
  to: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  failedAt: string | null;
}

export const DEFAULT_DUE_DAYS = 14;

/** What the summary is composed from (a Store is one). */
export interface SummarySources {
  readonly today: IsoDate;
  readonly stats: StatsRepo;
  readonly settings: SettingsRepo;
  readonly actions: ActionRepo;
  readonly outbox: OutboxRepo;
}

/** What the statistics are composed from (a Store is one). */
export interface StatsSources {
  readonly today: IsoDate;
  readonly stats: StatsRepo;
  readonly orgs: OrgRepo;
}

/**
 * Composes the summary. Without `since`, new cases are those registered after the last summary, or from
 * yesterday on when none has run. Reads only; the caller remembers the run with `recordSummary`.
 */
export async function composeSummary(store: SummarySources, options: { since?: string; dueDays?: number } = {}): Promise<Summary> {
  const since = options.since ?? (await store.stats.lastSummaryAt()) ?? addDays(store.today, -1);
  const configured = Number((await store.settings.get("summary_due_days")) ?? "");
  const dueDays = options.dueDays ?? (Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_DUE_DAYS);
  const list = (l: SummaryList) => store.stats.summaryList(l, { since, dueDays });
  const threshold = await eventAnalysisThreshold(store.settings);
  return {
    date: store.today,
    since,
    dueDays,
    newCases: await list("newCases"),
    overdue: await list("overdue"),
    dueSoon: await list("dueSoon"),
    awaitingReply: await list("awaitingReply"),
    overdueActions: await store.actions.list({ overdue: true }),
    eventAnalysisThreshold: threshold,
    eventAnalysis: await store.stats.eventAnalysisCases(threshold),
    failedMail: (await store.outbox.list({ status: "failed" })).map((m) => ({
      id: m.id,
      case: m.diaryNumber,
      to: m.recipients.filter((r) => r.kind === "to").map((r) => r.address).join(", "),
      subject: m.subject,
      attempts: m.attempts,
      lastError: m.lastError,
      failedAt: m.failedAt,
    })),
  };
}

/** `live` aggregates from the cases even for whole months (to check the monthly aggregates against them). */
export async function composeStats(store: StatsSources, period: Period, options: { top?: number; live?: boolean } = {}): Promise<StatsReport> {
  const figures = async (p: Period) =>
    periodFigures(p, await store.stats.margins(p.from, p.to, { live: options.live }), await store.stats.handlingByCounterpart(p.from, p.to, { live: options.live }), options.top ?? 10);
  const current = await figures(period);
  const previous = await figures(previousPeriod(period));
  const months = historyMonths(period);
  const counted = await store.stats.monthCounts(months[0]!, months[months.length - 1]!);
  const history = Object.fromEntries(months.map((m) => [m, counted[m] ?? 0]));
  const openByCounterpart = await store.stats.openByCounterpart();
  const open = { open: 0, overdue: 0 };
  for (const o of Object.values(openByCounterpart)) {
    open.open += o.open;
    open.overdue += o.overdue;
  }
  const all = await store.stats.orgNames();
  const ids = new Set([
    ...Object.keys(openByCounterpart),
    ...Object.keys(current.byCounterpart),
    ...Object.keys(current.byUnit),
    ...Object.keys(previous.byCounterpart),
    ...Object.keys(previous.byUnit),
  ]);
  const names: Record<string, string> = {};
  for (const id of [...ids].sort()) if (all[id]) names[id] = all[id]!;
  const self = await store.orgs.self();
  return {
    ...current,
    asOf: store.today,
    organisation: { id: self.id, name: self.name },
    names,
    previous,
    history,
    open,
    openByCounterpart,
    trend: {
      total: current.total - previous.total,
      handlingDaysMedian: change(current.handlingDays.median, previous.handlingDays.median),
      handlingDaysP90: change(current.handlingDays.p90, previous.handlingDays.p90),
      answeredWithinDeadline: change(current.answeredWithinDeadline, previous.answeredWithinDeadline),
    },
  };
}
