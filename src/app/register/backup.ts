// `backup FILE` and `restore FILE`: the whole register in one file (never the key), and back.

import type { OutputFile } from "../../store/outputFile.js";
import type { Store } from "../../store/store.js";

/** Writes the backup into `target` (a file the user named, already checked and staged by the CLI). */
export async function backupRegister(store: Store, target: OutputFile): Promise<{ file: string; bytes: number; files: number }> {
  return await store.protection.backup(target);
}

/** Restores a backup into the data directory `home`, which must be new or empty. */
export async function restoreRegister(file: string, home: string): Promise<{ home: string; files: number }> {
  const { restoreBackup } = await import("../../store/protection.js");
  return restoreBackup(file, home);
}
