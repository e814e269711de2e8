// Makes an E-ARK SIP of closed cases (CSIP 2.1.0 + SIP 2.1.0 = FGS Paketstruktur 2.0), into a staged output
// directory (src/store/outputFile.ts `OutputDir`):
//
//   METS.xml                                  the package's METS (src/archive/mets.ts), SHA-256 of every file
//   documentation/LASMIG.txt                  what the package holds, in Swedish
//   schemas/ERMS.xsd, mets.xsd, xlink.xsd, DILCISExtensionMETS.xsd   the official schemas (schemas/ in the repository)
//   representations/rep1/data/ERMS.xml        CITS ERMS: every case an aggregation, every diary document a record
//   representations/rep1/data/<case>/<document>.pdf   the stored files
//
// Documents avvik made are PDF/A-2b (src/documents/pdf.ts) and are copied as they are; files received from
// outside (scanned replies, exchange files) are kept exactly as received (not converted), and the ERMS says
// so. Without personal data (the default), a stored file that may hold it (stored encrypted) is left out and
// its record says why; persons and the assignee are not described. Only reads the register: the caller
// records the delivery.

import { mapInOrder } from "../core/sequence.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { IsoDate } from "../core/dates.js";
import { FailedError, NotFoundError } from "../core/errors.js";
import type { Case } from "../core/types.js";
import { tSv } from "../i18n/index.js";
import { SCHEMAS_DIR } from "../paths.js";
import { sha256 } from "../store/files.js";
import type { OutputDir } from "../store/outputFile.js";
import type { Store } from "../store/store.js";
import { ermsXml, type ErmsCase, type ErmsRecord } from "./erms.js";
import { metsXml, REPRESENTATION, type MetsFile } from "./mets.js";

/** The official schemas the package carries (and its documents name in xsi:schemaLocation). */
export const PACKAGE_SCHEMAS = ["ERMS.xsd", "mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd"] as const;

export interface PackageOptions {
  packageId: string;
  closedBefore: IsoDate;
  withPersonalData: boolean;
  software: { name: string; version: string };
}

export interface BuiltPackage {
  /** Each case as read, with the state it was read in and the stored files the package holds for it. */
  cases: Array<{ id: number; diaryNumber: string; state: string; files: string[] }>;
  /** Every file of the package (METS.xml included), relative to its root. */
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Documents whose stored file is not in the package because it may hold personal data. */
  withheld: number;
  /** Documents whose stored file was erased by a purge before the delivery. */
  erased: number;
}

const EXTENSIONS: Record<string, string> = { "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/tiff": "tif", "message/rfc822": "eml", "text/plain": "txt" };

/** A name part safe in every file system: diary formats may hold '/', ':' or spaces ("VOK 2026/12:3"). */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "_";
}

/** "PDF/A-2b" for a PDF that declares PDF/A conformance in its XMP metadata, else "PDF". */
export function pdfFormat(data: Buffer): string {
  const text = data.toString("latin1");
  const part = /pdfaid:part(?:>|=["'])\s*(\d)/.exec(text)?.[1];
  if (!part) return "PDF";
  const conformance = /pdfaid:conformance(?:>|=["'])\s*([ABUabu])/.exec(text)?.[1];
  return `PDF/A-${part}${conformance ? conformance.toLowerCase() : ""}`;
}

/**
 * Reads the cases (one snapshot of the register) and writes the whole package into `out`, which must have
 * been staged. Refuses (nothing recorded, the caller discards the staging) when a stored file that should go
 * in is missing or no longer matches its checksum.
 */
export async function buildPackage(store: Store, ids: number[], out: OutputDir, o: PackageOptions): Promise<BuiltPackage> {
  const now = store.now;
  const org = await store.orgs.self();
  const files: MetsFile[] = [];
  const put = (path: string, data: Buffer, mediaType: string, group: MetsFile["group"]): void => {
    out.put(path, data);
    files.push({ path, mediaType, size: data.length, sha256: sha256(data), created: now, group });
  };
  const dataDir = `${REPRESENTATION}/data`;
  let withheld = 0;
  let erased = 0;
  // Two diary numbers may make the same file name (the format may hold characters a file name cannot).
  const taken = new Set<string>();

  const cases = await store.read(async () =>
    mapInOrder(ids, async (id) => {
      const state = await store.archive.state(id);
      // The classification comes with the register's rules of issue 19 (case update --classification); a
      // register without it has none.
      const c = await store.cases.get(id, { documents: true }) as Case & { classification?: string | null; classificationName?: string | null };
      const diarised = await store.archive.diarisedAt(id);
      const label = c.diaryNumber ?? String(c.id);
      const packed: string[] = [];
      const records: ErmsRecord[] = await mapInOrder(c.documents ?? [], async (doc): Promise<ErmsRecord> => {
        const r: ErmsRecord = { doc, diarisedAt: diarised.get(doc.number) ?? doc.date };
        if (!doc.file) return r;
        const meta = await store.files.get(doc.file);
        const purged = await store.files.purgedAt(doc.file);
        if (purged) {
          erased++;
          return { ...r, withheld: { reason: "purged", at: purged } };
        }
        if (meta?.encrypted && !o.withPersonalData) {
          withheld++;
          return { ...r, withheld: { reason: "personal" } };
        }
        let data: Buffer;
        try {
          data = await store.files.read(doc.file);
        } catch (e) {
          if (e instanceof NotFoundError && e.key === "error.fileMissing") throw new FailedError("archive.error.fileMissing", { hash: doc.file.slice(0, 12), document: doc.number });
          throw e;
        }
        if (sha256(data) !== doc.file) throw new FailedError("archive.error.fileChanged", { hash: doc.file.slice(0, 12), document: doc.number });
        const mediaType = meta?.mediaType ?? "application/octet-stream";
        let rel = `${safe(label)}/${safe(doc.number)}.${EXTENSIONS[mediaType] ?? "bin"}`;
        for (let n = 2; taken.has(rel); n++) rel = `${safe(label)}/${safe(doc.number)}-${n}.${EXTENSIONS[mediaType] ?? "bin"}`;
        taken.add(rel);
        put(`${dataDir}/${rel}`, data, mediaType, "Representations");
        packed.push(doc.file);
        // Documents we made carry our PDF/A identification; everything received is kept as it came.
        const asReceived = doc.direction === "in";
        const format = mediaType === "application/pdf" ? pdfFormat(data) : mediaType;
        return { ...r, file: { path: rel, name: rel.slice(rel.lastIndexOf("/") + 1), mediaType, format, asReceived } };
      });
      const ermsCase: ErmsCase = {
        c,
        classification: typeof c.classification === "string" && c.classification ? { code: c.classification, name: typeof c.classificationName === "string" ? c.classificationName : null } : null,
        records,
        actions: (await store.actions.list({ caseId: id })).map((a) => ({ text: a.text, due: a.due, doneAt: a.doneAt, owner: o.withPersonalData ? a.owner.name : null })),
        ...(o.withPersonalData ? { persons: await store.cases.persons(id, true) } : {}),
      };
      return { ermsCase, id, diaryNumber: label, state, files: packed };
    }),
  );

  const erms = ermsXml({
    packageId: o.packageId,
    createdAt: now,
    org: { id: org.id, name: org.name },
    software: o.software,
    withPersonalData: o.withPersonalData,
    cases: cases.map((c) => c.ermsCase),
    schemaLocation: "../../../schemas/ERMS.xsd",
  });
  put(`${dataDir}/ERMS.xml`, Buffer.from(erms, "utf8"), "application/xml", "Representations");
  for (const name of PACKAGE_SCHEMAS) put(`schemas/${name}`, readFileSync(join(SCHEMAS_DIR, name)), "application/xml", "Schemas");
  const readme = tSv(o.withPersonalData ? "archive.readme.withPersonalData" : "archive.readme", {
    org: org.name,
    closedBefore: o.closedBefore,
    cases: cases.length,
    created: now,
    package: o.packageId,
    withheld,
  });
  put("documentation/LASMIG.txt", Buffer.from(`${readme}\n`, "utf8"), "text/plain", "Documentation");

  const mets = metsXml({
    packageId: o.packageId,
    label: tSv("archive.mets.label", { org: org.name, closedBefore: o.closedBefore }),
    createdAt: now,
    org: { id: org.id, name: org.name },
    software: o.software,
    files,
  });
  const metsData = Buffer.from(mets, "utf8");
  out.put("METS.xml", metsData);
  return {
    cases: cases.map(({ id, diaryNumber, state, files: f }) => ({ id, diaryNumber, state, files: f })),
    files: [...files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })), { path: "METS.xml", size: metsData.length, sha256: sha256(metsData) }],
    withheld,
    erased,
  };
}
