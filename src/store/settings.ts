import type { Sql } from "./sql.js";

/** Organisation-wide settings (diary format, default deadline, our own organisation). */
export class SettingsRepo {
  constructor(private readonly db: Sql) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [key]);
    return row?.value;
  }

  async all(): Promise<Record<string, string>> {
    const rows = await this.db.all<{ key: string; value: string }>("SELECT key, value FROM settings ORDER BY key");
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Sets a value; call inside `store.write`. */
  async set(key: string, value: string): Promise<void> {
    await this.db.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value]);
  }
}
