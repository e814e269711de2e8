// Keeps the layer rules of docs/ARCHITECTURE.md true: a scan of every import in src/ (static, and dynamic
// `import("…")`) against the "may import" table, where the SQL driver and the terminal packages may be
// imported, and that start-up (the static imports reachable from src/cli/main.ts) loads no heavy package.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const SRC = join(ROOT, "src");

/** The "may import" table of docs/ARCHITECTURE.md: area → the other areas of src/ it may import. */
const MAY_IMPORT: Record<string, string[] | "everything"> = {
  core: [],
  i18n: [],
  store: ["core", "root"],
  documents: ["core", "store", "i18n", "root"],
  exchange: ["core", "store", "documents", "i18n", "root"],
  mail: ["core", "store", "i18n", "root"],
  csv: ["core", "store", "i18n", "root"],
  // The e-archive package (ERMS, METS) made from the register.
  archive: ["core", "store", "i18n", "root"],
  // The use cases: each command's work (its transaction) below the command line.
  app: ["core", "store", "documents", "exchange", "mail", "csv", "archive", "i18n", "root"],
  cli: "everything",
  // src/paths.ts and src/runCache.ts: for every area but core; they import nothing of src/.
  root: [],
};

/** Loaded only with `await import()` inside the command that needs them (docs/ARCHITECTURE.md, "Start-up"). */
const HEAVY = ["pdfkit", "tesseract.js", "sharp", "pdf-parse", "pdfjs-dist", "nodemailer", "csv-parse", "csv-stringify", "iconv-lite", "qrcode", "jsqr", "pngjs", "@inquirer/prompts", "cli-progress", "better-sqlite3", "pg"];

interface Import {
  file: string;
  spec: string;
  dynamic: boolean;
  /** `import type …`: erased by the compiler, never loaded. */
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|\s)\/\/.*$/gm, "$1");
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm)) {
    found.push({ file, spec: m[2]!, dynamic: false, typeOnly: m[1] !== undefined });
  }
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']/g)) found.push({ file, spec: m[1]!, dynamic: true, typeOnly: false });
  return found;
}

/** The area of a file in src/: its first folder, or "root" for src/*.ts. */
function areaOf(file: string): string {
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? "root" : parts[0]!;
}

const target = (i: Import) => resolve(dirname(i.file), i.spec).replace(/\.js$/, ".ts");
const packageOf = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
const where = (i: Import) => `${relative(ROOT, i.file)}: ${i.spec}`;

const ALL = sources(SRC).flatMap(importsOf);
const OWN = ALL.filter((i) => i.spec.startsWith("."));
const PACKAGES = ALL.filter((i) => !i.spec.startsWith(".") && !i.spec.startsWith("node:"));

describe("the layers of docs/ARCHITECTURE.md", () => {
  it("finds the imports it checks", () => {
    expect(OWN.length).toBeGreaterThan(100);
    expect(PACKAGES.some((i) => i.spec === "better-sqlite3")).toBe(true);
    expect(ALL.some((i) => i.dynamic && i.spec === "pdfkit")).toBe(true);
  });

  it("imports across areas only as the table allows", () => {
    const wrong = OWN.filter((i) => {
      const from = areaOf(i.file);
      const to = areaOf(target(i));
      const allowed = MAY_IMPORT[from];
      if (allowed === undefined) return true; // a new area: add it to the table (and to docs/ARCHITECTURE.md)
      return from !== to && allowed !== "everything" && !allowed.includes(to);
    });
    expect(wrong.map((i) => `${where(i)} (${areaOf(i.file)} → ${areaOf(target(i))})`)).toEqual([]);
  });

  it("opens no transaction in src/cli: a command's work is a use case in src/app", () => {
    const opening = sources(join(SRC, "cli")).filter((f) => /\.write\(\s*(async\s*)?\(/.test(readFileSync(f, "utf8")));
    expect(opening.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("keeps core free of I/O: no package and no Node.js module", () => {
    expect(ALL.filter((i) => areaOf(i.file) === "core" && !i.spec.startsWith(".")).map(where)).toEqual([]);
  });

  it("has the SQL drivers only in src/store", () => {
    const driver = (spec: string) => packageOf(spec) === "better-sqlite3" || packageOf(spec) === "pg";
    expect(PACKAGES.filter((i) => driver(i.spec) && areaOf(i.file) !== "store").map(where)).toEqual([]);
  });

  it("has commander and the prompts only in src/cli", () => {
    const terminal = (spec: string) => packageOf(spec) === "commander" || spec.startsWith("@inquirer/");
    expect(PACKAGES.filter((i) => terminal(i.spec) && areaOf(i.file) !== "cli").map(where)).toEqual([]);
  });

  it("starts without a heavy package: none is imported statically by a module main.ts loads at start-up", () => {
    const loaded = new Set<string>();
    const heavy: string[] = [];
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const i of importsOf(file)) {
        if (i.dynamic || i.typeOnly) continue;
        if (i.spec.startsWith(".")) visit(target(i));
        else if (HEAVY.includes(packageOf(i.spec))) heavy.push(where(i));
      }
    };
    visit(join(SRC, "cli", "main.ts"));
    expect(loaded.size).toBeGreaterThan(10);
    expect(heavy).toEqual([]);
  });
});
