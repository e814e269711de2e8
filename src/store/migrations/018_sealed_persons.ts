import type { Database } from "better-sqlite3";
import type { MigrationContext } from "./index.js";

// A person is sealed as one blob (number and name in one AES-GCM, FieldCipher.sealPerson) instead of a blob
// per field, and the keyed hash of the number is stored as its 32 bytes instead of 64 hex characters. The
// table is made again in its new form: persons(id, case_id, sealed BLOB, pnr_hash BLOB, purged_at); every
// person is opened with the register's key and sealed again (the key is needed only when a person is stored),
// inside this migration's transaction, so a register is wholly in one form or the other.
export function up(db: Database, ctx?: MigrationContext): void {
  db.exec(`
    CREATE TABLE persons_sealed (
      id        INTEGER PRIMARY KEY,
      case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      sealed    BLOB,
      pnr_hash  BLOB,
      purged_at TEXT
    );
  `);
  const page = db.prepare("SELECT id, case_id, pnr_enc, name_enc, pnr_hash, purged_at FROM persons WHERE id > ? ORDER BY id LIMIT 5000");
  const insert = db.prepare("INSERT INTO persons_sealed (id, case_id, sealed, pnr_hash, purged_at) VALUES (?, ?, ?, ?, ?)");
  type Row = { id: number; case_id: number; pnr_enc: Buffer | null; name_enc: Buffer | null; pnr_hash: string | null; purged_at: string | null };
  let cipher: ReturnType<MigrationContext["cipher"]> | undefined;
  for (let after = 0; ; ) {
    const rows = page.all(after) as Row[];
    if (rows.length === 0) break;
    for (const r of rows) {
      let sealed: Buffer | null = null;
      if (r.pnr_enc) {
        if (!ctx) throw new Error("migration 18 needs the register's key");
        cipher ??= ctx.cipher();
        sealed = cipher.sealPerson(cipher.decryptText(r.pnr_enc), r.name_enc ? cipher.decryptText(r.name_enc) : null);
      } else if (r.name_enc) throw new Error(`migration 18: person ${r.id} has a name and no number`);
      insert.run(r.id, r.case_id, sealed, r.pnr_hash === null ? null : Buffer.from(r.pnr_hash, "hex"), r.purged_at);
      after = r.id;
    }
  }
  db.exec(`
    DROP TABLE persons;
    ALTER TABLE persons_sealed RENAME TO persons;
    CREATE INDEX persons_case ON persons(case_id);
    CREATE INDEX persons_hash ON persons(pnr_hash);
  `);
}
