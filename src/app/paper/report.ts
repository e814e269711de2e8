// `report REF` and `analysis REF`: the case report (masked unless asked; a reveal is audited) and the
// event-analysis form, each written completely before anything is recorded.

import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

export interface CaseDocumentFile {
  caseId: number;
  diaryNumber: string;
  bytes: number;
}

/** The report into the file `output` names from the case's diary number; the reveal recorded as the file is committed. */
export async function writeCaseReport(store: Store, ref: string, withPersonalData: boolean, output: (label: string) => Promise<OutputFile>): Promise<CaseDocumentFile & { file: string }> {
  const id = await store.cases.resolve(ref);
  const { renderReport } = await import("../../documents/report.js");
  const label = await store.cases.label(id);
  const out = await output(label);
  const { pdf, recordReveal } = await renderReport(store, id, { withPersonalData });
  out.stage(pdf);
  try {
    await store.write(async () => {
      await recordReveal();
      out.commit();
    });
  } finally {
    out.discard();
  }
  return { caseId: id, diaryNumber: label, bytes: pdf.length, file: out.path };
}

/** The analysis form (never personal data; units named in the text are replaced, and listed). */
export async function writeCaseAnalysis(store: Store, ref: string, output: (label: string) => Promise<OutputFile>): Promise<CaseDocumentFile & { file: string; redactedUnits: string[]; redactedPeople: number }> {
  const id = await store.cases.resolve(ref);
  const { analysisDocument } = await import("../../documents/analysis.js");
  const label = await store.cases.label(id);
  const out = await output(label);
  const { pdf, redactedUnits, redactedPeople } = await analysisDocument(store, id);
  out.write(pdf);
  return { caseId: id, diaryNumber: label, bytes: pdf.length, file: out.path, redactedUnits, redactedPeople };
}
