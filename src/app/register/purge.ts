// `purge` and `retention`: erasing the personal data of cases closed long enough ago, by a date or by the
// register's retention period.

import { UsageError } from "../../core/errors.js";
import type { IsoDate } from "../../core/dates.js";
import type { PurgeCounts, PurgeResult } from "../../store/protection.js";
import type { Store } from "../../store/store.js";

/** The cut-off (the date given, else today minus the retention period) and what a purge would erase. */
export async function purgePlan(store: Store, closedBefore?: IsoDate): Promise<PurgeCounts> {
  let before = closedBefore;
  if (!before) {
    const years = await store.protection.retentionYears();
    if (!years) throw new UsageError("usage.purgeNeedsDate", {});
    before = store.protection.retentionCutoff(years);
  }
  return await store.protection.purgeCounts(before);
}

/** Erases what `purgePlan` counted (counted again under the lock), then vacuums. */
export async function purgeRegister(store: Store, closedBefore: IsoDate): Promise<PurgeResult> {
  return await store.protection.purge(closedBefore);
}

export interface Retention {
  years: number | null;
  closedBefore: IsoDate | null;
}

/** The retention period, after setting it to `years` when given (audited). */
export async function retention(store: Store, years?: number): Promise<Retention> {
  if (years !== undefined) await store.write(async () => await store.protection.setRetentionYears(years));
  const current = (await store.protection.retentionYears()) ?? null;
  return { years: current, closedBefore: current ? store.protection.retentionCutoff(current) : null };
}
