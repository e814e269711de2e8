// The better-sqlite3 connection under a store on SQLite, for the tests that look below the repositories.

import type Database from "better-sqlite3";
import { SqliteSql } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";

export function nativeSqlite(store: Store): Database.Database {
  if (!(store.sql instanceof SqliteSql)) throw new Error("this test needs a register on SQLite");
  return store.sql.native;
}
