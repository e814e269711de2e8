// What `config list`, `get` and `set` share: the inputs a value is resolved from, and a setting's row.

import { storedSettings } from "../../../app/config/values.js";
import { UsageError } from "../../../core/errors.js";
import { nearest } from "../../../core/suggest.js";
import type { MessageKey, Translate } from "../../../i18n/index.js";
import { CONFIG_KEYS, findKey, type ConfigInputs, type ConfigKey, type ResolvedValue } from "../../config.js";
import type { Context, GlobalOptions } from "../../context.js";

export async function inputs(ctx: Context, flags: GlobalOptions): Promise<{ inputs: ConfigInputs }> {
  const stored = await storedSettings(ctx.home, ctx.databaseUrl, () => ctx.store());
  const register = stored.register;
  return {
    inputs: {
      home: ctx.home,
      env: ctx.env,
      flags: { home: flags.home, as: flags.as, lang: flags.lang },
      file: stored.file,
      register: register && {
        setting: (key) => register.settings[key],
        org: (field) => register.org[field],
      },
    },
  };
}

export function row(ctx: Context, k: ConfigKey, r: ResolvedValue) {
  return { key: k.key, value: k.secret && r.value !== null ? "***" : r.value, source: r.source, storedIn: r.storedIn, env: r.env ?? null, flag: r.flag ?? null, description: ctx.t(k.describe) };
}

export function sourceText(t: Translate, r: ResolvedValue): string {
  const name = t(`config.source.${r.source}` as MessageKey);
  if (r.source === "environment" && r.env) return `${name} (${r.env})`;
  if (r.source === "flag" && r.flag) return `${name} (${r.flag})`;
  return name;
}

export function requireKey(key: string): ConfigKey {
  const k = findKey(key.trim());
  if (!k) {
    const suggestion = nearest(key, CONFIG_KEYS.map((c) => c.key));
    if (suggestion) throw new UsageError("config.error.unknownKeySuggest", { key, suggestion });
    throw new UsageError("config.error.unknownKey", { key, keys: CONFIG_KEYS.map((c) => c.key).join(", ") });
  }
  return k;
}
