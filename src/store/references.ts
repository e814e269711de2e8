// Looks up references found in a reply (src/core/matching.ts) in the register.

import type { RefCandidate, Resolved } from "../core/matching.js";
import type { Sql } from "./sql.js";

/**
 * The cases each candidate names: a diary number by year and sequence (so "2026-12" and "2026-000012"
 * are the same number), an external reference by system and id (leading zeros ignored), or, when only a
 * label named it ("Vårt dnr 45678"), by id in any system.
 */
export async function resolveCandidates(db: Sql, candidates: RefCandidate[]): Promise<Array<Resolved<number>>> {
  const out: Array<Resolved<number>> = [];
  for (const c of candidates) {
    let rows: Array<{ id: number }>;
    if (c.kind === "diary") rows = await db.all("SELECT id FROM cases WHERE diary_year = ? AND diary_seq = ?", [c.year, c.seq]);
    else if (c.system) {
      rows = await db.all(
        "SELECT DISTINCT case_id AS id FROM case_refs WHERE system = ? AND (external_id = ? OR ltrim(external_id, '0') = ltrim(?, '0'))",
        [c.system, c.id, c.id],
      );
    } else {
      // Leading zeros are ignored for a number only (a text holds no NUL that PostgreSQL would refuse).
      rows = /^\d+$/.test(c.id)
        ? await db.all("SELECT DISTINCT case_id AS id FROM case_refs WHERE lower(external_id) = lower(CAST(? AS text)) OR ltrim(external_id, '0') = ltrim(?, '0')", [c.id, c.id])
        : await db.all("SELECT DISTINCT case_id AS id FROM case_refs WHERE lower(external_id) = lower(CAST(? AS text))", [c.id]);
    }
    for (const r of rows) out.push({ candidate: c, caseId: r.id });
  }
  return out;
}
