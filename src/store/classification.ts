// The classification scheme (migration 015): the codes and names loaded with `classification import`, and the
// organisation's default code (setting diary_classification).

import type { ClassCode } from "../core/classification.js";
import { RefusedError } from "../core/errors.js";
import type { AuditRepo } from "./audit.js";
import type { SettingsRepo } from "./settings.js";
import type { Sql } from "./sql.js";

export const DEFAULT_CLASSIFICATION_SETTING = "diary_classification";

export class ClassificationRepo {
  constructor(
    private readonly db: Sql,
    private readonly settings: SettingsRepo,
    private readonly audit: AuditRepo,
  ) {}

  /** The loaded scheme's codes in code order (empty: no scheme loaded). */
  async list(): Promise<ClassCode[]> {
    return this.db.all<ClassCode>("SELECT code, name FROM classification_codes ORDER BY code");
  }

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT count(*) AS n FROM classification_codes"))!.n;
  }

  async name(code: string): Promise<string | undefined> {
    return (await this.db.get<{ name: string }>("SELECT name FROM classification_codes WHERE code = ?", [code]))?.name;
  }

  /** The organisation's default code, if set. */
  async defaultCode(): Promise<string | null> {
    return await this.settings.get(DEFAULT_CLASSIFICATION_SETTING) ?? null;
  }

  /** Refuses a code that is not in the loaded scheme (any well-formed code is accepted while none is loaded). */
  async assertKnown(code: string, flag: string): Promise<void> {
    if ((await this.count()) === 0) return;
    if ((await this.name(code)) === undefined) throw new RefusedError("classification.error.unknown", { code, flag });
  }

  /**
   * Replaces the scheme; call inside `store.write`. The codes in use (by cases, or as the default) must be in the
   * new scheme: a scheme that would leave a classified matter without its class is refused, naming the codes.
   */
  async replace(scheme: string | null, codes: ClassCode[]): Promise<{ added: number; removed: number; changed: number; total: number }> {
    const incoming = new Map(codes.map((c) => [c.code, c.name]));
    const used = (await this.db.all("SELECT classification AS code, count(*) AS n FROM cases WHERE classification IS NOT NULL GROUP BY classification")) as Array<{ code: string; n: number }>;
    const def = await this.defaultCode();
    const missing = [...used.filter((u) => !incoming.has(u.code)).map((u) => u.code), ...(def && !incoming.has(def) ? [def] : [])];
    if (missing.length) throw new RefusedError("classification.error.inUse", { codes: [...new Set(missing)].sort().join(", ") });
    const before = new Map((await this.list()).map((c) => [c.code, c.name]));
    let added = 0;
    let changed = 0;
    for (const [code, name] of incoming) {
      if (!before.has(code)) added++;
      else if (before.get(code) !== name) changed++;
    }
    const removed = [...before.keys()].filter((k) => !incoming.has(k)).length;
    await this.db.run("DELETE FROM classification_codes");
    for (const c of codes) await this.db.run("INSERT INTO classification_codes (code, name) VALUES (?, ?)", [c.code, c.name]);
    await this.audit.record("classification.import", null, { scheme, codes: codes.length, added, removed, changed });
    return { added, removed, changed, total: codes.length };
  }
}
