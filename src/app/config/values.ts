// What `config list`, `get` and `set` resolve a setting's value from besides flags and the environment: the
// data directory's config.json and, when there is a register, its settings and our own organisation's name and
// address, read once (one snapshot).

import type { ConfigTree } from "../../store/configFile.js";
import type { Store } from "../../store/store.js";
import { readSettingsFile } from "./set.js";

export interface StoredSettings {
  file: ConfigTree;
  /** Absent when the data directory holds no register (yet). */
  register?: { settings: Record<string, string>; org: { name: string | null; address: string | null } };
}

export async function storedSettings(home: string, databaseUrl: string | undefined, openStore: () => Promise<Store>): Promise<StoredSettings> {
  const file = readSettingsFile(home);
  const { Store } = await import("../../store/store.js");
  if (!Store.exists(home, databaseUrl)) return { file };
  const store = await openStore();
  const register = await store.read(async () => {
    const self = await store.orgs.self();
    return { settings: await store.settings.all(), org: { name: self.name ?? null, address: self.address ?? null } };
  });
  return { file, register };
}
