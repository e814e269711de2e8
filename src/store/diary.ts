// The register's diary numbers: the organisation's format, the next number of the year, and numbers as
// people type them.

import { DEFAULT_DIARY_FORMAT, DiaryTemplate } from "../core/diaryNumber.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import type { AuditRepo } from "./audit.js";
import type { SettingsRepo } from "./settings.js";
import type { Clock, Sql } from "./sql.js";

export class DiaryRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly settings: SettingsRepo,
    private readonly audit: AuditRepo,
  ) {}

  async template(): Promise<DiaryTemplate> {
    const format = (await this.settings.get("diary_format")) ?? DEFAULT_DIARY_FORMAT;
    const parsed = DiaryTemplate.parse(format);
    if (!(parsed instanceof DiaryTemplate)) throw new RefusedError("error.diaryFormatInvalid", { format });
    return parsed;
  }

  /**
   * Gives the case the next number of the current year; call inside `store.write`. The sequence row is
   * updated in the same immediate transaction as the case, so numbers never repeat and never skip, also
   * with several processes registering at once.
   */
  async diarise(caseId: number): Promise<string> {
    const year = Number(this.clock.today.slice(0, 4));
    const { last_seq: seq } = (await this.db.get<{ last_seq: number }>(
      `INSERT INTO diary_sequences (year, last_seq) VALUES (?, 1)
       ON CONFLICT(year) DO UPDATE SET last_seq = diary_sequences.last_seq + 1 RETURNING last_seq`,
      [year],
    ))!;
    const number = (await this.template()).format(year, seq);
    await this.db.run("UPDATE cases SET diary_number = ?, diary_year = ?, diary_seq = ? WHERE id = ?", [number, year, seq, caseId]);
    await this.audit.record("case.diarise", caseId, { diaryNumber: number });
    return number;
  }

  /**
   * The number `diarise` would give now. Only a read: a writer that renders it before diarising (a packet)
   * checks inside its transaction that it is still the next one.
   */
  async next(): Promise<string> {
    const year = Number(this.clock.today.slice(0, 4));
    const r = await this.db.get<{ last_seq: number }>("SELECT last_seq FROM diary_sequences WHERE year = ?", [year]);
    return (await this.template()).format(year, (r?.last_seq ?? 0) + 1);
  }

  /** "Inget ärende matchar …", with an example in the register's own format. */
  async caseNotFound(ref: string): Promise<NotFoundError> {
    let example = "2026-000012";
    try {
      example = (await this.template()).format(Number(this.clock.today.slice(0, 4)), 12);
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
  async numberAsTyped(text: string): Promise<string | undefined> {
    let template: DiaryTemplate;
    try {
      template = await this.template();
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
}
