// `backup FILE` and `restore FILE`: the whole register in one file (never the key), and back.

import { RefusedError } from "../../core/errors.js";
import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

/** Writes the backup into `target` (a file the user named, already checked and staged by the CLI). */
export async function backupRegister(store: Store, target: OutputFile): Promise<{ file: string; bytes: number; files: number }> {
  // A register on PostgreSQL is the server's to back up (docs/postgresql.md): refused before anything is written.
  if (store.sql.engine === "postgres") throw new RefusedError("error.postgresBackup", {});
  return await store.protection.backup(target);
}

/**
 * Restores a backup into the data directory `home`, which must be new or empty. A backup is an SQLite
 * register: with a PostgreSQL register selected (`databaseUrl`) it is refused, nothing is written.
 */
export async function restoreRegister(file: string, home: string, databaseUrl?: string): Promise<{ home: string; files: number }> {
  if (databaseUrl) throw new RefusedError("error.postgresRestore", {});
  const { restoreBackup } = await import("../../store/protection.js");
  return restoreBackup(file, home);
}
