import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The installed package's root (this file is dist/paths.js or src/paths.ts). */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const TEMPLATES_DIR = join(PACKAGE_ROOT, "templates");
export const FIXTURES_DIR = join(PACKAGE_ROOT, "fixtures");
