// The organisation's settings in one registry: what each key is, its type and default, how a value is
// checked, and where it is stored (the register's settings table, our own organisation's row, or
// <home>/config.json). `avvik config list|get|set` and other commands resolve values through it:
//   flag > environment > file or register > default.
//
// ADDING A KEY (other areas): append one entry to CONFIG_KEYS below and add its `config.key.*` description to
// src/i18n/sv.ts and en.ts. Use `storage: { in: "register", key }` for settings that belong to the register
// (backed up with it), `{ in: "file", path }` for settings of this installation (SMTP: the mail area reads
// <home>/config.json itself, see src/store/configFile.ts). Examples for the areas still to come are at the end.

import { userInfo } from "node:os";
import { join } from "node:path";
import { DEFAULT_DEADLINE_MONTHS } from "../core/deadline.js";
import { DEFAULT_DIARY_FORMAT, DiaryTemplate } from "../core/diaryNumber.js";
import { UsageError } from "../core/errors.js";
import type { MessageKey, Translate } from "../i18n/index.js";
import { getPath, type ConfigTree, type ConfigValue } from "../store/configFile.js";
import type { Store } from "../store/store.js";
import { normaliseClassCode } from "../core/classification.js";
import { DEFAULT_EVENT_ANALYSIS_THRESHOLD } from "../core/risk.js";
import { defaultHome } from "./context.js";
import { MAX_SHORT_TEXT, parseText } from "./parse.js";

export type ConfigSource = "flag" | "environment" | "file" | "register" | "default";


import type { Storage } from "../app/config/set.js";

export interface ConfigKey {
  key: string;
  describe: MessageKey;
  storage: Storage;
  /** Environment variable that overrides the stored value. */
  env?: string;
  /** Global flag that overrides everything (only the global flags --home, --as, --lang). */
  flag?: "--home" | "--as" | "--lang";
  /** The value when nothing else says (a function for computed defaults). */
  default?: ConfigValue | ((home: string, env: NodeJS.ProcessEnv) => ConfigValue);
  /** Checks and converts what the user typed; throws UsageError (exit 2) naming the key. */
  parse?: (text: string, t: Translate, key: string) => ConfigValue;
  /** Values offered by shell completion. */
  values?: readonly string[];
  /** Never echo the value (stored values are shown as ***). */
  secret?: boolean;
  /** Checks a value against the register when it is set (inside the write); throws to refuse it. */
  check?: (value: ConfigValue, store: Store) => Promise<void>;
}

function bad(key: string, value: string, why: string): never {
  throw new UsageError("config.error.badValue", { key, value, why });
}

export const parsers = {
  int(min: number, max: number) {
    return (text: string, t: Translate, key: string): number => {
      const v = text.trim();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) bad(key, text, t("config.why.int", { min, max }));
      return Number(v);
    };
  },
  oneOf(values: readonly string[]) {
    return (text: string, t: Translate, key: string): string => {
      const v = text.trim().toLowerCase();
      if (!values.includes(v)) bad(key, text, t("config.why.oneOf", { values: values.join(", ") }));
      return v;
    };
  },
  bool(text: string, t: Translate, key: string): boolean {
    const v = text.trim().toLowerCase();
    if (["true", "ja", "yes", "1", "on"].includes(v)) return true;
    if (["false", "nej", "no", "0", "off"].includes(v)) return false;
    return bad(key, text, t("config.why.bool"));
  },
  text(max: number) {
    return (text: string, t: Translate, key: string): string => {
      try {
        return parseText(key, text, max);
      } catch {
        return bad(key, text, t("config.why.text", { max }));
      }
    };
  },
  host(text: string, t: Translate, key: string): string {
    const v = text.trim();
    if (!/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/.test(v)) bad(key, text, t("config.why.host"));
    return v;
  },
  envName(text: string, t: Translate, key: string): string {
    const v = text.trim();
    if (!/^[A-Z_][A-Z0-9_]{0,63}$/.test(v)) bad(key, text, t("config.why.envName"));
    return v;
  },
};

function diaryFormat(text: string, t: Translate, key: string): string {
  const parsed = DiaryTemplate.parse(text.trim());
  if (!(parsed instanceof DiaryTemplate)) bad(key, text, t(`error.diaryFormat.${parsed.error}` as MessageKey));
  return (parsed as DiaryTemplate).source;
}

function classCode(text: string, t: Translate, key: string): string {
  const code = normaliseClassCode(text);
  if (!code) bad(key, text, t("config.why.classCode"));
  return code!;
}

function address(text: string, t: Translate, key: string): string {
  const lines = text
    .split(/\||\\n|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length || lines.length > 8 || lines.join("\n").length > 500) bad(key, text, t("config.why.address"));
  return lines.join("\n");
}

export const CONFIG_KEYS: ConfigKey[] = [
  // --- where and who (read-only: flags and environment) ---
  { key: "home", describe: "config.key.home", storage: { in: "runtime" }, flag: "--home", env: "AVVIK_HOME", default: (_home, env) => defaultHome(env) },
  { key: "user", describe: "config.key.user", storage: { in: "runtime" }, flag: "--as", env: "AVVIK_USER", default: (_home, env) => safeUser(env) },
  { key: "keyFile", describe: "config.key.keyFile", storage: { in: "runtime" }, env: "AVVIK_KEY_FILE", default: (home) => join(home, "key") },
  // --- this installation (<home>/config.json) ---
  { key: "language", describe: "config.key.language", storage: { in: "file", path: "language" }, flag: "--lang", env: "AVVIK_LANG", default: "sv", parse: parsers.oneOf(["sv", "en"]), values: ["sv", "en"] },
  // --- the register ---
  { key: "diary.format", describe: "config.key.diaryFormat", storage: { in: "register", key: "diary_format" }, default: DEFAULT_DIARY_FORMAT, parse: diaryFormat },
  { key: "deadline.months", describe: "config.key.deadlineMonths", storage: { in: "register", key: "deadline_months" }, default: DEFAULT_DEADLINE_MONTHS, parse: parsers.int(1, 36) },
  { key: "org.name", describe: "config.key.orgName", storage: { in: "org", field: "name" }, parse: parsers.text(MAX_SHORT_TEXT) },
  { key: "org.address", describe: "config.key.orgAddress", storage: { in: "org", field: "address" }, parse: address },
  // --- e-mail (<home>/config.json, read by src/mail/config.ts; AVVIK_SMTP_URL overrides the server) ---
  { key: "smtp.host", describe: "config.key.smtpHost", storage: { in: "file", path: "smtp.host" }, parse: parsers.host },
  { key: "smtp.port", describe: "config.key.smtpPort", storage: { in: "file", path: "smtp.port" }, default: 587, parse: parsers.int(1, 65535) },
  { key: "smtp.secure", describe: "config.key.smtpSecure", storage: { in: "file", path: "smtp.secure" }, default: false, parse: parsers.bool, values: ["true", "false"] },
  { key: "smtp.user", describe: "config.key.smtpUser", storage: { in: "file", path: "smtp.user" }, parse: parsers.text(254) },
  { key: "smtp.passwordEnv", describe: "config.key.smtpPasswordEnv", storage: { in: "file", path: "smtp.passwordEnv" }, parse: parsers.envName },
  { key: "mail.from", describe: "config.key.mailFrom", storage: { in: "file", path: "mail.from" }, env: "AVVIK_MAIL_FROM", parse: parsers.text(254) },
  { key: "mail.autoNotify", describe: "config.key.mailAutoNotify", storage: { in: "file", path: "mail.autoNotify" }, default: true, parse: parsers.bool, values: ["true", "false"] },
  // --- summary and retention (the register) ---
  { key: "summary.dueDays", describe: "config.key.summaryDueDays", storage: { in: "register", key: "summary_due_days" }, default: 14, parse: parsers.int(1, 365) },
  { key: "retention.years", describe: "config.key.retentionYears", storage: { in: "register", key: "retention_years" }, parse: parsers.int(1, 100) },
  // --- the register's rules (issue 19) ---
  { key: "risk.eventAnalysisThreshold", describe: "config.key.riskThreshold", storage: { in: "register", key: "risk_event_analysis_threshold" }, default: DEFAULT_EVENT_ANALYSIS_THRESHOLD, parse: parsers.int(1, 16) },
  {
    key: "diary.classification",
    describe: "config.key.diaryClassification",
    storage: { in: "register", key: "diary_classification" },
    parse: classCode,
    check: (value, store) => store.classification.assertKnown(String(value), "diary.classification"),
  },
];

function safeUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? "okänd";
  }
}

export function findKey(key: string): ConfigKey | undefined {
  return CONFIG_KEYS.find((k) => k.key === key);
}

/** What a resolver needs to know; the register is read only when a key stored there is asked for. */
export interface ConfigInputs {
  home: string;
  env: NodeJS.ProcessEnv;
  flags: { home?: string; as?: string; lang?: string };
  file: ConfigTree;
  register?: { setting(key: string): string | undefined; org(field: "name" | "address"): string | null | undefined };
}

export interface ResolvedValue {
  key: string;
  value: ConfigValue | null;
  source: ConfigSource;
  /** Where it is stored when set with `config set` (register, file, org) or "–". */
  storedIn: "register" | "file" | "runtime";
  /** The environment variable or flag that overrides it, if any. */
  env?: string;
  flag?: string;
}

function typed(k: ConfigKey, text: string): ConfigValue {
  if (typeof k.default === "number" && /^\d+$/.test(text)) return Number(text);
  return text;
}

export function resolveValue(k: ConfigKey, i: ConfigInputs): ResolvedValue {
  const base = { key: k.key, storedIn: k.storage.in === "file" ? "file" : k.storage.in === "runtime" ? "runtime" : "register", env: k.env, flag: k.flag } as const;
  const flagName = k.flag?.slice(2) as "home" | "as" | "lang" | undefined;
  if (flagName && i.flags[flagName]) return { ...base, value: i.flags[flagName]!, source: "flag" };
  if (k.env && i.env[k.env]) return { ...base, value: typed(k, i.env[k.env]!), source: "environment" };
  if (k.storage.in === "file") {
    const v = getPath(i.file, k.storage.path);
    if (v !== undefined) return { ...base, value: v, source: "file" };
  } else if (k.storage.in === "register" && i.register) {
    const v = i.register.setting(k.storage.key);
    if (v !== undefined) return { ...base, value: typed(k, v), source: "register" };
  } else if (k.storage.in === "org" && i.register) {
    const v = i.register.org(k.storage.field);
    if (v !== undefined && v !== null) return { ...base, value: v, source: "register" };
  }
  const def = typeof k.default === "function" ? k.default(i.home, i.env) : k.default;
  return { ...base, value: def ?? null, source: "default" };
}

/** A value for display: addresses on one line, secrets hidden. */
export function displayValue(k: ConfigKey, v: ConfigValue | null): string {
  if (v === null) return "–";
  if (k.secret) return "***";
  return String(v).replace(/\n/g, " | ");
}
