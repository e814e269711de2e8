// `db copy --to postgres://…`: the local SQLite register moved to a PostgreSQL database that holds nothing yet,
// in one transaction there (src/store/copy.ts), the counts verified; then what the registrars set to use it.
// The register's signing key of exchange files goes with it (sealed with the register's key): counterparts that
// trust the SQLite register's key trust the copy's files.

import { existsSync } from "node:fs";
import { FailedError, isSystemError, reasonOf, RefusedError } from "../../core/errors.js";
import type { CopyReport } from "../../store/copy.js";
import type { Store } from "../../store/store.js";

export interface CopyResult extends CopyReport {
  /** The database copied to, without its password. */
  to: string;
  /** What every registrar sets to work on the copy: the database, and the key file they are given. */
  next: { AVVIK_DATABASE_URL: string; AVVIK_KEY_FILE: string };
}

/** `url` without its password (which belongs in ~/.pgpass or PGPASSWORD, never in a setting shown to others). */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = "";
  return u.toString();
}

/** Why the database could not be opened, in one line: unreachable, not let in, no such database. */
function connectFailure(e: unknown, to: string): unknown {
  if (isSystemError(e)) return new FailedError("db.copy.unreachable", { url: to, reason: reasonOf(e) });
  const code = (e as { code?: unknown }).code;
  if (code === "28P01" || code === "28000") return new FailedError("db.copy.login", { url: to, user: new URL(to).username || "?" });
  if (code === "3D000") return new FailedError("db.copy.noDatabase", { url: to });
  return e;
}

export async function copyRegister(store: Store, url: string): Promise<CopyResult> {
  if (store.sql.engine !== "sqlite") throw new RefusedError("db.copy.fromPostgres");
  const to = withoutPassword(url);
  const { connectPostgres } = await import("../../store/postgres.js");
  const { RegisterCopy } = await import("../../store/copy.js");
  const { loadSigningKey, sealSigningKey, signingKeyFile } = await import("../../exchange/keys.js");
  // A register from before signed exchange files has none: the copy makes one on first need, as SQLite would.
  const keyFile = signingKeyFile(store.home);
  const signing = existsSync(keyFile) ? loadSigningKey(keyFile) : undefined;
  const signingKey = signing && { sealed: sealSigningKey(signing, await store.cipher()), fingerprint: signing.fingerprint };
  let target;
  try {
    target = await connectPostgres(url);
  } catch (e) {
    throw connectFailure(e, to);
  }
  try {
    const report = await new RegisterCopy(store.sql, store.files, target, { at: store.actor.now, signingKey }).run();
    return { to, ...report, next: { AVVIK_DATABASE_URL: to, AVVIK_KEY_FILE: store.keyFile } };
  } finally {
    await target.end().catch(() => undefined);
  }
}
