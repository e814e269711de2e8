// The classification scheme (migration 015): the codes and names loaded with `classification import`, and the
// organisation's default code (setting diary_classification).

import type { ClassCode } from "../core/classification.js";
import { RefusedError } from "../core/errors.js";
import type { Store } from "./store.js";

export const DEFAULT_CLASSIFICATION_SETTING = "diary_classification";

export class ClassificationRepo {
  constructor(private readonly s: Store) {}

  /** The loaded scheme's codes in code order (empty: no scheme loaded). */
  list(): ClassCode[] {
    return this.s.db.prepare("SELECT code, name FROM classification_codes ORDER BY code").all() as ClassCode[];
  }

  count(): number {
    return this.s.db.prepare("SELECT count(*) FROM classification_codes").pluck().get() as number;
  }

  name(code: string): string | undefined {
    return this.s.db.prepare("SELECT name FROM classification_codes WHERE code = ?").pluck().get(code) as string | undefined;
  }

  /** The organisation's default code, if set. */
  defaultCode(): string | null {
    return this.s.settings.get(DEFAULT_CLASSIFICATION_SETTING) ?? null;
  }

  /** Refuses a code that is not in the loaded scheme (any well-formed code is accepted while none is loaded). */
  assertKnown(code: string, flag: string): void {
    if (this.count() === 0) return;
    if (this.name(code) === undefined) throw new RefusedError("classification.error.unknown", { code, flag });
  }

  /**
   * Replaces the scheme; call inside `store.write`. The codes in use (by cases, or as the default) must be in the
   * new scheme: a scheme that would leave a classified matter without its class is refused, naming the codes.
   */
  replace(scheme: string | null, codes: ClassCode[]): { added: number; removed: number; changed: number; total: number } {
    const incoming = new Map(codes.map((c) => [c.code, c.name]));
    const used = this.s.db.prepare("SELECT classification AS code, count(*) AS n FROM cases WHERE classification IS NOT NULL GROUP BY classification").all() as Array<{ code: string; n: number }>;
    const def = this.defaultCode();
    const missing = [...used.filter((u) => !incoming.has(u.code)).map((u) => u.code), ...(def && !incoming.has(def) ? [def] : [])];
    if (missing.length) throw new RefusedError("classification.error.inUse", { codes: [...new Set(missing)].sort().join(", ") });
    const before = new Map(this.list().map((c) => [c.code, c.name]));
    let added = 0;
    let changed = 0;
    for (const [code, name] of incoming) {
      if (!before.has(code)) added++;
      else if (before.get(code) !== name) changed++;
    }
    const removed = [...before.keys()].filter((k) => !incoming.has(k)).length;
    this.s.db.prepare("DELETE FROM classification_codes").run();
    const insert = this.s.db.prepare("INSERT INTO classification_codes (code, name) VALUES (?, ?)");
    for (const c of codes) insert.run(c.code, c.name);
    this.s.audit.record("classification.import", null, { scheme, codes: codes.length, added, removed, changed });
    return { added, removed, changed, total: codes.length };
  }
}
