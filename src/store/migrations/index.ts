import type { Database } from "better-sqlite3";
import { up as initial } from "./001_initial.js";
import { up as mail } from "./003_mail.js";
import { up as stats } from "./005_stats.js";
import { up as protection } from "./006_protection.js";

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

// Ordered; each is applied once in its own immediate transaction that also sets PRAGMA user_version.
// Add new migrations at the end with the next version number. Versions reserved per area so that work in
// parallel does not collide: 2 paper, 3 mail, 4 csv, 5 stats, 6 protection, 7 exchange, 8 day; later ones from 10.
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", up: initial },
  { version: 3, name: "mail", up: mail },
  { version: 5, name: "stats", up: stats },
  { version: 6, name: "protection", up: protection },
];
