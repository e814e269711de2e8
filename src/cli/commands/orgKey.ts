// `avvik org key export|import|list`: the public keys that exchange files are signed and verified with
// (CLI.md section 7; format and trust procedure in docs/exchange/signing.md).

import type { Command } from "commander";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { FailedError, NotFoundError, RefusedError, UsageError } from "../../core/errors.js";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { outputFile } from "../outputs.js";
import { parseOrgId } from "./org.js";

/** Adds `key export|import|list` to the `org` group (registered after it). */
export function registerOrgKey(program: Command, t: Translate): void {
  const org = program.commands.find((c) => c.name() === "org") ?? program.command("org").description(t("help.org"));
  const key = org.command("key").description(t("help.org.key"));
  key
    .command("export")
    .description(t("help.org.key.export"))
    .option("-o, --output <file>", t("flag.keyOutput"))
    .option("--json", t("help.json"))
    .action(action(exportKey));
  key
    .command("import")
    .description(t("help.org.key.import"))
    .argument("<org-id>", t("flag.keyOrg"))
    .argument("<file>", t("flag.keyFile"))
    .option("--replace", t("flag.keyReplace"))
    .option("--json", t("help.json"))
    .action(action(importKey));
  key.command("list").description(t("help.org.key.list")).option("--json", t("help.json")).action(action(listKeys));
}

async function exportKey(ctx: Context, o: { output?: string }): Promise<void> {
  const store = await ctx.store();
  // Checked first: never into the data directory (src/store/outputFile.ts).
  const target = o.output !== undefined && o.output !== "-" ? outputFile(ctx, o.output, { flag: "-o" }) : undefined;
  const { ourSigningKey, publicKeyPem, renderKeyFile } = await import("../../exchange/keys.js");
  const key = ourSigningKey(store);
  const self = store.orgs.self();
  const text = renderKeyFile({ orgId: self.id, orgName: self.name, publicKey: key.publicKey, fingerprint: key.fingerprint });
  const file = target?.path;
  target?.write(Buffer.from(text));
  const json = { orgId: self.id, publicKey: publicKeyPem(key.publicKey), fingerprint: key.fingerprint, ...(file ? { file } : {}) };
  ctx.out.result(json, () => {
    if (file) ctx.out.line(ctx.t("orgKey.exported", { file, fingerprint: key.fingerprint }));
    else ctx.out.line(text.trimEnd());
  });
}

/** A small regular file, read whole; the reason in one line when it cannot be. */
function readKeyInput(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new FailedError("orgKey.error.notKeyFile", { file });
    size = st.size;
  } catch (e) {
    if (e instanceof FailedError) throw e;
    throw new NotFoundError("orgKey.error.noFile", { file });
  }
  // Read at most a little more than a key file can be: a device or a huge file is not one.
  const max = 64 * 1024 + 1;
  const buf = Buffer.alloc(Math.min(size, max));
  const fd = openSync(file, "r");
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

async function importKey(ctx: Context, o: { replace?: boolean }, orgArg: string, fileArg: string): Promise<void> {
  const orgId = parseOrgId("ORG_ID", orgArg);
  if (!fileArg.trim()) throw new UsageError("usage.missingArgument", { name: "FILE", command: "org key import" });
  const file = ctx.path(fileArg);
  const data = readKeyInput(file);
  const { parseKeyFile } = await import("../../exchange/keys.js");
  const parsed = parseKeyFile(data);
  if ("problem" in parsed) throw new FailedError(`orgKey.error.${parsed.problem}`, { file });
  const store = await ctx.store();
  const org = store.orgs.get(orgId);
  if (!org) throw new NotFoundError("error.orgNotFound", { id: orgId });
  if (org.self) throw new RefusedError("orgKey.error.self", { id: orgId });
  if (parsed.orgId !== orgId) throw new RefusedError("orgKey.error.otherOrg", { file, theirs: parsed.orgId, id: orgId });
  const outcome = store.write(() => {
    const current = store.orgKeys.get(orgId);
    if (current && current.publicKey.equals(parsed.publicKey)) return { status: "unchanged" as const, previous: current.fingerprint };
    if (current && !o.replace) throw new RefusedError("orgKey.error.differs", { id: orgId, name: org.name, recorded: current.fingerprint, fingerprint: parsed.fingerprint });
    store.orgKeys.set(orgId, parsed.publicKey, parsed.fingerprint);
    return current ? { status: "replaced" as const, previous: current.fingerprint } : { status: "imported" as const, previous: null };
  });
  const result = { orgId, fingerprint: parsed.fingerprint, status: outcome.status, previous: outcome.previous };
  ctx.out.result(result, () => {
    const key = outcome.status === "imported" ? "orgKey.imported" : outcome.status === "replaced" ? "orgKey.replaced" : "orgKey.unchanged";
    ctx.out.line(ctx.t(key, { id: orgId, name: org.name, fingerprint: parsed.fingerprint, previous: outcome.previous ?? "" }));
  });
}

async function listKeys(ctx: Context): Promise<void> {
  const store = await ctx.store();
  const keys = store.orgKeys.list().map((k) => ({ orgId: k.orgId, name: store.orgs.get(k.orgId)?.name ?? k.orgId, fingerprint: k.fingerprint, recordedAt: k.recordedAt, recordedBy: k.recordedBy }));
  ctx.out.result(keys, () => {
    if (keys.length === 0) return ctx.out.line(ctx.t("orgKey.none"));
    const t = ctx.t;
    ctx.out.table(
      [{ header: t("org.col.id") }, { header: t("org.col.name"), max: 40 }, { header: t("orgKey.col.fingerprint") }, { header: t("orgKey.col.recorded") }],
      keys.map((k) => [k.orgId, k.name, k.fingerprint, `${k.recordedAt.slice(0, 10)} ${k.recordedBy}`]),
    );
  });
}
