import type { DocumentDirection } from "../core/codes.js";
import { documentNumber } from "../core/diaryNumber.js";
import type { CaseDocument, DiaryEntry } from "../core/types.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import type { Store } from "./store.js";

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
}

const toDoc = (r: DocRow): CaseDocument => ({
  number: r.number,
  seq: r.seq,
  date: r.date,
  direction: r.direction,
  party: r.party,
  subject: r.subject,
  file: r.file_hash,
});

export interface NewDocument {
  direction: DocumentDirection;
  subject: string;
  party?: string | null;
  date?: string;
  fileHash?: string | null;
}

export class DocumentRepo {
  constructor(private readonly s: Store) {}

  /**
   * Records a document in the case's register under the next number (<case number>:<n>); call inside
   * `store.write`. A case imported without a diary number is diarised first. The register is public:
   * a subject or party holding a personnummer is refused.
   */
  add(caseId: number, doc: NewDocument): CaseDocument {
    assertNoPersonalNumber(doc.subject, "--subject", this.s.today);
    if (doc.party) assertNoPersonalNumber(doc.party, "--party", this.s.today);
    const row = this.s.db.prepare("SELECT diary_number, doc_seq FROM cases WHERE id = ?").get(caseId) as
      | { diary_number: string | null; doc_seq: number }
      | undefined;
    if (!row) throw this.s.cases.notFound(String(caseId));
    const caseNumber = row.diary_number ?? this.s.cases.diarise(caseId);
    const seq = row.doc_seq + 1;
    const number = documentNumber(caseNumber, seq);
    this.s.db.prepare("UPDATE cases SET doc_seq = ?, updated_at = ? WHERE id = ?").run(seq, this.s.now, caseId);
    this.s.db
      .prepare(
        `INSERT INTO documents (case_id, seq, number, date, direction, party, subject, file_hash, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(caseId, seq, number, doc.date ?? this.s.today, doc.direction, doc.party ?? null, doc.subject, doc.fileHash ?? null, this.s.now, this.s.actor.user);
    this.s.audit.record("diary.add", caseId, { document: number, direction: doc.direction, file: doc.fileHash ?? null });
    return { number, seq, date: doc.date ?? this.s.today, direction: doc.direction, party: doc.party ?? null, subject: doc.subject, file: doc.fileHash ?? null };
  }

  forCase(caseId: number): CaseDocument[] {
    const rows = this.s.db.prepare("SELECT d.*, c.diary_number FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.case_id = ? ORDER BY d.seq").all(caseId) as DocRow[];
    return rows.map(toDoc);
  }

  /** The register in number order, optionally for one year (of the diary number) or one case. */
  list(filter: { year?: number; caseId?: number } = {}): DiaryEntry[] {
    const where: string[] = [];
    const params: Record<string, number> = {};
    if (filter.year !== undefined) {
      where.push("c.diary_year = @year");
      params.year = filter.year;
    }
    if (filter.caseId !== undefined) {
      where.push("d.case_id = @caseId");
      params.caseId = filter.caseId;
    }
    const rows = this.s.db
      .prepare(
        `SELECT d.*, c.diary_number FROM documents d JOIN cases c ON c.id = d.case_id
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY c.diary_year, c.diary_seq, d.seq`,
      )
      .all(params) as DocRow[];
    return rows.map((r) => {
      const { seq: _seq, ...doc } = toDoc(r);
      return { ...doc, caseId: r.case_id, diaryNumber: r.diary_number };
    });
  }

  /** The case and document a stored file was recorded in, if any (to recognise a file attached twice). */
  findByFile(hash: string): { caseId: number; number: string } | undefined {
    const r = this.s.db.prepare("SELECT case_id, number FROM documents WHERE file_hash = ? ORDER BY id LIMIT 1").get(hash) as
      | { case_id: number; number: string }
      | undefined;
    return r && { caseId: r.case_id, number: r.number };
  }

  /** The document and stored file an earlier exchange export of the same content was recorded as. */
  findExchangeExport(caseId: number, contentHash: string): { document: string; fileHash: string } | undefined {
    const r = this.s.db.prepare("SELECT document, file_hash FROM exchange_exports WHERE case_id = ? AND content_hash = ?").get(caseId, contentHash) as
      | { document: string; file_hash: string }
      | undefined;
    return r && { document: r.document, fileHash: r.file_hash };
  }

  /** Remembers what an exchange export contained; call inside the `store.write` that records its document. */
  recordExchangeExport(caseId: number, contentHash: string, document: string, fileHash: string): void {
    this.s.db
      .prepare("INSERT OR REPLACE INTO exchange_exports (case_id, content_hash, document, file_hash, exported_at) VALUES (?, ?, ?, ?, ?)")
      .run(caseId, contentHash, document, fileHash, this.s.now);
  }
}
