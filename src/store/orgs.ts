import type { OrgKind } from "../core/codes.js";
import { nearest } from "../core/suggest.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import type { Org } from "../core/types.js";
import type { Store } from "./store.js";

interface OrgRow {
  id: string;
  name: string;
  kind: OrgKind;
  parent_id: string | null;
  address: string | null;
  deadline_months: number | null;
  deviation_recipient_id: string | null;
  is_self: number;
}

function toOrg(r: OrgRow): Org {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    parentId: r.parent_id,
    address: r.address,
    deadlineMonths: r.deadline_months,
    deviationRecipientId: r.deviation_recipient_id ?? null,
    self: r.is_self === 1,
  };
}

export interface OrgInput {
  id: string;
  name: string;
  kind: OrgKind;
  parentId?: string | null;
  address?: string | null;
  deadlineMonths?: number | null;
}

export class OrgRepo {
  constructor(private readonly s: Store) {}

  get(id: string): Org | undefined {
    const r = this.s.db.prepare("SELECT * FROM orgs WHERE id = ?").get(id) as OrgRow | undefined;
    return r && toOrg(r);
  }

  require(id: string): Org {
    const org = this.get(id) ?? this.findByName(id);
    if (org) return org;
    // "Menade du 'norrkoping' (Norrköpings kommun)?": the nearest id or name.
    const all = this.list();
    const near = nearest(id, [...all.map((o) => o.id), ...all.map((o) => o.name)]);
    const found = near === undefined ? undefined : all.find((o) => o.id === near || o.name === near);
    if (found) throw new NotFoundError("error.orgNotFoundSuggest", { id, suggestion: found.id, name: found.name });
    throw new NotFoundError("error.orgNotFound", { id });
  }

  /** Case-insensitive exact name match, used when a CSV names an organisation instead of its id. */
  findByName(name: string): Org | undefined {
    const r = this.s.db.prepare("SELECT * FROM orgs WHERE name = ? COLLATE NOCASE").get(name.trim()) as OrgRow | undefined;
    return r && toOrg(r);
  }

  self(): Org {
    const r = this.s.db.prepare("SELECT * FROM orgs WHERE is_self = 1").get() as OrgRow | undefined;
    if (!r) throw new NotFoundError("error.notInitialised", { home: this.s.home });
    return toOrg(r);
  }

  list(): Org[] {
    // Our own organisation and its units first, then every other organisation followed by its units.
    const rows = this.s.db
      .prepare(
        `SELECT o.* FROM orgs o
         ORDER BY COALESCE(o.parent_id, o.id) <> (SELECT id FROM orgs WHERE is_self = 1 LIMIT 1),
                  COALESCE(o.parent_id, o.id), o.parent_id IS NOT NULL, o.name`,
      )
      .all() as OrgRow[];
    return rows.map(toOrg);
  }

  unitsOf(parentId: string): Org[] {
    const rows = this.s.db.prepare("SELECT * FROM orgs WHERE parent_id = ? ORDER BY name").all(parentId) as OrgRow[];
    return rows.map(toOrg);
  }

  /** The top-level organisation a unit belongs to (itself when it has no parent). */
  topOf(org: Org): Org {
    let current = org;
    for (let i = 0; i < 10 && current.parentId; i++) {
      const parent = this.get(current.parentId);
      if (!parent) break;
      current = parent;
    }
    return current;
  }

  /** Adds an organisation; call inside `store.write`. Refuses a duplicate id. */
  add(input: OrgInput, self = false): Org {
    // Organisation names and addresses go on letters and in the public register: never a personnummer.
    assertNoPersonalNumber(input.name, "--name", this.s.today);
    if (input.address) assertNoPersonalNumber(input.address, "--address", this.s.today);
    assertPrintable(input.name, "--name");
    assertPrintable(input.address, "--address");
    if (this.get(input.id)) throw new RefusedError("error.orgExists", { id: input.id });
    if (input.parentId && !this.get(input.parentId)) throw new NotFoundError("error.orgNotFound", { id: input.parentId });
    this.s.db
      .prepare(
        `INSERT INTO orgs (id, name, kind, parent_id, address, deadline_months, is_self, created_at)
         VALUES (@id, @name, @kind, @parent_id, @address, @deadline_months, @is_self, @created_at)`,
      )
      .run({
        id: input.id,
        name: input.name,
        kind: input.kind,
        parent_id: input.parentId ?? null,
        address: input.address ?? null,
        deadline_months: input.deadlineMonths ?? null,
        is_self: self ? 1 : 0,
        created_at: this.s.now,
      });
    this.s.audit.record("org.add", null, { org: input.id, name: input.name, kind: input.kind, parent: input.parentId ?? null });
    return this.get(input.id)!;
  }

  /** Inserts or updates (for loading a directory file); returns whether anything changed. */
  upsert(input: OrgInput): "created" | "updated" | "unchanged" {
    const existing = this.get(input.id);
    if (!existing) {
      this.add(input);
      return "created";
    }
    const next = {
      name: input.name,
      kind: input.kind,
      parentId: input.parentId ?? null,
      address: input.address ?? null,
      deadlineMonths: input.deadlineMonths ?? null,
    };
    assertNoPersonalNumber(next.name, "name", this.s.today);
    if (next.address) assertNoPersonalNumber(next.address, "address", this.s.today);
    assertPrintable(next.name, "name");
    assertPrintable(next.address, "address");
    const same =
      existing.name === next.name &&
      existing.kind === next.kind &&
      existing.parentId === next.parentId &&
      existing.address === next.address &&
      existing.deadlineMonths === next.deadlineMonths;
    if (same) return "unchanged";
    this.s.db
      .prepare("UPDATE orgs SET name = ?, kind = ?, parent_id = ?, address = ?, deadline_months = ? WHERE id = ?")
      .run(next.name, next.kind, next.parentId, next.address, next.deadlineMonths, input.id);
    this.s.audit.record("org.update", null, { org: input.id });
    return "updated";
  }

  /**
   * Names the organisation that receives `id`'s deviations by post (null: its own address); call inside
   * `store.write`. The recipient must be in the directory and must not itself pass deviations on.
   */
  setDeviationRecipient(id: string, recipientId: string | null): "updated" | "unchanged" {
    const org = this.require(id);
    const recipient = recipientId === null ? null : this.require(recipientId);
    if (recipient && recipient.id === org.id) throw new RefusedError("error.recipientSelf", { id: org.id });
    if (recipient?.deviationRecipientId && recipient.deviationRecipientId !== recipient.id) {
      throw new RefusedError("error.recipientChain", { recipient: recipient.id, next: recipient.deviationRecipientId });
    }
    if ((org.deviationRecipientId ?? null) === (recipient?.id ?? null)) return "unchanged";
    this.s.db.prepare("UPDATE orgs SET deviation_recipient_id = ? WHERE id = ?").run(recipient?.id ?? null, org.id);
    this.s.audit.record("org.update", null, { org: org.id, deviationRecipient: recipient?.id ?? null });
    return "updated";
  }

  /** Changes our own organisation's name or postal address (sender details on letters); call inside `store.write`. */
  updateSelf(changes: { name?: string; address?: string | null }): void {
    const self = this.self();
    assertPrintable(changes.name, "org.name");
    assertPrintable(changes.address, "org.address");
    if (changes.name !== undefined) this.s.db.prepare("UPDATE orgs SET name = ? WHERE id = ?").run(changes.name, self.id);
    if (changes.address !== undefined) this.s.db.prepare("UPDATE orgs SET address = ? WHERE id = ?").run(changes.address, self.id);
  }
}
