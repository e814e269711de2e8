// Looks up references found in a reply (src/core/matching.ts) in the register.

import type { RefCandidate, Resolved } from "../core/matching.js";
import type { Store } from "./store.js";

/**
 * The cases each candidate names: a diary number by year and sequence (so "2026-12" and "2026-000012"
 * are the same number), an external reference by system and id (leading zeros ignored), or, when only a
 * label named it ("Vårt dnr 45678"), by id in any system.
 */
export function resolveCandidates(store: Store, candidates: RefCandidate[]): Array<Resolved<number>> {
  const byDiary = store.db.prepare("SELECT id FROM cases WHERE diary_year = ? AND diary_seq = ?");
  const bySystem = store.db.prepare(
    "SELECT DISTINCT case_id AS id FROM case_refs WHERE system = ? AND (external_id = ? OR ltrim(external_id, '0') = ltrim(?, '0'))",
  );
  const byId = store.db.prepare("SELECT DISTINCT case_id AS id FROM case_refs WHERE external_id = ? COLLATE NOCASE OR ltrim(external_id, '0') = ltrim(?, '0')");
  const out: Array<Resolved<number>> = [];
  for (const c of candidates) {
    let rows: Array<{ id: number }>;
    if (c.kind === "diary") rows = byDiary.all(c.year, c.seq) as Array<{ id: number }>;
    else if (c.system) rows = bySystem.all(c.system, c.id, c.id) as Array<{ id: number }>;
    else rows = byId.all(c.id, /^\d+$/.test(c.id) ? c.id : "\u0000") as Array<{ id: number }>;
    for (const r of rows) out.push({ candidate: c, caseId: r.id });
  }
  return out;
}
