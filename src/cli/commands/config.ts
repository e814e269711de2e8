// `avvik config list|get|set`: the organisation's settings, from the registry in src/cli/config.ts.

import { nearest } from "../../core/suggest.js";
import type { Command } from "commander";
import { FailedError, UsageError } from "../../core/errors.js";
import type { MessageKey, Translate } from "../../i18n/index.js";
import { configFilePath, readConfigFile, setPath, writeConfigFile, type ConfigTree } from "../../store/configFile.js";
import type { Store } from "../../store/store.js";
import { action } from "../command.js";
import { CONFIG_KEYS, displayValue, findKey, resolveValue, type ConfigInputs, type ConfigKey, type ResolvedValue } from "../config.js";
import type { Context, GlobalOptions } from "../context.js";

export function registerConfig(program: Command, t: Translate): void {
  const config = program.command("config").description(t("help.config"));
  config.command("list").description(t("help.config.list")).option("--json", t("help.json")).action(action(list));
  config.command("get").description(t("help.config.get")).argument("<key>", t("flag.configKey")).option("--json", t("help.json")).action(action(get));
  config
    .command("set")
    .description(t("help.config.set"))
    .argument("<key>", t("flag.configKey"))
    .argument("<value>", t("flag.configValue"))
    .option("--json", t("help.json"))
    .action(action(set));
}

function readFile(ctx: Context): ConfigTree {
  try {
    return readConfigFile(ctx.home);
  } catch (e) {
    throw new FailedError("config.error.badFile", { file: configFilePath(ctx.home), reason: e instanceof Error ? e.message.split("\n")[0]! : String(e) });
  }
}

async function inputs(ctx: Context, flags: GlobalOptions): Promise<{ inputs: ConfigInputs; store?: Store }> {
  const { Store } = await import("../../store/store.js");
  const store = Store.exists(ctx.home) ? await ctx.store() : undefined;
  return {
    store,
    inputs: {
      home: ctx.home,
      env: ctx.env,
      flags: { home: flags.home, as: flags.as, lang: flags.lang },
      file: readFile(ctx),
      register: store && {
        setting: (key) => store.settings.get(key),
        org: (field) => store.orgs.self()[field],
      },
    },
  };
}

function row(ctx: Context, k: ConfigKey, r: ResolvedValue) {
  return { key: k.key, value: k.secret && r.value !== null ? "***" : r.value, source: r.source, storedIn: r.storedIn, env: r.env ?? null, flag: r.flag ?? null, description: ctx.t(k.describe) };
}

function sourceText(t: Translate, r: ResolvedValue): string {
  const name = t(`config.source.${r.source}` as MessageKey);
  if (r.source === "environment" && r.env) return `${name} (${r.env})`;
  if (r.source === "flag" && r.flag) return `${name} (${r.flag})`;
  return name;
}

async function list(ctx: Context, _o: unknown): Promise<void> {
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const rows = CONFIG_KEYS.map((k) => ({ k, r: resolveValue(k, i) }));
  ctx.out.result(
    rows.map(({ k, r }) => row(ctx, k, r)),
    () =>
      ctx.out.table(
        [{ header: ctx.t("config.col.key") }, { header: ctx.t("config.col.value"), max: 48 }, { header: ctx.t("config.col.source") }, { header: ctx.t("config.col.description"), max: 60 }],
        rows.map(({ k, r }) => [k.key, displayValue(k, r.value), sourceText(ctx.t, r), ctx.t(k.describe)]),
      ),
  );
}

function requireKey(key: string): ConfigKey {
  const k = findKey(key.trim());
  if (!k) {
    const suggestion = nearest(key, CONFIG_KEYS.map((c) => c.key));
    if (suggestion) throw new UsageError("config.error.unknownKeySuggest", { key, suggestion });
    throw new UsageError("config.error.unknownKey", { key, keys: CONFIG_KEYS.map((c) => c.key).join(", ") });
  }
  return k;
}

async function get(ctx: Context, _o: unknown, key: string): Promise<void> {
  const k = requireKey(key);
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const r = resolveValue(k, i);
  ctx.out.result(row(ctx, k, r), () => {
    ctx.out.line(displayValue(k, r.value));
    ctx.out.info(ctx.t("config.from", { source: sourceText(ctx.t, r) }));
  });
}

async function set(ctx: Context, _o: unknown, key: string, text: string): Promise<void> {
  const k = requireKey(key);
  if (k.storage.in === "runtime") throw new UsageError("config.error.readOnly", { key: k.key, how: [k.flag, k.env].filter(Boolean).join(ctx.t("config.or")) });
  const value = k.parse ? k.parse(text, ctx.t, k.key) : text;
  const store = await ctx.store();
  const storage = k.storage;
  const file = storage.in === "file" ? readFile(ctx) : undefined;
  store.write(() => {
    if (storage.in === "register") store.settings.set(storage.key, String(value));
    else if (storage.in === "org") store.orgs.updateSelf({ [storage.field]: String(value) });
    store.audit.record("config.set", null, { key: k.key, ...(k.secret ? {} : { value }) });
    // The file is written last, inside the transaction: if writing fails, the audit event is rolled back too.
    if (storage.in === "file") writeConfigFile(ctx.home, setPath(file!, storage.path, value));
  });
  const { inputs: i } = await inputs(ctx, ctx.flags);
  const r = resolveValue(k, i);
  ctx.out.result(row(ctx, k, r), () => {
    ctx.out.line(ctx.t("config.set", { key: k.key, value: displayValue(k, value), where: storage.in === "file" ? configFilePath(ctx.home) : ctx.t("config.source.register") }));
    if (r.source === "environment" || r.source === "flag") ctx.out.warn(ctx.t("config.overridden", { key: k.key, source: sourceText(ctx.t, r) }));
  });
}
