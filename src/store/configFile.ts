// The organisation's settings that live outside the register: `<home>/config.json` (language, and the
// keys other areas add, e.g. the SMTP settings the mail area reads). Nested JSON, keys as dotted paths:
// "smtp.host" is { "smtp": { "host": … } }. Only node:fs here: the language is read at every start-up.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./outputFile.js";

export const CONFIG_FILE = "config.json";

export type ConfigValue = string | number | boolean;
export type ConfigTree = { [key: string]: ConfigValue | ConfigTree };

export function configFilePath(home: string): string {
  return join(home, CONFIG_FILE);
}

/** Reads the file; `{}` when it does not exist. A malformed file throws (callers that must not fail use `tryReadConfigFile`). */
export function readConfigFile(home: string): ConfigTree {
  const file = configFilePath(home);
  if (!existsSync(file)) return {};
  const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error(`${file}: not a JSON object`);
  return data as ConfigTree;
}

export function tryReadConfigFile(home: string): ConfigTree {
  try {
    return readConfigFile(home);
  } catch {
    return {};
  }
}

export function getPath(tree: ConfigTree, path: string): ConfigValue | undefined {
  let node: ConfigValue | ConfigTree | undefined = tree;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as ConfigTree)[part];
  }
  return typeof node === "object" ? undefined : node;
}

export function setPath(tree: ConfigTree, path: string, value: ConfigValue): ConfigTree {
  const parts = path.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as ConfigTree;
  }
  node[parts[parts.length - 1]!] = value;
  return tree;
}

/** Writes the whole file atomically (temporary file, then rename), readable by the owner only. */
export function writeConfigFile(home: string, tree: ConfigTree): void {
  const file = configFilePath(home);
  writeFileAtomic(file, `${JSON.stringify(tree, null, 2)}\n`, 0o600);
}
