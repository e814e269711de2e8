// `avvik org key import ORG_ID FILE [--replace]`: a counterpart's public key, recorded as trusted.

import type { Command } from "commander";
import type { Translate } from "../../../../i18n/index.js";
import { action } from "../../../command.js";
import type { Context } from "../../../context.js";
import { examples } from "../../../help.js";
import { importOrgKey } from "../../../../app/org/key.js";
import { UsageError } from "../../../../core/errors.js";
import { parseOrgId } from "../../../parse.js";

export function registerOrgKeyImport(group: Command, t: Translate): void {
  const cmd = group
    .command("import")
    .description(t("help.org.key.import"))
    .argument("<org-id>", t("flag.keyOrg"))
    .argument("<file>", t("flag.keyFile"))
    .option("--replace", t("flag.keyReplace"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.orgKey.import", run: "avvik org key import region-ostergotland region-ostergotland.avvik-key" },
    { say: "ex.orgKey.replace", run: "avvik org key import region-ostergotland ny-nyckel.avvik-key --replace" },
  ]);
}

async function run(ctx: Context, o: { replace?: boolean }, orgArg: string, fileArg: string): Promise<void> {
  const orgId = parseOrgId("ORG_ID", orgArg);
  if (!fileArg.trim()) throw new UsageError("usage.missingArgument", { name: "FILE", command: "org key import" });
  const r = await importOrgKey(await ctx.store(), orgId, ctx.path(fileArg), o.replace === true);
  ctx.out.result({ orgId, fingerprint: r.fingerprint, status: r.status, previous: r.previous }, () => {
    const key = r.status === "imported" ? "orgKey.imported" : r.status === "replaced" ? "orgKey.replaced" : "orgKey.unchanged";
    ctx.out.line(ctx.t(key, { id: orgId, name: r.name, fingerprint: r.fingerprint, previous: r.previous ?? "" }));
  });
}
