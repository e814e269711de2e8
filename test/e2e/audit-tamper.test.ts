// An emptied or shortened audit trail (issue 12): cases and diary entries must keep the events that created
// them, the head is printed to be kept outside the register, and `--expect` finds a trail cut short.

import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, linkoping, outgoingCase, type Sandbox } from "../helpers/cli.js";
import { openRaw } from "../helpers/protection.js";

let s: Sandbox;
afterEach(() => s?.cleanup());

const data = (sb: Sandbox) => sb.env.AVVIK_HOME!;

/** Five cases from a Synergi export: one `import` event for all of them, none per case. */
async function importFive(sb: Sandbox): Promise<number[]> {
  const file = join(sb.home, "synergi.csv");
  copyFileSync(join(ROOT, "fixtures", "exports", "synergi-vecka10.csv"), file);
  expect(await sb.cliJson(["import", file, "--profile", "synergi"])).toMatchObject({ created: 5 });
  return (await sb.cliJson(["case", "list"])).filter((c: any) => c.diaryNumber === null).map((c: any) => c.id).sort((x: number, y: number) => x - y);
}

/** As an attacker with write access to the database file: no triggers, raw SQL. */
function tamper(sb: Sandbox, sql: (db: ReturnType<typeof openRaw>) => void): void {
  const db = openRaw(data(sb));
  try {
    db.exec("DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS audit_no_update;");
    sql(db);
  } finally {
    db.close();
  }
}

async function failsWith(sb: Sandbox, args: string[]): Promise<string[]> {
  const r = await sb.cli(args);
  expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 1, stdout: "" });
  return r.stderr.trim().split("\n");
}

describe("an emptied audit trail", () => {
  it("fails audit verify and check when every event and the head were deleted from a register full of cases", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    await s.cliJson(outgoingCase());
    const imported = await importFive(s);
    // The imported cases are covered by the one import event, without an event per case.
    expect((await s.cliJson(["audit", "list"])).filter((e: any) => imported.includes(e.caseId))).toEqual([]);
    expect(await s.cliJson(["audit", "verify"])).toMatchObject({ ok: true, problems: [] });
    expect((await s.cli(["check"])).code).toBe(0);

    tamper(s, (db) => {
      db.exec("DELETE FROM audit");
      db.prepare("DELETE FROM settings WHERE key = 'audit_head'").run();
    });

    expect(await failsWith(s, ["audit", "verify"])).toEqual([
      "Händelseloggen är tom fast registret är upprättat: händelserna har tagits bort.",
      `Ärenden utan händelsen som registrerade dem: 2026-000001, 2026-000002, ${imported.slice(0, 3).join(", ")}, … (7 st); händelser har tagits bort ur loggen.`,
      "Diarieposter utan händelsen som diarieförde dem: 2026-000001:1, 2026-000002:1 (2 st); händelser har tagits bort ur loggen.",
    ]);
    const json = JSON.parse((await s.cli(["audit", "verify", "--json"])).stdout);
    expect(json).toMatchObject({ ok: false, events: 0, head: null });
    expect(json.problems.map((p: any) => [p.kind, p.what ?? null, p.count ?? null])).toEqual([["empty", null, null], ["unrecorded", "case", 7], ["unrecorded", "document", 2]]);
    const check = await s.cli(["check", "--json"]);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).problems.filter((p: any) => p.kind === "audit").map((p: any) => p.problem.kind)).toEqual(["empty", "unrecorded", "unrecorded"]);
  });

  it("finds the cases and diary entries of events cut from the end, also when the head was moved back with them", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const keep = (await s.cliJson(["audit", "verify"])).head as { id: number; hash: string };
    const imported = await importFive(s);
    await s.cliJson(outgoingCase());
    expect((await s.cli(["audit", "verify"])).code).toBe(0);

    // Everything after `keep` goes (the import event among it), and the head is set back to `keep`: the
    // chain itself is whole.
    tamper(s, (db) => {
      db.prepare("DELETE FROM audit WHERE id > ?").run(keep.id);
      db.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(JSON.stringify(keep));
    });
    expect(await failsWith(s, ["audit", "verify"])).toEqual([
      `Ärenden utan händelsen som registrerade dem: ${imported.join(", ")}, … (6 st); händelser har tagits bort ur loggen.`,
      "Diarieposter utan händelsen som diarieförde dem: 2026-000002:1 (1 st); händelser har tagits bort ur loggen.",
    ]);
    expect((await s.cli(["check"])).code).toBe(1);
  });
});

describe("the head kept outside the register", () => {
  it("is printed by audit verify and carried by the summary; --expect finds a trail cut short before it", async () => {
    s = linkoping();
    await s.cliJson(outgoingCase());
    const verified = (await s.cliJson(["audit", "verify"])).head as { id: number; hash: string };
    const human = await s.cli(["audit", "verify"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${verified.id}:${verified.hash}`);

    // The morning summary (text and JSON) names the head after its own run is recorded.
    const summary = await s.cliJson(["summary", "--format", "json"]);
    expect(summary.auditHead).toEqual({ id: verified.id + 1, hash: (await s.cliJson(["audit", "verify"])).head.hash });
    const text = await s.cli(["summary", "--peek"]);
    const noted = (await s.cliJson(["audit", "verify"])).head as { id: number; hash: string };
    expect(text.stdout).toContain(`Händelseloggens slutpunkt: ${noted.id}:${noted.hash}`);
    expect((await s.cliJson(["audit", "verify", "--expect", `${noted.id}:${noted.hash}`])).ok).toBe(true);

    await s.cliJson(["case", "status", "2026-000001", "sent"]);
    await s.cli(["summary"]);
    expect((await s.cliJson(["audit", "verify", "--expect", `${noted.id}:${noted.hash}`])).ok).toBe(true);

    // The summary runs and the status change are cut from the trail and the head is moved back: no case or
    // diary entry lost its event, so only the noted head can tell.
    tamper(s, (db) => {
      const back = db.prepare("SELECT id, hash FROM audit WHERE id = ?").get(verified.id) as { id: number; hash: string };
      db.prepare("DELETE FROM audit WHERE id > ?").run(verified.id);
      db.prepare("UPDATE settings SET value = ? WHERE key = 'audit_head'").run(JSON.stringify(back));
    });
    expect((await s.cli(["audit", "verify"])).code).toBe(0); // the documented limit without a noted head
    expect(await failsWith(s, ["audit", "verify", "--expect", `${noted.id}:${noted.hash}`])).toEqual([
      `Händelse ${noted.id}, som noterades, finns inte längre: loggen har kortats eller skrivits om.`,
    ]);
  });
});
