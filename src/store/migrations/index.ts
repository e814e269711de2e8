import type { Database } from "better-sqlite3";
import { up as initial } from "./001_initial.js";
import { up as mail } from "./003_mail.js";
import { up as stats } from "./005_stats.js";
import { up as protection } from "./006_protection.js";
import { up as csv } from "./007_csv.js";
import { up as bulkImport } from "./008_bulk_import.js";
import { up as outboxSafety } from "./009_outbox_safety.js";
import { up as orgKeys } from "./010_org_keys.js";
import { up as exchangeExports } from "./011_exchange_exports.js";
import { up as deviationRecipient } from "./012_deviation_recipient.js";
import { up as statsFlow } from "./013_stats_flow.js";
import { up as secrecyArchive } from "./014_secrecy_archive.js";
import { up as registerRules } from "./015_register_rules.js";
import { up as recognisedText } from "./016_recognised_text.js";
import { up as dropCasesStats } from "./017_drop_cases_stats.js";
import { up as sealedPersons } from "./018_sealed_persons.js";
import { up as statsDay } from "./019_stats_day.js";
import { up as fileContents } from "./020_file_contents.js";
import { up as statsPerStatement } from "./021_stats_per_statement.js";
import type { FieldCipher } from "../crypto.js";

/** What a migration may need beyond the database: the register's key (loaded, and checked, only when asked for). */
export interface MigrationContext {
  cipher(): FieldCipher;
}

export interface Migration {
  version: number;
  name: string;
  /** `ctx` is given by `migrate`; a test building an old register may leave it out while no migration needs it. */
  up(db: Database, ctx?: MigrationContext): void;
}

// Ordered; each is applied once in its own immediate transaction that also sets PRAGMA user_version.
// Add new migrations at the end with the next version number: a register records only the highest version
// applied, so a lower number added later would never run (a unit test keeps the list strictly increasing).
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", up: initial },
  { version: 3, name: "mail", up: mail },
  { version: 5, name: "stats", up: stats },
  { version: 6, name: "protection", up: protection },
  { version: 7, name: "csv", up: csv },
  { version: 8, name: "bulk import", up: bulkImport },
  { version: 9, name: "outbox safety", up: outboxSafety },
  { version: 10, name: "org keys", up: orgKeys },
  { version: 11, name: "exchange exports", up: exchangeExports },
  { version: 12, name: "deviation recipient", up: deviationRecipient },
  { version: 13, name: "stats flow", up: statsFlow },
  { version: 14, name: "secrecy and archive", up: secrecyArchive },
  { version: 15, name: "register rules", up: registerRules },
  { version: 16, name: "recognised text", up: recognisedText },
  { version: 17, name: "drop cases_stats", up: dropCasesStats },
  { version: 18, name: "sealed persons", up: sealedPersons },
  { version: 19, name: "stats per day", up: statsDay },
  { version: 20, name: "file contents (PostgreSQL)", up: fileContents },
  { version: 21, name: "new cases counted per statement (PostgreSQL)", up: statsPerStatement },
];
