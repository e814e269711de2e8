// The public keys of counterparts, against which their exchange files are verified (migration 010).

import type { AuditRepo } from "./audit.js";
import type { Clock, Sql } from "./sql.js";

/** Our private signing key on SQLite, in the data directory (src/exchange/keys.ts makes and reads it). */
export const SIGNING_KEY_FILE = "signing-key";

/**
 * Our private signing key on PostgreSQL: one for the register, whichever machine signs, in the settings row of
 * this name (its PKCS#8 PEM sealed with the register's key, base64; the server never sees it in clear).
 */
export const SIGNING_KEY_SETTING = "signing_key";

export interface OrgKey {
  orgId: string;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
  fingerprint: string;
  recordedAt: string;
  recordedBy: string;
}

interface OrgKeyRow {
  org_id: string;
  public_key: Buffer;
  fingerprint: string;
  recorded_at: string;
  recorded_by: string;
}

const toKey = (r: OrgKeyRow): OrgKey => ({ orgId: r.org_id, publicKey: r.public_key, fingerprint: r.fingerprint, recordedAt: r.recorded_at, recordedBy: r.recorded_by });

export class OrgKeyRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
  ) {}

  async get(orgId: string): Promise<OrgKey | undefined> {
    const r = (await this.db.get("SELECT * FROM org_keys WHERE org_id = ?", [orgId])) as OrgKeyRow | undefined;
    return r && toKey(r);
  }

  async list(): Promise<OrgKey[]> {
    return ((await this.db.all("SELECT * FROM org_keys ORDER BY org_id")) as OrgKeyRow[]).map(toKey);
  }

  /**
   * Records (or replaces) an organisation's key and the audit event saying so; call inside `store.write`.
   * The event holds the fingerprints, never anything personal.
   */
  async set(orgId: string, publicKey: Buffer, fingerprint: string): Promise<void> {
    const previous = await this.get(orgId);
    (await this.db.run(`INSERT INTO org_keys (org_id, public_key, fingerprint, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(org_id) DO UPDATE SET public_key = excluded.public_key, fingerprint = excluded.fingerprint,
           recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`, [orgId, publicKey, fingerprint, this.clock.now, this.clock.actor.user]));
    if (previous) await this.audit.record("org.key.replace", null, { org: orgId, fingerprint, previous: previous.fingerprint });
    else await this.audit.record("org.key.import", null, { org: orgId, fingerprint });
  }
}
