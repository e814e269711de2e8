import type { Database } from "better-sqlite3";
import { up as initial } from "./001_initial.js";
import { up as csv } from "./004_csv.js";

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
  { version: 4, name: "csv", up: csv },
];
