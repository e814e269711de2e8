// `import FILE --profile NAME|PATH`: an export of Synergi, MedControl or Treserva into the register, all or
// nothing (or with --skip-invalid, the good rows and a file of the rejected ones), and the new cases that look
// like ones already in the register. csv-parse and iconv-lite are loaded only here.

import { existsSync, statSync } from "node:fs";
import { FailedError, NotFoundError } from "../../core/errors.js";
import type { ImportResult, Progress } from "../../csv/import.js";
import type { Translate } from "../../i18n/index.js";
import { TEMPLATES_DIR } from "../../paths.js";
import type { Store } from "../../store/store.js";

export interface CsvImport {
  /** The file as the user named it (messages) and as a path. */
  given: string;
  file: string;
  /** A built-in profile's name or a profile file. */
  profile: string;
  cwd: string;
  dryRun: boolean;
  skipInvalid: boolean;
  diarise: boolean;
  /** The language of the per-row error lines. */
  t: Translate;
  progress?: Progress;
}

export interface LikelyDuplicate {
  case: string;
  of: string;
  reasons: string[];
}

export interface CsvImported extends ImportResult {
  likelyDuplicates: LikelyDuplicate[];
  /** Invalid rows fail the import (and a dry run predicting that) unless --skip-invalid. */
  failed: boolean;
}

/** Checks the file and the profile before the register is opened, then imports in the import's own transaction. */
export async function importCsv(store: () => Promise<Store>, o: CsvImport): Promise<CsvImported> {
  if (!existsSync(o.file)) throw new NotFoundError("csv.file.missing", { file: o.given });
  if (!statSync(o.file).isFile()) throw new FailedError("csv.file.notAFile", { file: o.given });
  const [{ loadProfile }, { encodingExists }, { importFile }] = await Promise.all([
    import("../../csv/profile.js"),
    import("../../csv/read.js"),
    import("../../csv/import.js"),
  ]);
  const profile = loadProfile(o.profile, TEMPLATES_DIR, encodingExists, o.cwd);
  const register = await store();
  const before = await register.cases.maxId();
  const result = await importFile(register, { file: o.file, profile, dryRun: o.dryRun, skipInvalid: o.skipInvalid, diarise: o.diarise, t: o.t, progress: o.progress });
  const likelyDuplicates = result.dryRun ? [] : await duplicatesOfNew(register, before);
  return { ...result, likelyDuplicates, failed: result.rejected > 0 && !o.skipInvalid };
}

/** Cases this import created (ids above `before`) that look like a case already in the register (issue 6). */
async function duplicatesOfNew(store: Store, before: number): Promise<Array<{ case: string; of: string; reasons: string[] }>> {
  const after = await store.cases.maxId();
  // A weekly export creates tens or hundreds of cases; a bulk load of millions is not checked one by one.
  if (after - before > 2000) return [];
  const found: Array<{ case: string; of: string; reasons: string[] }> = [];
  const byCase = await store.stats.likelyDuplicatesIn({ after: before, last: after });
  for (const id of [...byCase.keys()].sort((a, b) => a - b)) {
    const label = await store.cases.label(id);
    for (const d of byCase.get(id)!) found.push({ case: label, of: d.diaryNumber, reasons: d.reasons });
  }
  return found;
}
