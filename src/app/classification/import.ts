// `classification import FILE`: loads a classification scheme's codes and names (format: docs/classification.md);
// from then on codes given to cases are checked against it. The whole scheme is replaced in one transaction.

import { readFileSync, statSync } from "node:fs";
import { MAX_SCHEME_CHARS, MAX_CODES, parseClassificationScheme } from "../../core/classification.js";
import { FailedError, InvalidDataError, systemReason } from "../../core/errors.js";
import type { Store } from "../../store/store.js";

export interface ImportedScheme {
  file: string;
  scheme: string | null;
  total: number;
  added: number;
  removed: number;
  changed: number;
}

export async function importClassification(store: Store, input: { file: string }): Promise<ImportedScheme> {
  let text: string;
  try {
    const st = statSync(input.file);
    if (!st.isFile()) throw new FailedError("classification.error.notFile", { file: input.file });
    // Bytes: a UTF-8 character is at most four.
    if (st.size > MAX_SCHEME_CHARS * 4) throw new InvalidDataError("classification.error.tooLarge", { max: MAX_CODES });
    text = readFileSync(input.file, "utf8");
  } catch (e) {
    if (e instanceof FailedError) throw e;
    throw new FailedError("classification.error.read", { file: input.file, reason: systemReason(e, { path: input.file }) });
  }
  const { scheme, codes } = parseClassificationScheme(text, store.today);
  const r = await store.write(async () => await store.classification.replace(scheme, codes));
  return { file: input.file, scheme, ...r };
}
