import type { DocumentDirection } from "../core/codes.js";
import { documentNumber, splitDocumentNumber } from "../core/diaryNumber.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import type { CaseDocument, DiaryEntry } from "../core/types.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import type { AuditRepo } from "./audit.js";
import type { ClassificationRepo } from "./classification.js";
import type { DiaryRepo } from "./diary.js";
import type { Clock, Sql } from "./sql.js";

interface DocRow {
  case_id: number;
  seq: number;
  number: string;
  date: string;
  direction: DocumentDirection;
  party: string | null;
  subject: string;
  file_hash: string | null;
  diary_number: string;
  secrecy: string | null;
  case_secrecy: string | null;
  voided_at: string | null;
  voided_by: string | null;
  void_reason: string | null;
  classification?: string | null;
}

// Every document query selects these: the entry's own secrecy ground, else the case's (a matter marked secret
// keeps all its entries out of the public register while the marking lasts).
const DOC_COLUMNS = "d.*, c.diary_number, c.secrecy AS case_secrecy";

const toDoc = (r: DocRow): CaseDocument => {
  const doc: CaseDocument = {
    number: r.number,
    seq: r.seq,
    date: r.date,
    direction: r.direction,
    party: r.party,
    subject: r.subject,
    file: r.file_hash,
  };
  const secrecy = r.secrecy ?? r.case_secrecy;
  if (secrecy) doc.secrecy = secrecy;
  if (r.voided_at) doc.voided = { at: r.voided_at, by: r.voided_by ?? "", reason: r.void_reason ?? "" };
  return doc;
};

/** An entry of the public register: a secret one without its subject and party; no stored file's hash. */
export type PublicEntry = Omit<DiaryEntry, "subject" | "party" | "file"> & { subject: string | null; party: string | null };

/** An entry as the public may see it (`diary list --public`). */
export function publicEntry(e: DiaryEntry): PublicEntry {
  const { file: _file, ...rest } = e;
  return e.secrecy ? { ...rest, subject: null, party: null } : rest;
}

export interface NewDocument {
  direction: DocumentDirection;
  subject: string;
  party?: string | null;
  date?: string;
  fileHash?: string | null;
  /** The secrecy ground (validated by `parseSecrecyGround`); null: public; undefined: the case's marking. */
  secrecy?: string | null;
}

export class DocumentRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
    private readonly diary: DiaryRepo,
    private readonly classification: ClassificationRepo,
  ) {}

  /**
   * Records a document in the case's register under the next number (<case number>:<n>); call inside
   * `store.write`. A case imported without a diary number is diarised first. The register is public:
   * a subject or party holding a personnummer is refused. A document of a case marked secret inherits the
   * case's ground (read here, under the write lock) unless `secrecy` says otherwise.
   */
  async add(caseId: number, doc: NewDocument): Promise<CaseDocument> {
    assertNoPersonalNumber(doc.subject, "--subject", this.clock.today);
    if (doc.party) assertNoPersonalNumber(doc.party, "--party", this.clock.today);
    const row = (await this.db.get("SELECT diary_number, doc_seq, secrecy FROM cases WHERE id = ?", [caseId])) as
      | { diary_number: string | null; doc_seq: number; secrecy: string | null }
      | undefined;
    if (!row) throw await this.diary.caseNotFound(String(caseId));
    const secrecy = doc.secrecy === undefined ? row.secrecy : doc.secrecy;
    const caseNumber = row.diary_number ?? (await this.diary.diarise(caseId));
    const seq = row.doc_seq + 1;
    const number = documentNumber(caseNumber, seq);
    await this.db.run("UPDATE cases SET doc_seq = ?, updated_at = ? WHERE id = ?", [seq, this.clock.now, caseId]);
    (await this.db.run(`INSERT INTO documents (case_id, seq, number, date, direction, party, subject, file_hash, created_at, created_by, secrecy)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [caseId, seq, number, doc.date ?? this.clock.today, doc.direction, doc.party ?? null, doc.subject, doc.fileHash ?? null, this.clock.now, this.clock.actor.user, secrecy]));
    await this.audit.record("diary.add", caseId, { document: number, direction: doc.direction, file: doc.fileHash ?? null, ...(secrecy ? { secrecy } : {}) });
    const added: CaseDocument = { number, seq, date: doc.date ?? this.clock.today, direction: doc.direction, party: doc.party ?? null, subject: doc.subject, file: doc.fileHash ?? null };
    if (secrecy) added.secrecy = secrecy;
    return added;
  }

  async forCase(caseId: number): Promise<CaseDocument[]> {
    const rows = (await this.db.all(`SELECT ${DOC_COLUMNS} FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.case_id = ? ORDER BY d.seq`, [caseId])) as DocRow[];
    return rows.map(toDoc);
  }

  /**
   * One entry by its number (2026-000012:2), with its case; the case part may be typed loosely as for a case
   * ("vok 2026-1:2", "2026-1:2" for "VOK 2026-1:2").
   */
  async byNumber(number: string): Promise<(CaseDocument & { caseId: number; diaryNumber: string }) | undefined> {
    const text = number.trim();
    let r = (await this.db.get(`SELECT ${DOC_COLUMNS} FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.number = ?`, [text])) as DocRow | undefined;
    const parts = r ? undefined : splitDocumentNumber(text);
    const caseNumber = parts && (await this.diary.numberAsTyped(parts.caseNumber));
    if (parts && caseNumber) {
      r = (await this.db.get(`SELECT ${DOC_COLUMNS} FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.diary_number = ? AND d.seq = ?`, [caseNumber, parts.seq])) as DocRow | undefined;
    }
    return r && { ...toDoc(r), caseId: r.case_id, diaryNumber: r.diary_number };
  }

  /**
   * Voids (makulerar) an entry; call inside `store.write`, which makes the decision from what it reads here:
   * the entry keeps its number, subject and file, and is marked with who, when and why. A number that does
   * not exist, an entry voided already, and an entry of a case delivered to the e-archive are refused.
   */
  async void(number: string, reason: string): Promise<CaseDocument & { caseId: number; diaryNumber: string }> {
    assertNoPersonalNumber(reason, "--reason", this.clock.today);
    assertPrintable(reason, "--reason");
    const doc = await this.byNumber(number);
    if (!doc) throw new NotFoundError("error.documentNotFound", { number: number.trim().slice(0, 80) });
    if (doc.voided) throw new RefusedError("error.documentVoided", { number: doc.number, at: doc.voided.at.slice(0, 10), by: doc.voided.by });
    const archived = (await this.db.get<{ a: number | null }>("SELECT archive_delivery_id AS a FROM cases WHERE id = ?", [doc.caseId]))?.a ?? null;
    if (archived !== null) throw new RefusedError("error.documentArchived", { number: doc.number, case: doc.diaryNumber });
    await this.db.run("UPDATE documents SET voided_at = ?, voided_by = ?, void_reason = ? WHERE number = ?", [this.clock.now, this.clock.actor.user, reason, doc.number]);
    await this.db.run("UPDATE cases SET updated_at = ? WHERE id = ?", [this.clock.now, doc.caseId]);
    await this.audit.record("diary.void", doc.caseId, { document: doc.number, reason });
    return { ...doc, voided: { at: this.clock.now, by: this.clock.actor.user, reason } };
  }

  /** The register in number order, optionally for one year (of the diary number) or one case. */
  async list(filter: { year?: number; caseId?: number } = {}): Promise<DiaryEntry[]> {
    const where: string[] = [];
    // The matter's classification (its own code, else the organisation's default) beside each entry.
    const params: Record<string, number | string | null> = { classification: await this.classification.defaultCode() };
    if (filter.year !== undefined) {
      where.push("c.diary_year = @year");
      params.year = filter.year;
    }
    if (filter.caseId !== undefined) {
      where.push("d.case_id = @caseId");
      params.caseId = filter.caseId;
    }
    const rows = (await this.db.all(`SELECT ${DOC_COLUMNS}, COALESCE(c.classification, @classification) AS classification FROM documents d JOIN cases c ON c.id = d.case_id
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY c.diary_year, c.diary_seq, d.seq`, params)) as DocRow[];
    return rows.map((r) => {
      const { seq: _seq, ...doc } = toDoc(r);
      // Like `secrecy` and `voided`, the classification is carried when there is one.
      return { ...doc, caseId: r.case_id, diaryNumber: r.diary_number, ...(r.classification ? { classification: r.classification } : {}) };
    });
  }

  /** Links the text OCR read (a stored file) to a document of the case; call inside `store.write`. */
  async setRecognised(caseId: number, number: string, hash: string): Promise<void> {
    await this.db.run("UPDATE documents SET recognised_hash = ? WHERE case_id = ? AND number = ?", [hash, caseId, number]);
  }

  /** The texts OCR read for the case's documents: document number → stored file hash. */
  async recognised(caseId: number): Promise<Map<string, string>> {
    const rows = (await this.db.all("SELECT number, recognised_hash FROM documents WHERE case_id = ? AND recognised_hash IS NOT NULL ORDER BY seq", [caseId])) as Array<{ number: string; recognised_hash: string }>;
    return new Map(rows.map((r) => [r.number, r.recognised_hash]));
  }

  /** The case and document a stored file was recorded in, if any (to recognise a file attached twice). */
  async findByFile(hash: string): Promise<{ caseId: number; number: string } | undefined> {
    const r = (await this.db.get("SELECT case_id, number FROM documents WHERE file_hash = ? ORDER BY id LIMIT 1", [hash])) as
      | { case_id: number; number: string }
      | undefined;
    return r && { caseId: r.case_id, number: r.number };
  }

  /** The document and stored file an earlier exchange export of the same content was recorded as. */
  async findExchangeExport(caseId: number, contentHash: string): Promise<{ document: string; fileHash: string } | undefined> {
    const r = (await this.db.get("SELECT document, file_hash FROM exchange_exports WHERE case_id = ? AND content_hash = ?", [caseId, contentHash])) as
      | { document: string; file_hash: string }
      | undefined;
    return r && { document: r.document, fileHash: r.file_hash };
  }

  /** Remembers what an exchange export contained; call inside the `store.write` that records its document. */
  async recordExchangeExport(caseId: number, contentHash: string, document: string, fileHash: string): Promise<void> {
    await this.db.run(`INSERT INTO exchange_exports (case_id, content_hash, document, file_hash, exported_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (case_id, content_hash) DO UPDATE SET document = excluded.document, file_hash = excluded.file_hash, exported_at = excluded.exported_at`, [caseId, contentHash, document, fileHash, this.clock.now]);
  }
}
