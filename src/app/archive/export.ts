// `archive export`: the closed cases delivered to the e-archive as one E-ARK SIP (src/archive/package.ts).

import { randomUUID } from "node:crypto";
import type { IsoDate } from "../../core/dates.js";
import { RefusedError } from "../../core/errors.js";
import { buildPackage } from "../../archive/package.js";
import type { OutputDir } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

export interface ArchiveExportInput {
  closedBefore: IsoDate;
  /** The package's folder, checked (not in the data directory, absent or empty) before this is called. */
  target: OutputDir;
  withPersonalData: boolean;
  software: { name: string; version: string };
}

export interface ArchiveExportResult {
  dir: string;
  package: string;
  closedBefore: IsoDate;
  withPersonalData: boolean;
  /** The diary numbers of the cases delivered. */
  cases: string[];
  /** Every file of the package, relative to its folder, with its size and SHA-256 (as in METS.xml). */
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Documents whose stored file is not in the package because it may hold personal data. */
  withheld: number;
  /** Documents whose stored file was erased by a purge before the delivery. */
  erased: number;
}

/** Times the package is made again when a case changed while it was being written. */
const ATTEMPTS = 3;

/**
 * Writes the package into a temporary folder beside the target, then, in one transaction, checks that every
 * case is still as it was read (closed before the date, not delivered, unchanged: else it starts again),
 * records the delivery (audited) and renames the folder to the target as its last step: a failure anywhere
 * leaves neither a package nor a record of one. Refuses when no closed case is due.
 */
export async function exportArchive(store: Store, input: ArchiveExportInput): Promise<ArchiveExportResult> {
  const packageId = `avvik-${(await store.orgs.self()).id}-${store.today}-${randomUUID()}`;
  for (let attempt = 1; ; attempt++) {
    const ids = await store.archive.deliverable(input.closedBefore);
    if (ids.length === 0) throw new RefusedError("archive.error.nothing", { closedBefore: input.closedBefore });
    input.target.stage();
    try {
      const built = await buildPackage(store, ids, input.target, { packageId, closedBefore: input.closedBefore, withPersonalData: input.withPersonalData, software: input.software });
      await store.write(async () => {
        await store.archive.recordDelivery({
          packageId,
          dir: input.target.path,
          closedBefore: input.closedBefore,
          withPersonalData: input.withPersonalData,
          cases: built.cases.map((c) => ({ id: c.id, state: c.state, files: c.files })),
        });
        input.target.commit();
      });
      return {
        dir: input.target.path,
        package: packageId,
        closedBefore: input.closedBefore,
        withPersonalData: input.withPersonalData,
        cases: built.cases.map((c) => c.diaryNumber),
        files: built.files,
        withheld: built.withheld,
        erased: built.erased,
      };
    } catch (e) {
      input.target.discard();
      if (e instanceof RefusedError && e.key === "archive.error.changed" && attempt < ATTEMPTS) continue;
      throw e;
    }
  }
}
