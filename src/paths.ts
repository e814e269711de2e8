import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root: the nearest directory above this module holding package.json and templates/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "templates"))) return dir;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), "..");
}

export const PACKAGE_ROOT = findRoot();
export const TEMPLATES_DIR = join(PACKAGE_ROOT, "templates");
export const FIXTURES_DIR = join(PACKAGE_ROOT, "fixtures");
/** The official XML schemas an archive package carries (schemas/README.md says where each comes from). */
export const SCHEMAS_DIR = join(PACKAGE_ROOT, "schemas");

/** The version in the package's own package.json (`avvik --version`, the creator of an archive package). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}
