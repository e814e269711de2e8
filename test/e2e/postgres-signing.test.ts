// The signing key of exchange files on a shared register (issue 18): on PostgreSQL it is one for the register,
// sealed in the database with the register's key, whichever registrar's machine signs; so counterparts that
// trust the key one registrar exported accept the files every registrar sends.

import { cpSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { linkopingOnPostgres, sandbox, type Sandbox } from "../helpers/cli.js";
import { WRITE_LOCK } from "../../src/store/postgres.js";
import { asRole, freshDatabase } from "../helpers/postgres.js";

const NOW = "2026-04-01T09:00:00";

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const s of sandboxes.splice(0)) s.cleanup();
});

async function query<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Two registrars' machines on one register: data directories of their own, the same database and key file. */
async function twoMachines(): Promise<{ a: Sandbox & { databaseUrl: string }; b: Sandbox }> {
  const a = await linkopingOnPostgres({ now: NOW });
  sandboxes.push(a);
  const key = join(a.home, "delad-nyckel");
  cpSync(join(a.env.AVVIK_HOME!, "key"), key);
  const b = sandbox({ now: NOW, env: { AVVIK_DATABASE_URL: a.databaseUrl, AVVIK_KEY_FILE: key } });
  sandboxes.push(b);
  return { a, b };
}

const keyEvents = async (s: Sandbox) => (await s.cliJson(["audit", "list"])).filter((e: { action: string }) => e.action === "org.key.create");

describe("the signing key on PostgreSQL", () => {
  it("is the register's: every machine exports the same public key, and a file signed on one verifies with the key exported on another", { timeout: 240_000 }, async () => {
    const { a, b } = await twoMachines();
    const exported = join(a.home, "linkoping.avvik-key");
    const first = await a.cliJson(["org", "key", "export", "-o", exported]);
    const second = await b.cliJson(["org", "key", "export"]);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.publicKey).toBe(first.publicKey);
    // Made once, by init (the template's), and audited once.
    expect((await keyEvents(a)).map((e: { details: { fingerprint: string } }) => e.details.fingerprint)).toEqual([first.fingerprint]);
    // No private key in any data directory; in the database it is sealed: no PEM in clear.
    for (const s of [a, b]) expect(existsSync(join(s.env.AVVIK_HOME!, "signing-key"))).toBe(false);
    const [row] = await query<{ value: string }>(a.databaseUrl, "SELECT value FROM settings WHERE key = 'signing_key'");
    expect(row).toBeDefined();
    expect(row!.value).not.toMatch(/PRIVATE KEY/);
    expect(Buffer.from(row!.value, "base64").toString("latin1")).not.toMatch(/PRIVATE KEY/);

    // Norrköping trusts the key Linköping's first registrar gave it.
    const norrkoping = sandbox({ now: NOW });
    sandboxes.push(norrkoping);
    await norrkoping.cliJson(["init", "--org-id", "norrkoping", "--org-name", "Norrköpings kommun"]);
    await norrkoping.cliJson(["org", "import", "ostergotland"]);
    await norrkoping.cliJson(["org", "key", "import", "linkoping", exported]);
    // The second registrar registers a case and sends the exchange file: Norrköping accepts it as Linköping's.
    const number = (await b.cliJson([
      "case", "new", "--direction", "out", "--counterpart", "norrkoping", "--event-date", "2026-03-01", "--discovered-date", "2026-03-02",
      "--kind", "tillbud", "--area", "planering", "--summary", "Hemgång utan planering",
    ])).diaryNumber;
    const file = join(b.home, "utbyte.pdf");
    await b.cliJson(["exchange", "export", number, "-o", file]);
    const imported = await norrkoping.cliJson(["exchange", "import", file]);
    const event = (await norrkoping.cliJson(["audit", "list", "--case", String(imported.caseId)])).find((e: { action: string }) => e.action === "exchange.import");
    expect(event.details.signedBy).toBe(first.fingerprint);
    expect((await b.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("is made by init in the register, not in the data directory, and init says so", async () => {
    const url = asRole((await freshDatabase()).url, "test");
    const s = sandbox({ now: NOW, env: { AVVIK_DATABASE_URL: url } });
    sandboxes.push(s);
    const r = await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"]);
    expect(r.code, r.stderr).toBe(0);
    const fingerprint = (await s.cliJson(["org", "key", "export"])).fingerprint;
    expect(r.stdout).toContain(`Nyckeln som signerar utbytesfiler finns i registret på servern, förseglad med registrets nyckel, och är densamma för varje registrator (fingeravtryck ${fingerprint}).`);
    expect(existsSync(join(s.env.AVVIK_HOME!, "signing-key"))).toBe(false);
    expect((await keyEvents(s)).map((e: { details: { fingerprint: string } }) => e.details.fingerprint)).toEqual([fingerprint]);
  });

  it("is made once when two machines need it at the same time, under the register's write lock", { timeout: 240_000 }, async () => {
    const { a, b } = await twoMachines();
    // A register from before signed exchange files (or from before the key moved into the database): none yet.
    await query(a.databaseUrl, "DELETE FROM settings WHERE key = 'signing_key'");
    // The register's write lock held here, both machines find no key and wait for the lock; let go once both
    // wait, the one that gets it first makes the key, and the other must find it there.
    const holder = new pg.Client({ connectionString: a.databaseUrl });
    await holder.connect();
    let both: Promise<[any, any]>;
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      both = Promise.all([a.cliJson(["org", "key", "export"]), b.cliJson(["org", "key", "export"])]);
      const waiting = async () => Number((await holder.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0].n);
      // (A machine that ended meanwhile, with an error, ends the wait: the assertions below say what it was.)
      let ended = false;
      void both.then(() => (ended = true), () => (ended = true));
      while (!ended && (await waiting()) < 2) await new Promise((r) => setTimeout(r, 50));
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
    const [x, y] = await both;
    expect(y.fingerprint).toBe(x.fingerprint);
    const events = await keyEvents(a);
    // init's, then the one made now.
    expect(events).toHaveLength(2);
    expect(events[1].details.fingerprint).toBe(x.fingerprint);
    expect((await b.cliJson(["org", "key", "export"])).fingerprint).toBe(x.fingerprint);
    expect((await a.cliJson(["audit", "verify"])).problems).toEqual([]);
  });

  it("takes the key file of a machine that signed before the key moved into the register, so counterparts keep trusting it", { timeout: 240_000 }, async () => {
    const { a, b } = await twoMachines();
    // Machine a signed with a key file of its own (as every machine did before): the one counterparts trust.
    const { generateKeyPairSync } = await import("node:crypto");
    const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    writeFileSync(join(a.env.AVVIK_HOME!, "signing-key"), pem, { mode: 0o600 });
    await query(a.databaseUrl, "DELETE FROM settings WHERE key = 'signing_key'");
    const own = await a.cliJson(["org", "key", "export"]);
    const { createPrivateKey, createPublicKey } = await import("node:crypto");
    expect(own.publicKey).toBe(createPublicKey(createPrivateKey(pem)).export({ format: "pem", type: "spki" }).toString());
    expect((await b.cliJson(["org", "key", "export"])).fingerprint).toBe(own.fingerprint);
    const events = await keyEvents(a);
    expect(events.at(-1).details).toEqual({ org: "linkoping", fingerprint: own.fingerprint, from: "file" });
    expect(existsSync(join(b.env.AVVIK_HOME!, "signing-key"))).toBe(false);
  });

  it("refuses in one line a sealed key that does not open, and changes nothing", async () => {
    const { a } = await twoMachines();
    await query(a.databaseUrl, "UPDATE settings SET value = $1 WHERE key = 'signing_key'", [Buffer.from("not a sealed key").toString("base64")]);
    const r = await a.cli(["org", "key", "export"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^Registrets signeringsnyckel i databasen går inte att öppna med registrets nyckel/);
    expect((await keyEvents(a))).toHaveLength(1);
    // check finds it too, and exits 1.
    const checked = await a.cli(["check", "--json"]);
    expect(checked.code).toBe(1);
    expect(JSON.parse(checked.stdout).problems).toEqual([expect.objectContaining({ kind: "key", key: "error.signingKeyInvalidShared", message: expect.stringMatching(/^Registrets signeringsnyckel i databasen går inte att öppna/) })]);
  });

  it("is checked by check: the sealed key of a sound register opens as an Ed25519 key", async () => {
    const { a } = await twoMachines();
    expect(await query(a.databaseUrl, "SELECT count(*) AS n FROM settings WHERE key = 'signing_key'", [])).toEqual([{ n: "1" }]);
    expect((await a.cliJson(["check"])).problems).toEqual([]);
  });
});
