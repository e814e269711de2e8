import type { Store } from "./store.js";

/** Organisation-wide settings (diary format, default deadline, our own organisation). */
export class SettingsRepo {
  constructor(private readonly s: Store) {}

  get(key: string): string | undefined {
    const row = this.s.db.prepare("SELECT value FROM settings WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  all(): Record<string, string> {
    const rows = this.s.db.prepare("SELECT key, value FROM settings ORDER BY key").all() as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Sets a value; call inside `store.write`. */
  set(key: string, value: string): void {
    this.s.db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }
}
