import type { Command } from "commander";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ORG_KINDS, ROLES, codeFromWord, codesWithWords, foldWord, type OrgKind, type Role } from "../../core/codes.js";
import { FailedError, NotFoundError, UsageError, systemReason } from "../../core/errors.js";
import type { Org } from "../../core/types.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { FIXTURES_DIR } from "../../paths.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { requireFlags, MAX_SHORT_TEXT, parseCodeFlag, parseDeadlineMonths, parseText } from "../parse.js";
import { parseAddress } from "./init.js";

export function parseOrgId(flag: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(v)) throw new UsageError("usage.badCode", { flag, value, allowed: "a-z 0-9 . _ -" });
  return v;
}

export function registerOrg(program: Command, t: Translate): void {
  const org = program.command("org").description(t("help.org"));
  org
    .command("add")
    .description(t("help.org.add"))
    .option("--id <id>", t("flag.newOrgId"))
    .option("--name <name>", t("flag.name"))
    .option("--kind <kind>", `${t("flag.orgKind")}: ${codesWithWords(ORG_KINDS, "|")}`)
    .option("--parent <id>", t("flag.parent"))
    .option("--address <text>", t("flag.address"))
    .option("--deadline-months <n>", t("flag.orgDeadline"))
    .option("--deviation-recipient <id>", t("flag.deviationRecipient"))
    .option("--json", t("help.json"))
    .action(action(add));
  org
    .command("update")
    .description(t("help.org.update"))
    .argument("<id>", t("flag.orgRef"))
    .option("--deviation-recipient <id>", t("flag.deviationRecipientOrNone"))
    .option("--json", t("help.json"))
    .action(action(update));
  org.command("list").description(t("help.org.list")).option("--json", t("help.json")).action(action(list));
  org
    .command("import")
    .description(t("help.org.import"))
    .argument("<name|file>", t("flag.directory"))
    .option("--json", t("help.json"))
    .action(action(importDirectory));
}

interface AddOptions {
  id?: string;
  name?: string;
  kind?: string;
  parent?: string;
  address?: string;
  deadlineMonths?: string;
  deviationRecipient?: string;
}

async function add(ctx: Context, o: AddOptions): Promise<void> {
  requireFlags(o as Record<string, unknown>, [["id", "--id"], ["name", "--name"], ...(o.parent ? [] : ([["kind", "--kind"]] as Array<[string, string]>))]);
  const id = parseOrgId("--id", o.id!);
  const name = parseText("--name", o.name!, MAX_SHORT_TEXT);
  const deadlineMonths = o.deadlineMonths ? parseDeadlineMonths("--deadline-months", o.deadlineMonths) : null;
  const address = o.address ? parseAddress(o.address) : null;
  const store = await ctx.store();
  const parent = o.parent ? store.orgs.require(parseOrgId("--parent", o.parent)) : undefined;
  if (!o.kind && !parent) throw new UsageError("usage.missingFlag", { flag: "--kind" });
  const kind: OrgKind = o.kind ? parseCodeFlag("--kind", ORG_KINDS, o.kind) : parent!.kind;
  const recipient = o.deviationRecipient ? parseOrgId("--deviation-recipient", o.deviationRecipient) : null;
  const created = store.write(() => {
    store.orgs.add({ id, name, kind, parentId: parent?.id ?? null, address, deadlineMonths });
    if (recipient) store.orgs.setDeviationRecipient(id, recipient);
    return store.orgs.require(id);
  });
  ctx.out.result(created, () => ctx.out.line(ctx.t("org.added", { id, name })));
}

/** `org update ID --deviation-recipient ID|none`: where the organisation's deviations go by post. */
async function update(ctx: Context, o: { deviationRecipient?: string }, idText: string): Promise<void> {
  if (o.deviationRecipient === undefined) throw new UsageError("usage.missingFlag", { flag: "--deviation-recipient" });
  const id = parseOrgId("<id>", idText);
  const none = /^(none|ingen|-)$/i.test(o.deviationRecipient.trim());
  const recipient = none ? null : parseOrgId("--deviation-recipient", o.deviationRecipient);
  const store = await ctx.store();
  const result = store.write(() => store.orgs.setDeviationRecipient(id, recipient));
  const org = store.orgs.require(id);
  ctx.out.result({ ...org, result }, () =>
    ctx.out.line(
      recipient
        ? ctx.t("org.recipientSet", { id, recipient: `${store.orgs.require(recipient).name} (${recipient})` })
        : ctx.t("org.recipientCleared", { id }),
    ),
  );
}

async function list(ctx: Context): Promise<void> {
  const store = await ctx.store();
  const orgs = store.orgs.list();
  ctx.out.result(orgs, () => printOrgs(ctx, orgs));
}

function printOrgs(ctx: Context, orgs: Org[]): void {
  const t = ctx.t;
  ctx.out.table(
    [{ header: t("org.col.id") }, { header: t("org.col.name"), max: 50 }, { header: t("org.col.kind") }, { header: t("org.col.parent") }, { header: t("org.col.deadline"), align: "right" }],
    orgs.map((o) => [
      o.parentId ? `  ${o.id}` : o.id,
      o.self ? `${o.name} ${t("org.self")}` : o.name,
      t(`orgKind.${o.kind}` as MessageKey),
      o.parentId ?? "",
      o.deadlineMonths ? t("org.months", { n: o.deadlineMonths }) : "",
    ]),
  );
}

/** A directory file: organisations with their units and contacts. */
interface DirectoryFile {
  name?: string;
  orgs: Array<{
    id: string;
    name: string;
    kind: string;
    parent?: string;
    address?: string | string[];
    deadlineMonths?: number;
    /** The organisation that receives this one's deviations by post (an id in the file or the register). */
    deviationRecipient?: string;
    contacts?: Array<{ role: string; name: string; email: string }>;
  }>;
}

/** A directory file larger than this is refused before it is read (a directory of every provider fits easily). */
const MAX_DIRECTORY_BYTES = 5 * 1024 * 1024;

const ORG_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/** The built-in directories (fixtures/directory/*.json) by name: ostergotland, vastra-gotaland. */
export function builtinDirectories(): string[] {
  try {
    return readdirSync(join(FIXTURES_DIR, "directory"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** A built-in directory's name as typed (any case, with or without å/ä/ö, space or hyphen), else a file. */
function directoryFile(nameOrFile: string, cwd: string): string {
  const builtin = builtinDirectories();
  const folded = foldWord(nameOrFile);
  const named = builtin.find((b) => foldWord(b) === folded);
  if (named) return join(FIXTURES_DIR, "directory", `${named}.json`);
  // A bare word that is neither a built-in name nor an existing file: say which names exist.
  if (!/[/.]/.test(nameOrFile) && !existsSync(resolve(cwd, nameOrFile))) {
    throw new NotFoundError("error.directoryUnknown", { name: nameOrFile, builtin: builtin.join(", ") });
  }
  return nameOrFile;
}

/** A named directory (fixtures/directory/NAME.json) or a file, relative to `cwd`; `file` is as given (for messages). */
function readDirectory(nameOrFile: string, cwd: string): { file: string; data: DirectoryFile } {
  const file = directoryFile(nameOrFile, cwd);
  let data: DirectoryFile;
  try {
    // Only a regular file of sensible size: not a device (/dev/zero), a pipe or a huge file.
    const path = resolve(cwd, file);
    const st = statSync(path);
    if (!st.isFile()) throw new Error("ingen vanlig fil");
    if (st.size > MAX_DIRECTORY_BYTES) throw new Error(`större än ${MAX_DIRECTORY_BYTES / 1024 / 1024} MB`);
    data = JSON.parse(readFileSync(path, "utf8")) as DirectoryFile;
  } catch (e) {
    throw new FailedError("error.directoryFile", { file, reason: systemReason(e, { path: file }) });
  }
  if (!data || !Array.isArray(data.orgs)) throw new FailedError("error.directoryFile", { file, reason: "'orgs' saknas" });
  // Everything is checked before anything is written: a bad entry refuses the whole file.
  const text = (v: unknown, max: number) => typeof v === "string" && v.trim().length > 0 && v.length <= max && !CONTROL.test(v);
  data.orgs.forEach((o, i) => {
    const where = `orgs[${i}]`;
    const bad = (what: string) => new FailedError("error.directoryFile", { file, reason: `${where}: ${what}` });
    if (!o || typeof o !== "object") throw bad("ingen organisation");
    if (typeof o.id !== "string" || typeof o.name !== "string") throw bad("id och name krävs");
    if (!ORG_ID.test(o.id)) throw bad(`id '${o.id.slice(0, 80)}' (tillåtet: a-z 0-9 . _ -)`);
    if (!text(o.name, MAX_SHORT_TEXT)) throw bad("name är tomt, för långt eller har styrtecken");
    const kind = typeof o.kind === "string" ? codeFromWord(ORG_KINDS, o.kind) : undefined;
    if (!kind) throw bad(`kind '${String(o.kind).slice(0, 40)}'`);
    o.kind = kind;
    if (o.parent !== undefined && (typeof o.parent !== "string" || !ORG_ID.test(o.parent))) throw bad("parent");
    const address = Array.isArray(o.address) ? o.address.join("\n") : o.address;
    if (address !== undefined && !text(address, 500)) throw bad("address");
    if (o.deviationRecipient !== undefined && (typeof o.deviationRecipient !== "string" || !ORG_ID.test(o.deviationRecipient))) throw bad("deviationRecipient");
    if (o.deadlineMonths !== undefined && !(Number.isInteger(o.deadlineMonths) && o.deadlineMonths > 0 && o.deadlineMonths <= 120)) throw bad("deadlineMonths");
    if (o.contacts !== undefined && !Array.isArray(o.contacts)) throw bad("contacts");
    for (const c of o.contacts ?? []) {
      const role = c && typeof c.role === "string" ? codeFromWord(ROLES, c.role) : undefined;
      if (!role) throw bad(`role '${String(c?.role).slice(0, 40)}'`);
      c.role = role;
      if (!text(c.name, MAX_SHORT_TEXT)) throw bad("contacts: name");
      if (typeof c.email !== "string" || c.email.length > 254 || !EMAIL.test(c.email)) throw bad(`contacts: email '${String(c.email).slice(0, 80)}'`);
    }
  });
  return { file, data };
}

async function importDirectory(ctx: Context, _o: unknown, nameOrFile: string): Promise<void> {
  const { data } = readDirectory(nameOrFile, ctx.io.cwd);
  const store = await ctx.store();
  const counts = { created: 0, updated: 0, unchanged: 0, contacts: 0 };
  const results = new Map<string, "created" | "updated" | "unchanged">();
  store.write(() => {
    for (const o of data.orgs) {
      const address = Array.isArray(o.address) ? o.address.join("\n") : (o.address ?? null);
      const r = store.orgs.upsert({ id: o.id, name: o.name, kind: o.kind as OrgKind, parentId: o.parent ?? null, address, deadlineMonths: o.deadlineMonths ?? null });
      counts[r]++;
      results.set(o.id, r);
      for (const c of o.contacts ?? []) {
        if (store.contacts.ensure({ orgId: o.id, role: c.role as Role, name: c.name, email: c.email }) === "created") counts.contacts++;
      }
    }
    // Recipients after every organisation of the file is there (a region names one of its own units).
    for (const o of data.orgs) {
      if (o.deviationRecipient === undefined) continue;
      if (store.orgs.setDeviationRecipient(o.id, o.deviationRecipient) === "updated" && results.get(o.id) === "unchanged") {
        counts.unchanged--;
        counts.updated++;
      }
    }
  });
  const name = data.name ?? nameOrFile;
  ctx.out.result({ name, ...counts }, () => ctx.out.line(ctx.t("org.imported", { name, ...counts })));
}
