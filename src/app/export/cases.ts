// `export`: the cases as CSV or JSON, to a file the user named or to a stream, and the export recorded in the
// audit trail (rows, format, period, pseudonymised or not; never what was exported).

import type { IsoDate } from "../../core/dates.js";
import { tSv } from "../../i18n/index.js";
import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

export interface CaseExport {
  format: "csv" | "json";
  from?: IsoDate;
  to?: IsoDate;
  pseudonymise: boolean;
  delimiter: string;
}

/**
 * Writes the export. Into a file: staged beside it first, taking its name in the transaction that records the
 * export, so a failed write records nothing and leaves no half file. Gives the number of cases written.
 */
export async function exportCasesTo(store: Store, to: { file: OutputFile } | { stream: NodeJS.WritableStream }, o: CaseExport): Promise<number> {
  const { exportCases } = await import("../../csv/export.js");
  const options = { format: o.format, from: o.from, to: o.to, pseudonymise: o.pseudonymise, delimiter: o.delimiter, t: tSv };
  const record = async (rows: number) =>
    await store.audit.record("export", null, { format: o.format, rows, pseudonymised: o.pseudonymise, from: o.from ?? null, to: o.to ?? null, file: "file" in to ? "file" : "stdout" });
  if ("stream" in to) {
    // `avvik export | head`: a closed pipe ends the export quietly (bin/avvik.cjs ends on EPIPE).
    const rows = await exportCases(store, to.stream, options);
    await store.write(async () => record(rows));
    return rows;
  }
  const target = to.file;
  try {
    const rows = await target.stageStream((out) => exportCases(store, out, options));
    await store.write(async () => {
      await record(rows);
      target.commit();
    });
    return rows;
  } finally {
    target.discard();
  }
}
