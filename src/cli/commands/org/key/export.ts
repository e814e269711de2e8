// `avvik org key export [-o FILE]`: our public key, for the counterparts to import.

import type { Command } from "commander";
import type { Translate } from "../../../../i18n/index.js";
import { action } from "../../../command.js";
import type { Context } from "../../../context.js";
import { examples } from "../../../help.js";
import { ourPublicKey } from "../../../../app/org/key.js";
import { outputFile } from "../../../outputs.js";

export function registerOrgKeyExport(group: Command, t: Translate): void {
  const cmd = group
    .command("export")
    .description(t("help.org.key.export"))
    .option("-o, --output <file>", t("flag.keyOutput"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.orgKey.export", run: "avvik org key export -o linkoping.avvik-key" },
    { say: "ex.orgKey.exportShow", run: "avvik org key export --json" },
  ]);
}

async function run(ctx: Context, o: { output?: string }): Promise<void> {
  const store = await ctx.store();
  // Checked first: never into the data directory (src/store/outputFile.ts).
  const target = o.output !== undefined && o.output !== "-" ? outputFile(ctx, o.output, { flag: "-o" }) : undefined;
  const key = await ourPublicKey(store);
  const file = target?.path;
  target?.write(Buffer.from(key.text));
  ctx.out.result({ orgId: key.orgId, publicKey: key.publicKey, fingerprint: key.fingerprint, ...(file ? { file } : {}) }, () => {
    if (file) ctx.out.line(ctx.t("orgKey.exported", { file, fingerprint: key.fingerprint }));
    else ctx.out.line(key.text.trimEnd());
  });
}
