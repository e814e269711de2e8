import type { Role } from "../core/codes.js";
import { NotFoundError, RefusedError, messageRef } from "../core/errors.js";
import type { Contact } from "../core/types.js";
import { assertPrintable } from "../core/printable.js";
import type { AuditRepo } from "./audit.js";
import type { OrgRepo } from "./orgs.js";
import type { Clock, Sql } from "./sql.js";

interface ContactRow {
  id: number;
  org_id: string;
  role: Role;
  name: string;
  email: string;
}

const toContact = (r: ContactRow): Contact => ({ id: r.id, orgId: r.org_id, role: r.role, name: r.name, email: r.email });

export class ContactRepo {
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
    private readonly orgs: OrgRepo,
  ) {}

  async get(id: number): Promise<Contact | undefined> {
    const r = (await this.db.get("SELECT * FROM contacts WHERE id = ?", [id])) as ContactRow | undefined;
    return r && toContact(r);
  }

  async list(orgId?: string): Promise<Contact[]> {
    const rows = (
      orgId
        ? (await this.db.all("SELECT * FROM contacts WHERE org_id = ? ORDER BY role, name", [orgId]))
        : (await this.db.all("SELECT * FROM contacts ORDER BY org_id, role, name"))
    ) as ContactRow[];
    return rows.map(toContact);
  }

  async withRole(orgId: string, role: Role): Promise<Contact[]> {
    const rows = (await this.db.all("SELECT * FROM contacts WHERE org_id = ? AND role = ? ORDER BY name", [orgId, role])) as ContactRow[];
    return rows.map(toContact);
  }

  /**
   * Finds one contact by e-mail address or by name (exact, else a unique part of the name), case-insensitively.
   * Several matches are refused with the candidates so the user can pick the address.
   */
  async find(text: string): Promise<Contact> {
    const q = text.trim();
    const byEmail = (await this.db.all("SELECT * FROM contacts WHERE lower(email) = lower(CAST(? AS text)) ORDER BY id", [q])) as ContactRow[];
    const exactName = (await this.db.all("SELECT * FROM contacts WHERE lower(name) = lower(CAST(? AS text)) ORDER BY id", [q])) as ContactRow[];
    const partial = (await this.db.all(`SELECT * FROM contacts WHERE ${this.db.dialect.contains("lower(name)", "lower(CAST(? AS text))")} ORDER BY id`, [q])) as ContactRow[];
    for (const rows of [byEmail, exactName, partial]) {
      const distinct = new Map(rows.map((r) => [r.email.toLowerCase(), r]));
      if (distinct.size === 1) return toContact(rows[0]!);
      if (distinct.size > 1) {
        throw new RefusedError("error.contactAmbiguous", { text: q, candidates: [...distinct.values()].map((r) => `${r.name} <${r.email}>`).join(", ") });
      }
    }
    throw new NotFoundError("error.contactNotFound", { text: q });
  }

  /** Adds a contact; call inside `store.write`. The same address twice in one role is refused. */
  async add(input: { orgId: string; role: Role; name: string; email: string }): Promise<Contact> {
    await this.orgs.require(input.orgId);
    // The contact block of letters prints the name.
    assertPrintable(input.name, "--name");
    const dup = (await this.db.get("SELECT id FROM contacts WHERE org_id = ? AND role = ? AND lower(email) = lower(CAST(? AS text))", [input.orgId, input.role, input.email]));
    if (dup) throw new RefusedError("error.contactExists", { email: input.email, role: messageRef(`roleWord.${input.role}`), org: input.orgId });
    const info = (await this.db.run("INSERT INTO contacts (org_id, role, name, email, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id", [input.orgId, input.role, input.name, input.email, this.clock.now]));
    const id = info.lastId!;
    await this.audit.record("contact.add", null, { contact: id, org: input.orgId, role: input.role });
    return (await this.get(id))!;
  }

  /** Adds unless the same org, role and address exist; for loading a directory file. */
  async ensure(input: { orgId: string; role: Role; name: string; email: string }): Promise<"created" | "unchanged"> {
    const dup = (await this.db.get("SELECT id FROM contacts WHERE org_id = ? AND role = ? AND lower(email) = lower(CAST(? AS text))", [input.orgId, input.role, input.email]));
    if (dup) return "unchanged";
    await this.add(input);
    return "created";
  }
}
