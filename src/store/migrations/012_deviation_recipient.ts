import type { Database } from "better-sqlite3";

export function up(db: Database): void {
  db.exec(`
    -- Where an organisation's deviations go by post (both directions): an organisation of the directory, often
    -- one of its own units (Region Östergötland: the east coordinator in Finspång). NULL: its own address.
    ALTER TABLE orgs ADD COLUMN deviation_recipient_id TEXT REFERENCES orgs(id);
  `);
}
