// Section 6: personal data at rest, the tamper-evident trail, check, backup and restore, purge, keys.

import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventHash } from "../../src/store/audit.js";
import { Store } from "../../src/store/store.js";
import { spawn } from "node:child_process";
import { BIN, incomingCase, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { filesUnder, openRaw, pnr, pnrForms, scan, size } from "../helpers/protection.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const TOLVAN = "19121212-1212";
const TOLVAN_NAME = "Tolvan Tolvansson";
const MARTA = pnr("20081224238"); // 20081224-2386
const MARTA_NAME = "Märta Ödqvist-Hallgren";
const SAMORDNING = pnr("19701063238"); // samordningsnummer, day 03 + 60
const SAMORDNING_NAME = "Zbigniew Wróblewski";
const NAMES = [TOLVAN_NAME, "Tolvansson", MARTA_NAME, "Ödqvist", SAMORDNING_NAME, "Wróblewski"];
const NUMBERS = [TOLVAN, MARTA, SAMORDNING].flatMap(pnrForms);

const data = (sb: Sandbox) => sb.env.AVVIK_HOME!;
const oneLine = (text: string) => expect(text.trim().split("\n")).toHaveLength(1);

async function registerWithPersons(sb: Sandbox): Promise<void> {
  await sb.cliJson(outgoingCase(["--person", `${TOLVAN}:${TOLVAN_NAME}`, "--person", `${MARTA}:${MARTA_NAME}`]));
  await sb.cliJson(incomingCase(["--person", `${SAMORDNING}:${SAMORDNING_NAME}`]));
  await sb.cliJson(outgoingCase(["--person", TOLVAN.replace("-", "").slice(2)])); // the ten-digit form
}

/** Stores a file (encrypted, as a packet with personal data would be) as a document of a case, in-process. */
async function storeFile(sb: Sandbox, ref: string, content: string, encrypt = true): Promise<string> {
  const store = await Store.open({ home: data(sb), actor: { user: "test", now: new Date("2026-03-10T10:00:00") } });
  try {
    return await store.write(async () => {
      const id = await store.cases.resolve(ref);
      const f = await store.files.put(Buffer.from(content, "utf8"), { mediaType: "application/pdf", originalName: "packet.pdf", encrypt });
      await store.documents.add(id, { direction: "out", subject: "Försändelse till motpart", party: "Region Östergötland", fileHash: f.hash });
      return f.hash;
    });
  } finally {
    store.close();
  }
}

describe("personal data at rest", () => {
  it("leaves no personnummer (12/10 digits, with or without hyphen) or name in the database, its WAL and SHM, also before a checkpoint", async () => {
    s = linkoping();
    const home = data(s);
    // A reader holding an old snapshot keeps SQLite from checkpointing: what the commands write stays in the WAL.
    const pin = openRaw(home, true);
    pin.prepare("BEGIN").run();
    pin.prepare("SELECT count(*) FROM cases").get();
    await registerWithPersons(s);
    await s.cliJson(["case", "update", "2026-000001", "--causes", "Rutinen följdes inte", "--ref", "synergi:45678"]);
    const revealed = await s.cli(["case", "show", "2026-000001", "--reveal"]);
    expect(revealed.stdout).toContain(TOLVAN);
    expect(revealed.stdout).toContain(MARTA_NAME);
    const reveal = (await s.cliJson(["audit", "list", "--case", "2026-000001"])).filter((e: any) => e.action === "reveal");
    expect(reveal).toEqual([expect.objectContaining({ user: "test", diaryNumber: "2026-000001", details: { persons: 2 } })]);
    await storeFile(s, "2026-000001", `Personnummer ${TOLVAN} ${TOLVAN_NAME}`);

    const wal = join(home, "avvik.db-wal");
    expect(size(wal)).toBeGreaterThan(0);
    const files = filesUnder(home);
    expect(files.some((f) => f.endsWith("-shm"))).toBe(true);
    expect(files.some((f) => f.includes(`${join(home, "files")}`))).toBe(true);
    // The scan does see what is stored in clear (the WAL holds the new case texts) …
    expect(scan([wal], ["Rutinen följdes inte"])).not.toEqual([]);
    // … but no personal data.
    expect(scan(files, [...NUMBERS, ...NAMES])).toEqual([]);
    pin.prepare("COMMIT").run();
    pin.close();

    // After every connection is gone (checkpointed into the database file).
    await s.cliJson(["case", "list"]);
    expect(scan(filesUnder(home), [...NUMBERS, ...NAMES])).toEqual([]);
    // The audit trail holds counts, never the persons.
    const audit = JSON.stringify(await s.cliJson(["audit", "list"]));
    for (const needle of [...NUMBERS, ...NAMES]) expect(audit).not.toContain(needle);
    // Masked everywhere without --reveal.
    const listed = JSON.stringify(await s.cliJson(["case", "list"]));
    for (const needle of [...NUMBERS, ...NAMES]) expect(listed).not.toContain(needle);
    expect((await s.cliJson(["case", "show", "2026-000002"])).persons).toEqual([`${SAMORDNING.slice(0, 8)}-****`]);
  });

  it("keeps the key file private and out of reach of a copy without it", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const home = data(s);
    expect(statSync(join(home, "key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "avvik.db")).mode & 0o077).toBe(0);
    // A copy of the data directory without its key gives nobody any personal data.
    const copy = join(s.home, "copy");
    mkdirSync(copy);
    for (const f of ["avvik.db"]) copyFileSync(join(home, f), join(copy, f));
    const r = await s.cli(["case", "show", "2026-000001", "--reveal"], { env: { AVVIK_HOME: copy } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Nyckelfilen .*key saknas/);
    oneLine(r.stderr);
    expect(r.stdout).toBe("");
  });
});

describe("a wrong or missing key", () => {
  function counts(sb: Sandbox) {
    const db = openRaw(data(sb), true);
    try {
      return db.prepare("SELECT (SELECT count(*) FROM cases) c, (SELECT count(*) FROM persons) p, (SELECT count(*) FROM audit) a, (SELECT count(*) FROM documents) d").get();
    } finally {
      db.close();
    }
  }

  it("gives one clear line and changes nothing", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const key = join(data(s), "key");
    const original = readFileSync(key);
    const before = counts(s);
    const commands = [
      ["case", "show", "2026-000001"],
      ["case", "show", "2026-000001", "--reveal"],
      [...outgoingCase(["--person", `${TOLVAN}:${TOLVAN_NAME}`])],
      ["case", "list"],
    ];

    unlinkSync(key);
    for (const args of commands) {
      const r = await s.cli(args);
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code: 1 });
      expect(r.stderr).toMatch(/Nyckelfilen .* saknas/);
      oneLine(r.stderr);
    }
    // init on the existing register does not make a new key behind the user's back.
    expect((await s.cli(["init", "--org-id", "linkoping", "--org-name", "Linköpings kommun"])).code).toBe(1);
    expect(existsSync(key)).toBe(false);

    writeFileSync(key, randomBytes(32).toString("base64") + "\n", { mode: 0o600 });
    for (const args of commands) {
      const r = await s.cli(args, { env: { AVVIK_LANG: "en" } });
      expect({ args: args.join(" "), code: r.code }).toEqual({ args: args.join(" "), code: 1 });
      expect(r.stderr).toMatch(/cannot be decrypted with this key/);
      oneLine(r.stderr);
    }
    writeFileSync(key, "not a key\n");
    const invalid = await s.cli(commands[2]!);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/inte en giltig nyckel/);
    expect(counts(s)).toEqual(before);

    // A key given by AVVIK_KEY_FILE that is wrong is refused the same way.
    const elsewhere = join(s.home, "other.key");
    writeFileSync(elsewhere, randomBytes(32).toString("base64"), { mode: 0o600 });
    expect((await s.cli(commands[2]!, { env: { AVVIK_KEY_FILE: elsewhere } })).code).toBe(1);
    expect(counts(s)).toEqual(before);

    writeFileSync(key, original);
    expect((await s.cliJson(["case", "show", "2026-000001"])).persons).toHaveLength(2);
    expect((await s.cli(["check"])).code).toBe(0);
  });
});

describe("audit verify", () => {
  it("passes an untouched trail and names edited, deleted and inserted events", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const ok = await s.cliJson(["audit", "verify"]);
    expect(ok).toMatchObject({ ok: true, problems: [] });
    expect(ok.events).toBeGreaterThan(10);
    const last = ok.head.id as number;

    const db = openRaw(data(s));
    db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
    db.prepare("UPDATE audit SET user = 'mallory' WHERE id = 3").run();
    db.prepare("DELETE FROM audit WHERE id = 7").run();
    db.prepare("DELETE FROM audit WHERE id = ?").run(last);
    db.close();

    const r = await s.cli(["audit", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "Händelse 3 har ändrats (innehållet stämmer inte med kedjan).",
      "Händelse 7 har tagits bort.",
      `Händelse ${last} har tagits bort.`,
      // The last event recorded the third case's first diary entry, which now has no event behind it.
      "Diarieposter utan händelsen som diarieförde dem: 2026-000003:1 (1 st); händelser har tagits bort ur loggen.",
    ]);
    const json = await s.cli(["audit", "verify", "--json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p: any) => [p.kind, p.id ?? p.ids ?? p.examples])).toEqual([["edited", 3], ["deleted", [7]], ["deleted", [last]], ["unrecorded", ["2026-000003:1"]]]);

    const check = await s.cli(["check", "--json"]);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).problems.filter((p: any) => p.kind === "audit")).toHaveLength(4);
  });
});

describe("audit verify --expect", () => {
  it("finds a trail rewritten with a forged head when the head was noted outside the register", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const noted = (await s.cliJson(["audit", "verify"])).head as { id: number; hash: string };
    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    expect((await s.cliJson(["audit", "verify", "--expect", `${noted.id}:${noted.hash}`])).ok).toBe(true);

    // An insider rewrites the trail from event 5 on, recomputing every hash and the head.
    const db = openRaw(data(s));
    db.exec("DROP TRIGGER audit_no_update;");
    const rows = db.prepare("SELECT * FROM audit ORDER BY id").all() as any[];
    let prev = rows[3].hash as string;
    for (const r of rows.slice(4)) {
      const changed = { ...r, user: r.id === 5 ? "mallory" : r.user };
      const hash = eventHash(prev, changed);
      db.prepare("UPDATE audit SET user = ?, prev_hash = ?, hash = ? WHERE id = ?").run(changed.user, prev, hash, r.id);
      prev = hash;
    }
    db.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(JSON.stringify({ id: rows[rows.length - 1].id, hash: prev }));
    db.close();

    expect((await s.cli(["audit", "verify"])).code).toBe(0); // the documented limit
    const r = await s.cli(["audit", "verify", "--expect", `${noted.id}:${noted.hash}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Händelse ${noted.id} har inte längre den hash som noterades: loggen har skrivits om från en tidigare händelse.`);
    const bad = await s.cli(["audit", "verify", "--expect", "12:abc"]);
    expect(bad.code).toBe(2);
    oneLine(bad.stderr);
  });
});

describe("check", () => {
  it("passes a sound register and lists a missing file, a changed file and a broken reference", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const a = await storeFile(s, "2026-000001", "packet one");
    const b = await storeFile(s, "2026-000002", "packet two", false);
    const good = await s.cliJson(["check"]);
    expect(good).toMatchObject({ ok: true, integrity: "ok", files: 2, persons: 4, problems: [] });
    expect((await s.cli(["check"])).stdout).toMatch(/Registret är helt/);

    const home = data(s);
    unlinkSync(join(home, "files", a.slice(0, 2), a));
    writeFileSync(join(home, "files", b.slice(0, 2), b), "packet two, changed");
    const db = openRaw(home);
    db.pragma("foreign_keys = OFF");
    db.prepare("INSERT INTO case_refs (case_id, system, external_id) VALUES (999, 'synergi', '1')").run();
    db.close();

    const r = await s.cli(["check"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Lagrad fil ${a.slice(0, 12)} saknas \\(handling 2026-000001:2\\)`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Lagrad fil ${b.slice(0, 12)} har ändrats \\(handling 2026-000002:2\\)`)));
    expect(lines).toContainEqual(expect.stringMatching(/case_refs .* cases/));
  });

  it("reports a damaged database, and commands refuse a file that is not a database with one line", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const file = join(data(s), "avvik.db");
    // Damage every page of the tables and indexes, none of the schema's (a damaged schema cannot be opened at
    // all; that case follows below).
    const raw = new Database(file);
    raw.pragma("wal_checkpoint(TRUNCATE)");
    const schema = new Set(raw.prepare("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'").pluck().all() as number[]);
    raw.close();
    const bytes = readFileSync(file);
    for (let page = 2; page <= bytes.length / 4096; page++) {
      if (!schema.has(page)) bytes.fill(0xff, (page - 1) * 4096 + 100, (page - 1) * 4096 + 160);
    }
    writeFileSync(file, bytes);
    const r = await s.cli(["check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Databasen är skadad: /m);
    expect(r.stderr).not.toMatch(/Oväntat fel/);
    writeFileSync(file, "this is not a database at all, just text ".repeat(200));
    for (const args of [["case", "list"], ["check"], ["audit", "verify"]]) {
      const bad = await s.cli(args);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/skadad eller ingen avvik-databas/);
      oneLine(bad.stderr);
    }
  });

  it("reports a key readable by others and a missing key", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const key = join(data(s), "key");
    chmodSync(key, 0o644);
    const r = await s.cli(["check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kan läsas av andra \(rättigheter 0644\)/);
    chmodSync(key, 0o600);
    unlinkSync(key);
    const missing = await s.cli(["check"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Nyckelfilen .* saknas/);
  });
});

describe("backup and restore", () => {
  it("backs up while others write, refuses to overwrite, leaves the key out, and restores to a working register", async () => {
    s = linkoping();
    await registerWithPersons(s);
    const hash = await storeFile(s, "2026-000001", "a packet with personal data");
    const target = join(s.home, "backup.avvik");
    const writers = Array.from({ length: 2 }, () =>
      s.spawnSeries(Array.from({ length: 4 }, () => [...outgoingCase(["--person", `${MARTA}:${MARTA_NAME}`]), "--json"])),
    );
    const backup = s.spawn(["backup", target, "--json"]);
    const [b, ...rest] = await Promise.all([backup, ...writers]);
    expect(b!.code, b!.stderr).toBe(0);
    expect(rest.flat().filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const info = JSON.parse(b!.stdout);
    expect(info).toMatchObject({ file: target, files: 1, keyIncluded: false });
    expect(b!.stderr).toMatch(/Nyckelfilen ingår inte/);
    expect(statSync(target).mode & 0o077).toBe(0);

    const again = await s.cli(["backup", target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    oneLine(again.stderr);
    expect((await s.cli(["backup", target, "--force"])).code).toBe(0);
    expect((await s.cli(["backup", join(data(s), "inside.db")])).code).toBe(1);

    // The backup holds neither the key nor any personal data in clear.
    const key = readFileSync(join(data(s), "key"), "utf8").trim();
    expect(scan([target], [key, Buffer.from(key, "base64"), ...NUMBERS, ...NAMES])).toEqual([]);

    const restored = join(s.home, "restored");
    const env = { AVVIK_HOME: restored };
    const r = await s.cliJson(["restore", target], { env });
    expect(r).toMatchObject({ home: restored, files: 1 });
    expect(existsSync(join(restored, "files", hash.slice(0, 2), hash))).toBe(true);
    // Without the key the restored register cannot show persons; with it, it is whole.
    const noKey = await s.cli(["check"], { env });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/saknas/);
    copyFileSync(join(data(s), "key"), join(restored, "key"));
    expect(await s.cliJson(["check"], { env })).toMatchObject({ ok: true, files: 1 });
    const original = (await s.cliJson(["case", "list"])).map((c: any) => c.diaryNumber);
    const copy = (await s.cliJson(["case", "list"], { env })).map((c: any) => c.diaryNumber);
    expect(copy).toEqual(original.slice(0, copy.length));
    expect(copy.length).toBeGreaterThanOrEqual(3);
    expect((await s.cli(["case", "show", "2026-000001", "--reveal"], { env })).stdout).toContain(TOLVAN_NAME);
    // The restored register works: a new case gets the next number.
    expect((await s.cliJson(outgoingCase(), { env })).diaryNumber).toBe(`2026-${String(copy.length + 1).padStart(6, "0")}`);

    // Restoring over a register is refused.
    const over = await s.cli(["restore", target], { env });
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/inte tom/);
    // A file that is not a backup is refused.
    const junk = join(s.home, "junk.db");
    writeFileSync(junk, "not a database");
    const bad = await s.cli(["restore", junk], { env: { AVVIK_HOME: join(s.home, "r2") } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ingen säkerhetskopia/);
    expect(existsSync(join(s.home, "r2", "avvik.db"))).toBe(false);
  });

  it("refuses a backup whose stored paths would leave the data directory", async () => {
    s = linkoping();
    const target = join(s.home, "evil.avvik");
    expect((await s.cli(["backup", target])).code).toBe(0);
    const db = new Database(target);
    db.prepare("INSERT INTO backup_files (path, data) VALUES (?, ?)").run("../../outside.txt", Buffer.from("x"));
    db.close();
    const home = join(s.home, "restored");
    const r = await s.cli(["restore", target], { env: { AVVIK_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/otillåten sökväg/);
    expect(existsSync(join(s.home, "outside.txt"))).toBe(false);
    expect(existsSync(join(home, "avvik.db"))).toBe(false);
  });
});

describe("purge (gallring)", () => {
  it("erases the personal data of cases closed before the date, keeps the diary, the cases and a record", async () => {
    s = linkoping();
    await registerWithPersons(s); // 2026-000001 (2 persons), -000002 (1), -000003 (1)
    const packet = await storeFile(s, "2026-000001", `Följesedel ${TOLVAN} ${TOLVAN_NAME}`);
    const shared = await storeFile(s, "2026-000003", "ej gallrad handling");
    const close = async (ref: string, steps: string[], now: string) => {
      for (const st of steps) await s.cliJson(["case", "status", ref, st], { env: { AVVIK_NOW: now } });
    };
    await close("2026-000001", ["sent", "answered", "followed_up", "closed"], "2026-04-01T10:00:00");
    await close("2026-000002", ["assigned", "investigating", "answered", "followed_up", "closed"], "2026-06-01T10:00:00");
    const later = { env: { AVVIK_NOW: "2026-07-01T10:00:00" } };

    const home = data(s);
    const db = openRaw(home, true);
    const ciphertexts = (db.prepare("SELECT sealed, pnr_hash FROM persons p JOIN cases c ON c.id = p.case_id WHERE c.diary_number = '2026-000001'").all() as any[]).flatMap(
      (r) => [r.sealed as Buffer, r.pnr_hash as Buffer],
    );
    db.close();
    expect(scan(filesUnder(home), ciphertexts).length).toBeGreaterThan(0);
    const diaryBefore = await s.cliJson(["diary", "list"], later);
    const casesBefore = await s.cliJson(["case", "list"], later);

    // Without a terminal and without --yes: a usage error naming --yes, nothing done.
    const refused = await s.cli(["purge", "--closed-before", "2026-05-01"], later);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    oneLine(refused.stderr);
    expect(await s.cliJson(["purge", "--closed-before", "2026-05-01", "--dry-run"], later)).toMatchObject({ cases: 1, persons: 2, files: 1, dryRun: true });

    const r = await s.cliJson(["purge", "--closed-before", "2026-05-01", "--yes"], later);
    expect(r).toMatchObject({ closedBefore: "2026-05-01", cases: 1, persons: 2, files: 1, erasedFiles: 1, walTruncated: true });

    // The personal data is gone, also from the raw bytes (the old ciphertexts are not left in free pages or the WAL).
    expect((await s.cliJson(["case", "show", "2026-000001", "--reveal"], later)).persons).toEqual([]);
    expect(scan(filesUnder(home), ciphertexts)).toEqual([]);
    expect(existsSync(join(home, "files", packet.slice(0, 2), packet))).toBe(false);
    expect(existsSync(join(home, "files", shared.slice(0, 2), shared))).toBe(true);
    // Cases closed later, and open cases, keep theirs.
    expect((await s.cliJson(["case", "show", "2026-000002"], later)).persons).toHaveLength(1);
    expect((await s.cliJson(["case", "show", "2026-000003"], later)).persons).toHaveLength(1);
    // The diary and the case data for statistics stay as they were.
    expect(await s.cliJson(["diary", "list"], later)).toEqual(diaryBefore);
    const casesAfter = await s.cliJson(["case", "list"], later);
    expect(casesAfter.map((c: any) => ({ ...c, persons: [] }))).toEqual(casesBefore.map((c: any) => ({ ...c, persons: [] })));
    // A record of the purge, counts only.
    const events = (await s.cliJson(["audit", "list"], later)).filter((e: any) => e.action === "purge");
    expect(events).toEqual([expect.objectContaining({ details: { closedBefore: "2026-05-01", cases: 1, persons: 2, files: 1 } })]);
    expect(await s.cliJson(["check"], later)).toMatchObject({ ok: true });
    // Running it again erases nothing more and records nothing more.
    expect(await s.cliJson(["purge", "--closed-before", "2026-05-01", "--yes"], later)).toMatchObject({ cases: 0, persons: 0, files: 0 });
    expect((await s.cliJson(["audit", "list"], later)).filter((e: any) => e.action === "purge")).toHaveLength(1);
  });

  it.skipIf(!existsSync("/usr/bin/script"))("asks for confirmation in a terminal: no keeps everything, yes purges", async () => {
    s = linkoping();
    await registerWithPersons(s);
    for (const st of ["sent", "answered", "followed_up", "closed"]) await s.cliJson(["case", "status", "2026-000001", st]);
    // util-linux `script` gives the command a pseudo-terminal; the answer is typed into it.
    const inTerminal = (answer: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const command = [process.execPath, BIN, "purge", "--closed-before", "2026-03-11"].map((a) => `'${a}'`).join(" ");
        const child = spawn("script", ["-qfec", command, "/dev/null"], { env: s.env, cwd: s.home });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("close", (code) => resolve({ code, out }));
        child.stdin.write(`${answer}\r`);
      });
    const no = await inTerminal("n");
    expect(no.out).toMatch(/Radera personuppgifterna\?/);
    expect(no.out).toMatch(/Ingen gallring gjord/);
    expect(no.code).toBe(130);
    expect((await s.cliJson(["case", "show", "2026-000001"])).persons).toHaveLength(2);
    const yes = await inTerminal("y");
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/Gallrat före 2026-03-11/);
    expect((await s.cliJson(["case", "show", "2026-000001"])).persons).toEqual([]);
  });

  it("derives the date from the retention period when --closed-before is not given", async () => {
    s = linkoping();
    await registerWithPersons(s);
    for (const st of ["sent", "answered", "followed_up", "closed"]) await s.cliJson(["case", "status", "2026-000001", st]);
    const none = await s.cli(["purge", "--yes"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--closed-before saknas/);
    expect(await s.cliJson(["retention", "2"])).toEqual({ years: 2, closedBefore: "2024-03-10" });
    expect((await s.cli(["retention", "0"])).code).toBe(2);
    // Two years later (minus a day) nothing is due; a day after that it is.
    expect(await s.cliJson(["purge", "--yes"], { env: { AVVIK_NOW: "2028-03-10T09:00:00" } })).toMatchObject({ closedBefore: "2026-03-10", persons: 0 });
    expect(await s.cliJson(["purge", "--yes"], { env: { AVVIK_NOW: "2028-03-11T09:00:00" } })).toMatchObject({ closedBefore: "2026-03-11", cases: 1, persons: 2 });
  });
});

describe("several writers and readers at once", () => {
  it("never shows 'database is locked' and keeps the register whole", async () => {
    s = linkoping();
    await registerWithPersons(s);
    // Seven processes, each running its six commands one after another (each opening and closing the register
    // as a process of its own does).
    const writer = () => s.spawnSeries(Array.from({ length: 6 }, () => [...outgoingCase(["--person", `${TOLVAN}:${TOLVAN_NAME}`]), "--json"]));
    const reader = (args: string[]) => s.spawnSeries(Array.from({ length: 6 }, () => args));
    const all = (
      await Promise.all([
        writer(),
        writer(),
        writer(),
        reader(["case", "list", "--json"]),
        reader(["case", "show", "2026-000001", "--reveal", "--json"]),
        reader(["audit", "verify", "--json"]),
        reader(["check", "--json"]),
      ])
    ).flat();
    expect(all.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    expect(all.filter((r) => /locked|upptaget|busy/i.test(r.stderr))).toEqual([]);
    const numbers = (await s.cliJson(["case", "list"])).map((c: any) => c.diaryNumber);
    expect(numbers).toEqual(Array.from({ length: 21 }, (_, i) => `2026-${String(i + 1).padStart(6, "0")}`));
    expect(await s.cliJson(["check"])).toMatchObject({ ok: true });
  });
});

describe("hostile and broken input", () => {
  it("refuses each with one line and exit 1 or 2, and writes nothing", async () => {
    s = linkoping();
    const home = data(s);
    const before = (await s.cliJson(["audit", "verify"])).events;
    const long = "x".repeat(301);
    const aFile = join(s.home, "a-file");
    writeFileSync(aFile, "hello");
    const dirFile = (name: string, content: string) => {
      const f = join(s.home, name);
      writeFileSync(f, content);
      return f;
    };
    const org = (extra: object) => JSON.stringify({ orgs: [{ id: "ny-kommun", name: "Ny kommun", kind: "municipality", ...extra }] });
    const cases: Array<[string[], number, RegExp, NodeJS.ProcessEnv?]> = [
      [outgoingCase(["--event-date", "2026-02-29"]), 2, /--event-date: '2026-02-29' är inget giltigt datum/],
      [outgoingCase(["--discovered-date", "2026-3-2"]), 2, /--discovered-date/],
      [outgoingCase(["--event-date", "igår"]), 2, /inget giltigt datum/],
      [outgoingCase(["--received-date", "0000-01-01"]), 2, /--received-date/],
      [outgoingCase(["--person", "19121212-1213:Tolvan"]), 2, /fel kontrollsiffra/],
      [outgoingCase(["--person", "19120230-1210"]), 2, /datumet finns inte/],
      [outgoingCase(["--person", pnr("19701092238")]), 2, /datumet finns inte/],
      [outgoingCase(["--person", "abc"]), 2, /fel form/],
      [outgoingCase(["--person", `${TOLVAN}:Tolvan\u0007`]), 2, /--person/],
      [outgoingCase(["--area", "hjarta"]), 2, /--area: 'hjarta' är okänt/],
      [outgoingCase(["--direction", "sideways"]), 2, /--direction/],
      [outgoingCase(["--summary", long]), 2, /--summary är tom eller för lång \(högst 300 tecken\)/],
      [outgoingCase(["--description", "y".repeat(4001)]), 2, /--description/],
      [outgoingCase(["--summary", "Rött \u001b[31mlarm"]), 2, /--summary/],
      [outgoingCase(["--summary", "Vänd \u202etext"]), 2, /--summary/],
      [outgoingCase(["--summary", "   "]), 2, /--summary/],
      [outgoingCase(["--ref", "treserva:19121212-1212"]), 1, /--ref innehåller ett personnummer/],
      [outgoingCase(["--description", "Patienten 121212-1212 föll"]), 1, /--description innehåller ett personnummer/],
      [["org", "add", "--id", "../etc", "--name", "X", "--kind", "region"], 2, /--id/],
      [["org", "add", "--id", "privat", "--name", `Hos ${TOLVAN}`, "--kind", "private"], 1, /personnummer/],
      [["org", "add", "--id", "x", "--name", "X", "--kind", "hospital"], 2, /--kind/],
      [["org", "import", "/etc/passwd"], 1, /kan inte läsas/],
      [["org", "import", join(s.home, "missing.json")], 1, /kan inte läsas/],
      [["org", "import", "/dev/zero"], 1, /ingen vanlig fil/],
      [["org", "import", s.home], 1, /ingen vanlig fil/],
      [["org", "import", dirFile("huge.json", " ".repeat(6 * 1024 * 1024))], 1, /större än 5 MB/],
      [["org", "import", dirFile("garbage.json", "\u0000\u0001{{{")], 1, /kan inte läsas/],
      [["org", "import", dirFile("id.json", org({ id: "../../x" }))], 1, /orgs\[0\]: id/],
      [["org", "import", dirFile("name.json", org({ name: "x".repeat(301) }))], 1, /orgs\[0\]: name/],
      [["org", "import", dirFile("ctl.json", org({ name: "Ny\u001b[2Jkommun" }))], 1, /orgs\[0\]: name/],
      [["org", "import", dirFile("months.json", org({ deadlineMonths: -3 }))], 1, /deadlineMonths/],
      [["org", "import", dirFile("mail.json", org({ contacts: [{ role: "mas", name: "A", email: "nope" }] }))], 1, /email/],
      [["org", "import", dirFile("pnr.json", org({ name: `Hemtjänst ${TOLVAN}` }))], 1, /personnummer/],
      [["contact", "add", "--org", "linkoping", "--role", "boss", "--name", "A", "--email", "a@b.se"], 2, /--role/],
      [["contact", "add", "--org", "linkoping", "--role", "mas", "--name", "A", "--email", "not-an-address"], 2, /--email/],
      [["diary", "add", "1", "--direction", "in", "--subject", "Svar", "--date", "2026-04-31"], 2, /--date/],
      [["diary", "list", "--year", "20260"], 2, /--year/],
      [["case", "list", "--limit", "-1"], 2, /--limit/],
      [["case", "list", "--status", "closed\n\u001b[2Jfake second line"], 2, /--status: 'closed\?\?\[2Jfake second line' är okänt/],
      [["case", "list", "--x\u001b]0;title\u0007"], 2, /Okänd flagga '--x\?\]0;title\?'/],
      [outgoingCase(["--ref", `sys:${"1".repeat(500)}`]), 2, /…' ska ha formen SYSTEM:ID/],
      [["org", "add", "--id", "q", "--name", "Q", "--kind", "region", "--deadline-months", "1000000"], 2, /högst 120/],
      [["case", "list", "--due-within", "many"], 2, /--due-within/],
      [["case", "show", "../../etc/passwd"], 1, /Inget ärende/],
      [["audit", "list", "--case", "2026-999999"], 1, /Inget ärende/],
      [["purge", "--closed-before", "2026-02-30", "--yes"], 2, /--closed-before/],
      [["retention", "many"], 2, /YEARS/],
      [["backup", join(s.home, "no-such-dir", "b.db")], 1, /finns inte/],
      [["case", "list"], 1, /är en fil, inte en katalog/, { AVVIK_HOME: aFile }],
      [["init", "--org-id", "x", "--org-name", "X"], 1, /är en fil, inte en katalog/, { AVVIK_HOME: aFile }],
      [["case", "list"], 2, /AVVIK_NOW/, { AVVIK_NOW: "next tuesday" }],
    ];
    for (const [args, code, message, env] of cases) {
      const r = await s.cli(args, { env });
      expect({ args: args.join(" ").slice(0, 120), code: r.code }).toEqual({ args: args.join(" ").slice(0, 120), code });
      expect(r.stderr).toMatch(message);
      oneLine(r.stderr);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/); // no terminal escapes echoed back
    }
    expect(readFileSync(aFile, "utf8")).toBe("hello");
    expect(await s.cliJson(["case", "list"])).toEqual([]);
    expect(await s.cliJson(["diary", "list"])).toEqual([]);
    expect((await s.cliJson(["audit", "verify"])).events).toBe(before);
    expect(await s.cliJson(["check"])).toMatchObject({ ok: true });
    rmSync(join(s.home, "no-such-dir"), { recursive: true, force: true });
    expect(existsSync(join(home, "files"))).toBe(false);
  });
});
