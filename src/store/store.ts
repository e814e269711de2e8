import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { localDate, localTimestamp, type IsoDate } from "../core/dates.js";
import { FailedError } from "../core/errors.js";
import { maskPersonalNumber } from "../core/personnummer.js";
import { ArchiveRepo } from "./archive.js";
import { ActionRepo } from "./actions.js";
import { AuditRepo } from "./audit.js";
import { CaseRepo } from "./cases.js";
import { ClassificationRepo } from "./classification.js";
import { ContactRepo } from "./contacts.js";
import { createKeyFile, loadKeyFile, type FieldCipher } from "./crypto.js";
import { DB_FILE, openDatabase, type Db } from "./db.js";
import { DocumentRepo } from "./documents.js";
import { FileRepo } from "./files.js";
import { ImportRepo } from "./imports.js";
import { assertNoImportRunning } from "./importProgress.js";
import { OrgRepo } from "./orgs.js";
import { OrgKeyRepo } from "./orgKeys.js";
import { OutboxRepo } from "./outbox.js";
import { ProtectionRepo } from "./protection.js";
import { SettingsRepo } from "./settings.js";
import { StatsRepo } from "./stats.js";

/** Settings key of a keyed hash of a fixed text: tells whether a key file belongs to this register. */
const KEY_CHECK = "key_check";

/** Who makes a change and when: recorded on every write. */
export interface Actor {
  user: string;
  now: Date;
}

export interface StoreOptions {
  home: string;
  actor: Actor;
  /** Path of the key file; defaults to <home>/key. */
  keyFile?: string;
}

/**
 * The register's storage. All SQL lives in the repositories below, behind methods named for what they do,
 * so that another database could serve the same commands.
 */
export class Store {
  readonly today: IsoDate;
  readonly settings: SettingsRepo;
  readonly orgs: OrgRepo;
  readonly orgKeys: OrgKeyRepo;
  readonly contacts: ContactRepo;
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
  private cipherCache: FieldCipher | undefined;

  private constructor(
    readonly db: Db,
    readonly home: string,
    readonly actor: Actor,
    readonly keyFile: string,
  ) {
    this.today = localDate(actor.now);
    this.settings = new SettingsRepo(this);
    this.orgs = new OrgRepo(this);
    this.orgKeys = new OrgKeyRepo(this);
    this.contacts = new ContactRepo(this);
    this.cases = new CaseRepo(this);
    this.documents = new DocumentRepo(this);
    this.audit = new AuditRepo(this);
    this.files = new FileRepo(this);
    // Used by the case queries to show personnummer masked; the key is loaded only if a person is read.
    db.function("avvik_mask", { deterministic: true }, (blob: unknown) =>
      Buffer.isBuffer(blob) ? maskPersonalNumber(this.cipher.decryptText(blob)) : null,
    );
    this.outbox = new OutboxRepo(this);
    this.stats = new StatsRepo(this);
    this.protection = new ProtectionRepo(this);
    this.imports = new ImportRepo(this);
    this.archive = new ArchiveRepo(this);
    this.actions = new ActionRepo(this);
    this.classification = new ClassificationRepo(this);
  }

  static databaseFile(home: string): string {
    return join(home, DB_FILE);
  }

  static exists(home: string): boolean {
    return existsSync(Store.databaseFile(home));
  }

  /** Opens an initialised register; fails with a clear message when `init` has not been run. */
  static open(options: StoreOptions): Store {
    Store.assertHomeIsDirectory(options.home);
    if (!Store.exists(options.home)) throw new FailedError("error.notInitialised", { home: options.home });
    const db = openDatabase(Store.databaseFile(options.home));
    const store = new Store(db, options.home, options.actor, options.keyFile ?? join(options.home, "key"));
    if (!store.settings.get("org_id")) {
      db.close();
      throw new FailedError("error.notInitialised", { home: options.home });
    }
    return store;
  }

  /** Creates the data directory, the database and the key file (for `init`). */
  static create(options: StoreOptions): Store {
    Store.assertHomeIsDirectory(options.home);
    mkdirSync(options.home, { recursive: true, mode: 0o700 });
    const keyFile = options.keyFile ?? join(options.home, "key");
    const db = openDatabase(Store.databaseFile(options.home));
    chmodSync(Store.databaseFile(options.home), 0o600); // SQLite gives its -wal and -shm files the same mode
    const store = new Store(db, options.home, options.actor, keyFile);
    // A register that is already initialised never gets a new key: a lost key must be restored, not replaced.
    if (!store.settings.get("org_id")) {
      createKeyFile(keyFile);
      if (!store.settings.get(KEY_CHECK) && !store.hasPersons()) store.settings.set(KEY_CHECK, store.cipher.hash(KEY_CHECK, KEY_CHECK));
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

  private hasPersons(): boolean {
    return this.db.prepare("SELECT 1 FROM persons WHERE pnr_enc IS NOT NULL LIMIT 1").get() !== undefined;
  }

  /** The current instant as a local timestamp, recorded on every change. */
  get now(): string {
    return localTimestamp(this.actor.now);
  }

  /**
   * The field cipher, checked against the register before first use: a wrong key is refused before it can
   * encrypt anything (so nothing is written that the right key cannot read).
   */
  get cipher(): FieldCipher {
    if (this.cipherCache) return this.cipherCache;
    const cipher = loadKeyFile(this.keyFile);
    const check = this.settings.get(KEY_CHECK);
    if (check !== undefined) {
      if (cipher.hash(KEY_CHECK, KEY_CHECK) !== check) throw new FailedError("error.keyWrong", { file: this.keyFile });
    } else {
      // A register from before the key check: the key must open a stored person.
      const row = this.db.prepare("SELECT pnr_enc FROM persons WHERE pnr_enc IS NOT NULL LIMIT 1").get() as { pnr_enc: Buffer } | undefined;
      if (row) cipher.decrypt(row.pnr_enc);
    }
    this.cipherCache = cipher;
    return cipher;
  }

  /**
   * Runs `fn` as one immediate (write-locking) transaction: all of it happens, or none of it. While another
   * process's import holds the lock, refuses at once with how far the import is (src/store/importProgress.ts).
   */
  write<T>(fn: () => T): T {
    if (!this.db.inTransaction) assertNoImportRunning(this.db, this.home);
    return this.db.transaction(fn).immediate();
  }

  /**
   * Runs `fn` as one read transaction: every statement in it sees the same snapshot of the register, whatever
   * other processes commit meanwhile (WAL). For reads that must agree with each other, such as the audit
   * events and the recorded head.
   */
  read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec("BEGIN DEFERRED");
    try {
      return fn();
    } finally {
      // Nothing was written, so ending it either way is the same; SQLite may already have ended it itself
      // after an error such as a damaged page, which the caller reports.
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
