// `config set KEY VALUE`: one setting stored where it lives (the register, our row in the directory, or
// <home>/config.json), audited, in one transaction.

import { FailedError, reasonOf } from "../../core/errors.js";
import { configFilePath, readConfigFile, setPath, writeConfigFile, type ConfigTree, type ConfigValue } from "../../store/configFile.js";
import type { Store } from "../../store/store.js";

/** <home>/config.json as a tree; one line saying what is wrong with it when it cannot be read. */
export function readSettingsFile(home: string): ConfigTree {
  try {
    return readConfigFile(home);
  } catch (e) {
    throw new FailedError("config.error.badFile", { file: configFilePath(home), reason: reasonOf(e, { path: configFilePath(home) }) });
  }
}

/** Where a setting lives. */
export type Storage =
  /** The register's settings table (key → text). */
  | { in: "register"; key: string }
  /** Our own organisation's row in the directory: the sender on letters. */
  | { in: "org"; field: "name" | "address" }
  /** <home>/config.json, a dotted path into nested JSON. */
  | { in: "file"; path: string }
  /** Only from a flag or the environment (shown, never set). */
  | { in: "runtime" };

export interface SettingChange {
  /** The setting's name as the user types it (`deadline.months`). */
  key: string;
  storage: Exclude<Storage, { in: "runtime" }>;
  /** Already parsed and checked. */
  value: ConfigValue;
  /** A secret's value is never written into the audit trail. */
  secret: boolean;
  /** Checks the value against the register, inside the transaction (a classification code in the loaded scheme). */
  check?: (value: ConfigValue, store: Store) => Promise<void>;
}

/** Stores the value; the config file, when it is the place, is written last inside the transaction. */
export async function setSetting(store: Store, home: string, change: SettingChange): Promise<void> {
  const { storage, value } = change;
  // Read before the transaction: a config file that cannot be read refuses before anything changes.
  const file = storage.in === "file" ? readSettingsFile(home) : undefined;
  await store.write(async () => {
    await change.check?.(value, store);
    if (storage.in === "register") await store.settings.set(storage.key, String(value));
    else if (storage.in === "org") await store.orgs.updateSelf({ [storage.field]: String(value) });
    await store.audit.record("config.set", null, { key: change.key, ...(change.secret ? {} : { value }) });
    // If writing the file fails, the audit event is rolled back too.
    if (storage.in === "file") writeConfigFile(home, setPath(file!, storage.path, value));
  });
}
