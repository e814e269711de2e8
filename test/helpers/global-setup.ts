// Once per test run (vitest's globalSetup): a directory for the template registers that `linkoping()` copies
// (test/helpers/cli.ts), with the usual one made before any test file starts, and the run's PostgreSQL server
// (test/helpers/postgres.ts) with its two template databases: an empty register's schema, and the Linköping
// register that `linkopingOnPostgres()` copies (its data directory, with the key, beside the others), and a copy
// of the server's cluster as initdb made it, from which `ownPostgres()` starts a server of a test's own; all
// removed at the end.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { defaultLinkopingTemplate, postgresLinkopingTemplate } from "./cli.js";
import { makeSchemaTemplate, startPostgres } from "./postgres.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "avvik-templates-"));
  project.provide("avvikTemplates", dir);
  // The server's initdb and start run in processes of their own while the template is made here.
  const cluster = join(dir, "postgres-cluster");
  const starting = startPostgres({ keep: cluster });
  starting.catch(() => undefined);
  await defaultLinkopingTemplate(dir);
  const server = await starting;
  project.provide("avvikPostgres", server.url);
  project.provide("avvikPostgresCluster", cluster);
  try {
    await makeSchemaTemplate(server.url);
    await postgresLinkopingTemplate(server.url, dir);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
