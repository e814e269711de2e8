import type { Role } from "../core/codes.js";
import { NotFoundError, RefusedError, messageRef } from "../core/errors.js";
import type { Contact } from "../core/types.js";
import { assertPrintable } from "../core/printable.js";
import type { Store } from "./store.js";

interface ContactRow {
  id: number;
  org_id: string;
  role: Role;
  name: string;
  email: string;
}

const toContact = (r: ContactRow): Contact => ({ id: r.id, orgId: r.org_id, role: r.role, name: r.name, email: r.email });

export class ContactRepo {
  constructor(private readonly s: Store) {}

  get(id: number): Contact | undefined {
    const r = this.s.db.prepare("SELECT * FROM contacts WHERE id = ?").get(id) as ContactRow | undefined;
    return r && toContact(r);
  }

  list(orgId?: string): Contact[] {
    const rows = (
      orgId
        ? this.s.db.prepare("SELECT * FROM contacts WHERE org_id = ? ORDER BY role, name").all(orgId)
        : this.s.db.prepare("SELECT * FROM contacts ORDER BY org_id, role, name").all()
    ) as ContactRow[];
    return rows.map(toContact);
  }

  withRole(orgId: string, role: Role): Contact[] {
    const rows = this.s.db.prepare("SELECT * FROM contacts WHERE org_id = ? AND role = ? ORDER BY name").all(orgId, role) as ContactRow[];
    return rows.map(toContact);
  }

  /**
   * Finds one contact by e-mail address or by name (exact, else a unique part of the name), case-insensitively.
   * Several matches are refused with the candidates so the user can pick the address.
   */
  find(text: string): Contact {
    const q = text.trim();
    const byEmail = this.s.db.prepare("SELECT * FROM contacts WHERE email = ? COLLATE NOCASE ORDER BY id").all(q) as ContactRow[];
    const exactName = this.s.db.prepare("SELECT * FROM contacts WHERE name = ? COLLATE NOCASE ORDER BY id").all(q) as ContactRow[];
    const partial = this.s.db
      .prepare("SELECT * FROM contacts WHERE instr(lower(name), lower(?)) > 0 ORDER BY id")
      .all(q) as ContactRow[];
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
  add(input: { orgId: string; role: Role; name: string; email: string }): Contact {
    this.s.orgs.require(input.orgId);
    // The contact block of letters prints the name.
    assertPrintable(input.name, "--name");
    const dup = this.s.db
      .prepare("SELECT id FROM contacts WHERE org_id = ? AND role = ? AND email = ? COLLATE NOCASE")
      .get(input.orgId, input.role, input.email);
    if (dup) throw new RefusedError("error.contactExists", { email: input.email, role: messageRef(`roleWord.${input.role}`), org: input.orgId });
    const info = this.s.db
      .prepare("INSERT INTO contacts (org_id, role, name, email, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(input.orgId, input.role, input.name, input.email, this.s.now);
    const id = Number(info.lastInsertRowid);
    this.s.audit.record("contact.add", null, { contact: id, org: input.orgId, role: input.role });
    return this.get(id)!;
  }

  /** Adds unless the same org, role and address exist; for loading a directory file. */
  ensure(input: { orgId: string; role: Role; name: string; email: string }): "created" | "unchanged" {
    const dup = this.s.db
      .prepare("SELECT id FROM contacts WHERE org_id = ? AND role = ? AND email = ? COLLATE NOCASE")
      .get(input.orgId, input.role, input.email);
    if (dup) return "unchanged";
    this.add(input);
    return "created";
  }
}
