import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { localDate, localTimestamp, type IsoDate } from "../core/dates.js";
import { FailedError } from "../core/errors.js";
import { ArchiveRepo } from "./archive.js";
import { ActionRepo } from "./actions.js";
import { AuditRepo } from "./audit.js";
import { CaseRepo } from "./cases.js";
import { ClassificationRepo } from "./classification.js";
import { ContactRepo } from "./contacts.js";
import { KEY_CHECK, createKeyFile, keyCheckOf, loadKeyFile, type FieldCipher } from "./crypto.js";
import { DB_FILE, openDatabase } from "./db.js";
import { DiaryRepo } from "./diary.js";
import { DocumentRepo } from "./documents.js";
import { FileRepo } from "./files.js";
import { ImportRepo } from "./imports.js";
import { assertNoImportRunning, assertNoPgImportRunning, importInProgress, PgProgressPublisher, pgImportInProgress, ProgressPublisher, type ImportProgress, type ProgressPublishing } from "./importProgress.js";
import type { PostgresSql } from "./postgres.js";
import { OrgRepo } from "./orgs.js";
import { OrgKeyRepo } from "./orgKeys.js";
import { RoleRepo } from "./roles.js";
import { OutboxRepo } from "./outbox.js";
import { ProtectionRepo } from "./protection.js";
import { SettingsRepo } from "./settings.js";
import type { Actor, Clock, Sql, WriteOptions } from "./sql.js";
import { SqliteSql } from "./sqlite.js";
import { StatsRepo } from "./stats.js";

export type { Actor } from "./sql.js";

/** Settings key of a keyed hash of a fixed text: tells whether a key file belongs to this register. */

export interface StoreOptions {
  home: string;
  actor: Actor;
  /** Path of the key file; defaults to <home>/key. */
  keyFile?: string;
  /**
   * postgres://… (AVVIK_DATABASE_URL or `database.url` in config.json): the register lives in that PostgreSQL
   * database instead of <home>/avvik.db. The key stays a local file; personal data is encrypted before it
   * reaches the server.
   */
  databaseUrl?: string;
}

/**
 * Who acts: on PostgreSQL the database's word, the role that logged in (`session_user`: each registrar logs in
 * as their own role), whatever --as or AVVIK_USER say; on SQLite the user the run names.
 */
async function actorOf(sql: Sql, actor: Actor): Promise<Actor> {
  if (sql.engine !== "postgres") return actor;
  const role = (await sql.get<{ role: string }>("SELECT session_user AS role"))!.role;
  return { ...actor, user: role };
}

/**
 * Opens the executor of the register the options select, migrated to the newest schema. An empty PostgreSQL
 * database is given the schema only by `init` (`create`): another command is told there is no register.
 */
async function openSql(options: StoreOptions, keyFile: string, create: boolean): Promise<Sql> {
  if (options.databaseUrl) {
    const { connectPostgres, shownUrl } = await import("./postgres.js");
    const { migratePostgres, schemaVersion } = await import("./migrations/postgres/index.js");
    const sql = await connectPostgres(options.databaseUrl);
    try {
      const version = await schemaVersion(sql);
      if (!create && version === 0) throw new FailedError("error.notInitialised", { home: shownUrl(options.databaseUrl) });
      await migratePostgres(sql, version);
    } catch (e) {
      sql.close();
      throw e;
    }
    return sql;
  }
  return new SqliteSql(openDatabase(Store.databaseFile(options.home), keyFile));
}

/**
 * The register's storage: the SQL executor and the repositories over it. All SQL lives in the repositories,
 * behind methods named for what they do; each is given what it uses (the executor, the clock, the key, the
 * repositories it builds on), never the Store.
 */
export class Store implements Clock {
  readonly today: IsoDate;
  readonly settings: SettingsRepo;
  readonly orgs: OrgRepo;
  readonly orgKeys: OrgKeyRepo;
  readonly contacts: ContactRepo;
  readonly diary: DiaryRepo;
  readonly cases: CaseRepo;
  readonly documents: DocumentRepo;
  readonly audit: AuditRepo;
  readonly files: FileRepo;
  readonly outbox: OutboxRepo;
  readonly stats: StatsRepo;
  readonly protection: ProtectionRepo;
  readonly imports: ImportRepo;
  readonly archive: ArchiveRepo;
  readonly actions: ActionRepo;
  readonly classification: ClassificationRepo;
  readonly roles: RoleRepo;
  private cipherLoad: Promise<FieldCipher> | undefined;

  private constructor(
    readonly sql: Sql,
    readonly home: string,
    readonly actor: Actor,
    readonly keyFile: string,
  ) {
    this.today = localDate(actor.now);
    if (sql instanceof SqliteSql) sql.beforeWrite = () => assertNoImportRunning(sql.native, home);
    else if (sql.engine === "postgres") (sql as PostgresSql).whenLockTaken = () => assertNoPgImportRunning(sql as PostgresSql);
    const keys = () => this.cipher();
    this.settings = new SettingsRepo(sql);
    this.audit = new AuditRepo(sql, this, this.settings);
    this.orgs = new OrgRepo(sql, this, this.audit, home);
    this.orgKeys = new OrgKeyRepo(sql, this, this.audit);
    this.contacts = new ContactRepo(sql, this, this.audit, this.orgs);
    this.classification = new ClassificationRepo(sql, this.settings, this.audit);
    this.actions = new ActionRepo(sql, this, this.audit);
    this.diary = new DiaryRepo(sql, this, this.settings, this.audit);
    this.documents = new DocumentRepo(sql, this, this.audit, this.diary, this.classification);
    this.cases = new CaseRepo(sql, this, keys, {
      settings: this.settings,
      audit: this.audit,
      orgs: this.orgs,
      diary: this.diary,
      documents: this.documents,
      classification: this.classification,
      actions: this.actions,
    });
    this.files = new FileRepo(sql, this, keys, home);
    this.outbox = new OutboxRepo(sql, this, this.audit);
    this.stats = new StatsRepo(sql, this, this.settings, this.audit);
    this.protection = new ProtectionRepo(sql, this, keys, { settings: this.settings, audit: this.audit, files: this.files }, home, keyFile);
    this.imports = new ImportRepo({ db: sql, clock: this, keys, home, audit: this.audit, diary: this.diary, stats: this.stats, classification: this.classification, orgs: this.orgs, cases: this.cases });
    this.roles = new RoleRepo(sql);
    this.archive = new ArchiveRepo(sql, this, this.audit, (id) => this.cases.label(id));
  }

  static databaseFile(home: string): string {
    return join(home, DB_FILE);
  }

  /** Whether there is a register to open: the SQLite file, or, on PostgreSQL, always (open says if it is initialised). */
  static exists(home: string, databaseUrl?: string): boolean {
    return databaseUrl !== undefined || existsSync(Store.databaseFile(home));
  }

  /** Opens an initialised register; fails with a clear message when `init` has not been run. */
  static async open(options: StoreOptions): Promise<Store> {
    Store.assertHomeIsDirectory(options.home);
    if (!Store.exists(options.home, options.databaseUrl)) throw new FailedError("error.notInitialised", { home: options.home });
    const keyFile = options.keyFile ?? join(options.home, "key");
    const sql = await openSql(options, keyFile, false);
    const store = new Store(sql, options.home, await actorOf(sql, options.actor), keyFile);
    if (!(await store.settings.get("org_id"))) {
      sql.close();
      throw new FailedError("error.notInitialised", { home: options.home });
    }
    return store;
  }

  /** Creates the data directory, the database and the key file (for `init`). */
  static async create(options: StoreOptions): Promise<Store> {
    Store.assertHomeIsDirectory(options.home);
    mkdirSync(options.home, { recursive: true, mode: 0o700 });
    const keyFile = options.keyFile ?? join(options.home, "key");
    const sql = await openSql(options, keyFile, true);
    // SQLite gives its -wal and -shm files the same mode
    if (!options.databaseUrl) chmodSync(Store.databaseFile(options.home), 0o600);
    const store = new Store(sql, options.home, await actorOf(sql, options.actor), keyFile);
    // A register that is already initialised never gets a new key: a lost key must be restored, not replaced.
    if (!(await store.settings.get("org_id"))) {
      createKeyFile(keyFile);
      if (!(await store.settings.get(KEY_CHECK)) && !(await store.hasPersons())) {
        await store.settings.set(KEY_CHECK, keyCheckOf(await store.cipher()));
      }
    }
    return store;
  }

  /** A data directory that exists must be a directory (a `--home` naming a file is refused). */
  static assertHomeIsDirectory(home: string): void {
    let isDir = true;
    try {
      isDir = statSync(home).isDirectory();
    } catch {
      return;
    }
    if (!isDir) throw new FailedError("error.homeNotDirectory", { home });
  }

  private async hasPersons(): Promise<boolean> {
    return (await this.sql.get("SELECT 1 FROM persons WHERE sealed IS NOT NULL LIMIT 1")) !== undefined;
  }

  /** The current instant as a local timestamp, recorded on every change. */
  get now(): string {
    return localTimestamp(this.actor.now);
  }

  /**
   * The field cipher, checked against the register before first use: a wrong key is refused before it can
   * encrypt anything (so nothing is written that the right key cannot read).
   */
  cipher(): Promise<FieldCipher> {
    // A failed load is not kept: the next use tries again (and fails the same way, with the same message).
    this.cipherLoad ??= this.loadCipher().catch((e: unknown) => {
      this.cipherLoad = undefined;
      throw e;
    });
    return this.cipherLoad;
  }

  private async loadCipher(): Promise<FieldCipher> {
    const cipher = loadKeyFile(this.keyFile);
    const check = await this.settings.get(KEY_CHECK);
    if (check !== undefined) {
      if (keyCheckOf(cipher) !== check) throw new FailedError("error.keyWrong", { file: this.keyFile });
    } else {
      // A register from before the key check: the key must open a stored person.
      const row = await this.sql.get<{ sealed: Buffer }>("SELECT sealed FROM persons WHERE sealed IS NOT NULL LIMIT 1");
      if (row) cipher.decrypt(row.sealed);
    }
    return cipher;
  }

  /**
   * Runs `fn` as one immediate (write-locking) transaction: all of it happens, or none of it. Another write
   * of this process waits until this one has ended; a write inside it is a savepoint of it. While another
   * process's import holds the lock, refuses at once with how far the import is (src/store/importProgress.ts).
   */
  write<T>(fn: () => Promise<T>, options?: WriteOptions): Promise<T> {
    return this.sql.write(fn, options);
  }

  /**
   * Runs `fn` as one read transaction: every statement in it sees the same snapshot of the register, whatever
   * other processes commit meanwhile (WAL). For reads that must agree with each other, such as the audit
   * events and the recorded head.
   */
  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.sql.read(fn);
  }

  /**
   * Where this process's import publishes its progress for the register's other writers: a file in the data
   * directory on SQLite, the import's session on PostgreSQL (src/store/importProgress.ts).
   */
  importProgress(): ProgressPublishing {
    return this.sql.engine === "postgres" ? new PgProgressPublisher(this.sql as PostgresSql) : new ProgressPublisher(this.home);
  }

  /** The import another process (on PostgreSQL: another session, on any machine) is running on this register. */
  async runningImport(): Promise<ImportProgress | null> {
    return this.sql.engine === "postgres" ? await pgImportInProgress(this.sql as PostgresSql) : importInProgress(this.home);
  }

  close(): void {
    this.sql.close();
  }
}
