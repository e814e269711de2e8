// Once per test run (vitest's globalSetup): a directory for the template registers that `linkoping()` copies
// (test/helpers/cli.ts), with the usual one made before any test file starts; removed at the end.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { linkopingTemplate } from "./cli.js";

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "avvik-templates-"));
  project.provide("avvikTemplates", dir);
  linkopingTemplate({}, dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
