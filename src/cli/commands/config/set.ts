// `avvik config set KEY VALUE`: a setting stored where it lives, audited.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { setSetting } from "../../../app/config/set.js";
import { UsageError } from "../../../core/errors.js";
import { configFilePath } from "../../../store/configFile.js";
import { displayValue, resolveValue } from "../../config.js";
import { inputs, requireKey, row, sourceText } from "./shared.js";

export function registerConfigSet(group: Command, t: Translate): void {
  const cmd = group
    .command("set")
    .description(t("help.config.set"))
    .argument("<key>", t("flag.configKey"))
    .argument("<value>", t("flag.configValue"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.config.set", run: 'avvik config set diary.format "VOK {year}-{seq}"' },
    { say: "ex.config.setAddress", run: 'avvik config set org.address "Linköpings kommun|Registraturen|581 81 Linköping"' },
    { say: "ex.config.setDeadline", run: "avvik config set deadline.months 3" },
  ]);
}

async function run(ctx: Context, _o: unknown, key: string, text: string): Promise<void> {
  const k = requireKey(key);
  const storage = k.storage;
  if (storage.in === "runtime") throw new UsageError("config.error.readOnly", { key: k.key, how: [k.flag, k.env].filter(Boolean).join(ctx.t("config.or")) });
  const value = k.parse ? k.parse(text, ctx.t, k.key) : text;
  await setSetting(await ctx.store(), ctx.home, { key: k.key, storage, value, secret: k.secret === true, check: k.check });
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const r = resolveValue(k, i);
  ctx.out.result(row(ctx, k, r), () => {
    ctx.out.line(ctx.t("config.set", { key: k.key, value: displayValue(k, value), where: storage.in === "file" ? configFilePath(ctx.home) : ctx.t("config.source.register") }));
    if (r.source === "environment" || r.source === "flag") ctx.out.warn(ctx.t("config.overridden", { key: k.key, source: sourceText(ctx.t, r) }));
  });
}
