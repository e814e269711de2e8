import type { OrgKind } from "../core/codes.js";
import { nearest } from "../core/suggest.js";
import { NotFoundError, RefusedError } from "../core/errors.js";
import { assertNoPersonalNumber } from "../core/guard.js";
import { assertPrintable } from "../core/printable.js";
import type { Org } from "../core/types.js";
import type { AuditRepo } from "./audit.js";
import type { Clock, Sql } from "./sql.js";

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
  constructor(
    private readonly db: Sql,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
    private readonly home: string,
  ) {}

  async get(id: string): Promise<Org | undefined> {
    const r = (await this.db.get("SELECT * FROM orgs WHERE id = ?", [id])) as OrgRow | undefined;
    return r && toOrg(r);
  }

  async require(id: string): Promise<Org> {
    const org = (await this.get(id)) ?? (await this.findByName(id));
    if (org) return org;
    // "Menade du 'norrkoping' (Norrköpings kommun)?": the nearest id or name.
    const all = await this.list();
    const near = nearest(id, [...all.map((o) => o.id), ...all.map((o) => o.name)]);
    const found = near === undefined ? undefined : all.find((o) => o.id === near || o.name === near);
    if (found) throw new NotFoundError("error.orgNotFoundSuggest", { id, suggestion: found.id, name: found.name });
    throw new NotFoundError("error.orgNotFound", { id });
  }

  /** Case-insensitive exact name match, used when a CSV names an organisation instead of its id. */
  async findByName(name: string): Promise<Org | undefined> {
    const r = (await this.db.get("SELECT * FROM orgs WHERE lower(name) = lower(CAST(? AS text))", [name.trim()])) as OrgRow | undefined;
    return r && toOrg(r);
  }

  async self(): Promise<Org> {
    const r = (await this.db.get("SELECT * FROM orgs WHERE is_self = 1")) as OrgRow | undefined;
    if (!r) throw new NotFoundError("error.notInitialised", { home: this.home });
    return toOrg(r);
  }

  async list(): Promise<Org[]> {
    // Our own organisation and its units first, then every other organisation followed by its units.
    const rows = (await this.db.all(`SELECT o.* FROM orgs o
         ORDER BY COALESCE(o.parent_id, o.id) <> (SELECT id FROM orgs WHERE is_self = 1 LIMIT 1),
                  COALESCE(o.parent_id, o.id), o.parent_id IS NOT NULL, o.name`)) as OrgRow[];
    return rows.map(toOrg);
  }

  async unitsOf(parentId: string): Promise<Org[]> {
    const rows = (await this.db.all("SELECT * FROM orgs WHERE parent_id = ? ORDER BY name", [parentId])) as OrgRow[];
    return rows.map(toOrg);
  }

  /** The top-level organisation a unit belongs to (itself when it has no parent). */
  async topOf(org: Org): Promise<Org> {
    let current = org;
    for (let i = 0; i < 10 && current.parentId; i++) {
      const parent = await this.get(current.parentId);
      if (!parent) break;
      current = parent;
    }
    return current;
  }

  /** Adds an organisation; call inside `store.write`. Refuses a duplicate id. */
  async add(input: OrgInput, self = false): Promise<Org> {
    // Organisation names and addresses go on letters and in the public register: never a personnummer.
    assertNoPersonalNumber(input.name, "--name", this.clock.today);
    if (input.address) assertNoPersonalNumber(input.address, "--address", this.clock.today);
    assertPrintable(input.name, "--name");
    assertPrintable(input.address, "--address");
    if (await this.get(input.id)) throw new RefusedError("error.orgExists", { id: input.id });
    if (input.parentId && !(await this.get(input.parentId))) throw new NotFoundError("error.orgNotFound", { id: input.parentId });
    (await this.db.run(`INSERT INTO orgs (id, name, kind, parent_id, address, deadline_months, is_self, created_at)
         VALUES (@id, @name, @kind, @parent_id, @address, @deadline_months, @is_self, @created_at)`, {
        id: input.id,
        name: input.name,
        kind: input.kind,
        parent_id: input.parentId ?? null,
        address: input.address ?? null,
        deadline_months: input.deadlineMonths ?? null,
        is_self: self ? 1 : 0,
        created_at: this.clock.now,
      }));
    await this.audit.record("org.add", null, { org: input.id, name: input.name, kind: input.kind, parent: input.parentId ?? null });
    return (await this.get(input.id))!;
  }

  /** Inserts or updates (for loading a directory file); returns whether anything changed. */
  async upsert(input: OrgInput): Promise<"created" | "updated" | "unchanged"> {
    const existing = await this.get(input.id);
    if (!existing) {
      await this.add(input);
      return "created";
    }
    const next = {
      name: input.name,
      kind: input.kind,
      parentId: input.parentId ?? null,
      address: input.address ?? null,
      deadlineMonths: input.deadlineMonths ?? null,
    };
    assertNoPersonalNumber(next.name, "name", this.clock.today);
    if (next.address) assertNoPersonalNumber(next.address, "address", this.clock.today);
    assertPrintable(next.name, "name");
    assertPrintable(next.address, "address");
    const same =
      existing.name === next.name &&
      existing.kind === next.kind &&
      existing.parentId === next.parentId &&
      existing.address === next.address &&
      existing.deadlineMonths === next.deadlineMonths;
    if (same) return "unchanged";
    await this.db.run("UPDATE orgs SET name = ?, kind = ?, parent_id = ?, address = ?, deadline_months = ? WHERE id = ?", [next.name, next.kind, next.parentId, next.address, next.deadlineMonths, input.id]);
    await this.audit.record("org.update", null, { org: input.id });
    return "updated";
  }

  /**
   * Names the organisation that receives `id`'s deviations by post (null: its own address); call inside
   * `store.write`. The recipient must be in the directory and must not itself pass deviations on.
   */
  async setDeviationRecipient(id: string, recipientId: string | null): Promise<"updated" | "unchanged"> {
    const org = await this.require(id);
    const recipient = recipientId === null ? null : await this.require(recipientId);
    if (recipient && recipient.id === org.id) throw new RefusedError("error.recipientSelf", { id: org.id });
    if (recipient?.deviationRecipientId && recipient.deviationRecipientId !== recipient.id) {
      throw new RefusedError("error.recipientChain", { recipient: recipient.id, next: recipient.deviationRecipientId });
    }
    if ((org.deviationRecipientId ?? null) === (recipient?.id ?? null)) return "unchanged";
    await this.db.run("UPDATE orgs SET deviation_recipient_id = ? WHERE id = ?", [recipient?.id ?? null, org.id]);
    await this.audit.record("org.update", null, { org: org.id, deviationRecipient: recipient?.id ?? null });
    return "updated";
  }

  /** Changes our own organisation's name or postal address (sender details on letters); call inside `store.write`. */
  async updateSelf(changes: { name?: string; address?: string | null }): Promise<void> {
    const self = await this.self();
    assertPrintable(changes.name, "org.name");
    assertPrintable(changes.address, "org.address");
    if (changes.name !== undefined) await this.db.run("UPDATE orgs SET name = ? WHERE id = ?", [changes.name, self.id]);
    if (changes.address !== undefined) await this.db.run("UPDATE orgs SET address = ? WHERE id = ?", [changes.address, self.id]);
  }
}
