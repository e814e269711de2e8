// Every message of the catalogue (src/i18n/sv.ts, the source of keys; en.ts has the same keys by its type) is
// used by the code: as a literal key, under a prefix the code completes (`paper.error.${problem}`), or as a
// code's name (`codeName(t, "status", …)` reads `status.<code>`). A key nothing uses is dead text to translate.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sv } from "../../src/i18n/sv.js";
import { ROOT } from "../helpers/cli.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !/[/\\]i18n[/\\](sv|en)\.ts$/.test(path) ? [path] : [];
  });
}

describe("the message catalogue", () => {
  it("has no key that the code never uses", () => {
    const code = sources(join(ROOT, "src")).map((f) => readFileSync(f, "utf8")).join("\n");
    const literals = new Set([...code.matchAll(/["'`]([a-zA-Z][\w.]*)["'`]/g)].map((m) => m[1]!));
    const prefixes = [
      ...[...code.matchAll(/`([a-zA-Z][\w.]*\.)\$\{/g)].map((m) => m[1]!),
      ...[...code.matchAll(/codeName\([^,()]+,\s*"([a-zA-Z]+)"/g)].map((m) => `${m[1]!}.`),
    ];
    expect(prefixes.length).toBeGreaterThan(5);
    const unused = Object.keys(sv).filter((key) => !literals.has(key) && !prefixes.some((p) => key.startsWith(p)));
    expect(unused).toEqual([]);
  });
});
