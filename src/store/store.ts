import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { localDate, localTimestamp, type IsoDate } from "../core/dates.js";
import { FailedError } from "../core/errors.js";
import { AuditRepo } from "./audit.js";
import { CaseRepo } from "./cases.js";
import { ContactRepo } from "./contacts.js";
import { createKeyFile, loadKeyFile, type FieldCipher } from "./crypto.js";
import { DB_FILE, openDatabase, type Db } from "./db.js";
import { DocumentRepo } from "./documents.js";
import { FileRepo } from "./files.js";
import { ImportRepo } from "./imports.js";
import { OrgRepo } from "./orgs.js";
import { SettingsRepo } from "./settings.js";

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
  readonly contacts: ContactRepo;
  readonly cases: CaseRepo;
  readonly documents: DocumentRepo;
  readonly audit: AuditRepo;
  readonly files: FileRepo;
  readonly imports: ImportRepo;
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
    this.contacts = new ContactRepo(this);
    this.cases = new CaseRepo(this);
    this.documents = new DocumentRepo(this);
    this.audit = new AuditRepo(this);
    this.files = new FileRepo(this);
    this.imports = new ImportRepo(this);
  }

  static databaseFile(home: string): string {
    return join(home, DB_FILE);
  }

  static exists(home: string): boolean {
    return existsSync(Store.databaseFile(home));
  }

  /** Opens an initialised register; fails with a clear message when `init` has not been run. */
  static open(options: StoreOptions): Store {
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
    mkdirSync(options.home, { recursive: true, mode: 0o700 });
    const keyFile = options.keyFile ?? join(options.home, "key");
    createKeyFile(keyFile);
    const db = openDatabase(Store.databaseFile(options.home));
    return new Store(db, options.home, options.actor, keyFile);
  }

  /** The current instant as a local timestamp, recorded on every change. */
  get now(): string {
    return localTimestamp(this.actor.now);
  }

  get cipher(): FieldCipher {
    this.cipherCache ??= loadKeyFile(this.keyFile);
    return this.cipherCache;
  }

  /** Runs `fn` as one immediate (write-locking) transaction: all of it happens, or none of it. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
