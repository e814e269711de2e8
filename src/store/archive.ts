// Deliveries to the e-archive: which closed cases are due, and the record of a package delivered (the cases,
// and the stored files that went with them, which a later purge may then erase: src/store/protection.ts).

import type { IsoDate } from "../core/dates.js";
import { RefusedError } from "../core/errors.js";
import type { AuditRepo } from "./audit.js";
import type { Clock, Sql } from "./sql.js";

export interface DeliveryRecord {
  packageId: string;
  dir: string;
  closedBefore: IsoDate;
  withPersonalData: boolean;
  /** Each case delivered, with the stored files its package holds, and the state it was read in. */
  cases: Array<{ id: number; state: string; files: string[] }>;
}

/** Cases closed before `@before` and not yet delivered. */
const DELIVERABLE = "c.status = 'closed' AND c.closed_at IS NOT NULL AND substr(c.closed_at, 1, 10) < @before AND c.archive_delivery_id IS NULL";

export class ArchiveRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
    /** The diary number of a case, or its id (for messages). */
    private readonly label: (caseId: number) => Promise<string>,
  ) {}

  /** The ids of the cases a delivery of cases closed before `before` takes, in diary order. */
  async deliverable(before: IsoDate): Promise<number[]> {
    return (await this.db.all<{ id: number }>(`SELECT c.id FROM cases c WHERE ${DELIVERABLE} ORDER BY c.diary_year, c.diary_seq, c.id`, { before })).map((r) => r.id);
  }

  /**
   * What a case looked like when its package was made: changed by any later write to it (a document, a
   * status, a marking, a delivery), so that the delivery can be refused if the package no longer describes it.
   */
  async state(caseId: number): Promise<string> {
    const r = (await this.db.get("SELECT status, updated_at, doc_seq, closed_at, archive_delivery_id FROM cases WHERE id = ?", [caseId])) as
      | { status: string; updated_at: string; doc_seq: number; closed_at: string | null; archive_delivery_id: number | null }
      | undefined;
    return r ? JSON.stringify([r.status, r.updated_at, r.doc_seq, r.closed_at, r.archive_delivery_id]) : "";
  }

  /** When each entry of a case was diarised (the register's own timestamp), by document number. */
  async diarisedAt(caseId: number): Promise<Map<string, string>> {
    const rows = (await this.db.all("SELECT number, created_at FROM documents WHERE case_id = ?", [caseId])) as Array<{ number: string; created_at: string }>;
    return new Map(rows.map((r) => [r.number, r.created_at]));
  }

  /**
   * Records a delivery; call inside `store.write`. Every case must still be as it was read when the package
   * was made (else `RefusedError` "archive.error.changed", and the caller makes the package again): still
   * closed before the date, not delivered, unchanged. Audited: each case (`archive.deliver`) and the package
   * (`archive.export`, with whether personal data went into it).
   */
  async recordDelivery(d: DeliveryRecord): Promise<number> {
    for (const c of d.cases) {
      if ((await this.state(c.id)) !== c.state) throw new RefusedError("archive.error.changed", { case: await this.label(c.id) });
    }
    const info = (await this.db.run("INSERT INTO archive_deliveries (package_id, dir, closed_before, with_personal_data, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [d.packageId, d.dir, d.closedBefore, d.withPersonalData ? 1 : 0, this.clock.now, this.clock.actor.user]));
    const id = info.lastId!;
    let files = 0;
    for (const c of d.cases) {
      await this.db.run("UPDATE cases SET archive_delivery_id = ?, updated_at = ? WHERE id = ?", [id, this.clock.now, c.id]);
      for (const hash of new Set(c.files)) files += (await this.db.run("INSERT INTO archive_files (delivery_id, case_id, file_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [id, c.id, hash])).changes;
      await this.audit.record("archive.deliver", c.id, { package: d.packageId });
    }
    await this.audit.record("archive.export", null, { package: d.packageId, closedBefore: d.closedBefore, cases: d.cases.length, files, withPersonalData: d.withPersonalData });
    return id;
  }
}
