// `avvik doctor`: checks the installation and says plainly what to fix, one line per finding.
// The checks are a list: ADD A CHECK by appending to CHECKS (e.g. the SMTP check of the mail area:
// connect, send nothing) with its texts under `doctor.*` in the catalogues.

import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MessageError, reasonOf } from "../../core/errors.js";
import { isMessageKey, type MessageKey, type Params, type Translate } from "../../i18n/index.js";
import { TEMPLATES_DIR } from "../../paths.js";
import { configFilePath, getPath, readConfigFile, type ConfigTree } from "../../store/configFile.js";
import type { DatabaseHealth } from "../../store/health.js";
import { action } from "../command.js";
import { CONFIG_KEYS } from "../config.js";
import type { Context } from "../context.js";
import { EXIT } from "../errors.js";
import { examples } from "../help.js";

export type FindingStatus = "ok" | "warn" | "fail";

export interface Finding {
  check: string;
  status: FindingStatus;
  message: string;
}

/** What a check may look at; the database is inspected once, read-only, and shared. */
export interface DoctorEnv {
  ctx: Context;
  home: string;
  keyFile: string;
  database(): DatabaseHealth;
  /** The register's database as shown: the SQLite file, or the PostgreSQL URL without its password. */
  databaseName: string;
  /** Whether the register is on PostgreSQL (AVVIK_DATABASE_URL or database.url). */
  postgres: boolean;
  /** The read-only inspection functions of src/store/health.ts (loaded only when doctor runs). */
  health: typeof import("../../store/health.js");
}

export interface DoctorCheck {
  id: string;
  run(env: DoctorEnv): Finding[] | Promise<Finding[]>;
}

/** A server on this machine: a connection to it without TLS leaves nothing on a network. */
const isLoopback = (host: string | undefined) => host === "localhost" || host === "::1" || host === "[::1]" || (host ?? "").startsWith("127.");

const mode = (file: string) => statSync(file).mode & 0o777;
const octal = (m: number) => m.toString(8).padStart(3, "0");

function finding(t: Translate, check: string, status: FindingStatus, key: MessageKey, params: Params = {}): Finding {
  return { check, status, message: t(key, params) };
}

const homeCheck: DoctorCheck = {
  id: "home",
  run({ ctx, home }) {
    const f = (s: FindingStatus, k: MessageKey, p: Params = {}) => [finding(ctx.t, "home", s, k, { dir: home, ...p })];
    if (!existsSync(home)) return f("fail", "doctor.home.missing");
    if (!statSync(home).isDirectory()) return f("fail", "doctor.home.notDir");
    const m = mode(home);
    if (m & 0o077) return f("fail", "doctor.home.open", { mode: octal(m) });
    return f("ok", "doctor.home.ok", { mode: octal(m) });
  },
};

const databaseCheck: DoctorCheck = {
  id: "database",
  run({ ctx, database, databaseName, postgres }) {
    const file = databaseName;
    const f = (s: FindingStatus, k: MessageKey, p: Params = {}) => finding(ctx.t, "database", s, k, { file, ...p });
    const h = database();
    if (!h.exists) return [f("fail", "doctor.db.missing")];
    if (h.error) return [f("fail", postgres ? "doctor.db.unreachable" : "doctor.db.unreadable", { reason: h.error })];
    if (h.quickCheck !== "ok") return [f("fail", "doctor.db.corrupt", { reason: (h.quickCheck ?? "").slice(0, 200) })];
    const out: Finding[] = [];
    if ((h.version ?? 0) > h.latest) out.push(f("fail", "doctor.db.newer", { version: h.version, latest: h.latest }));
    else if ((h.version ?? 0) < h.latest) out.push(f("warn", "doctor.db.older", { version: h.version, latest: h.latest }));
    if (!h.initialised) out.push(f("fail", "doctor.db.notInitialised"));
    if (!out.some((x) => x.status === "fail")) out.unshift(f("ok", "doctor.db.ok", { version: h.version, cases: h.cases ?? 0 }));
    if (postgres) out.push(h.tls ? f("ok", "doctor.db.tls") : f(isLoopback(h.host) ? "ok" : "warn", isLoopback(h.host) ? "doctor.db.plainLocal" : "doctor.db.plain", { host: h.host ?? "" }));
    return out;
  },
};

const keyCheck: DoctorCheck = {
  id: "key",
  run({ ctx, keyFile, database, health }) {
    const f = (s: FindingStatus, k: MessageKey, p: Params = {}) => finding(ctx.t, "key", s, k, { file: keyFile, ...p });
    if (!existsSync(keyFile)) return [f("fail", "doctor.key.missing")];
    const out: Finding[] = [];
    const m = mode(keyFile);
    if (m & 0o077) out.push(f("fail", "doctor.key.open", { mode: octal(m) }));
    const h = database();
    const problem = health.tryKey(keyFile, h.error ? undefined : h.sampleEncrypted);
    if (problem === "invalid") out.push(f("fail", "doctor.key.invalid"));
    else if (problem === "wrong") out.push(f("fail", "doctor.key.wrong"));
    if (!out.length) out.push(f("ok", h.sampleEncrypted ? "doctor.key.ok" : "doctor.key.okNoPersons", { mode: octal(m) }));
    return out;
  },
};

const templatesCheck: DoctorCheck = {
  id: "templates",
  run({ ctx }) {
    const f = (s: FindingStatus, k: MessageKey, p: Params = {}) => [finding(ctx.t, "templates", s, k, { dir: TEMPLATES_DIR, ...p })];
    if (!existsSync(TEMPLATES_DIR) || !statSync(TEMPLATES_DIR).isDirectory()) return f("fail", "doctor.templates.missing");
    try {
      const files = readdirSync(TEMPLATES_DIR).filter((n) => !n.startsWith("."));
      return f("ok", "doctor.templates.ok", { n: files.length });
    } catch (e) {
      return f("fail", "doctor.templates.unreadable", { reason: reasonOf(e, { path: TEMPLATES_DIR, dir: true }) });
    }
  },
};

const configCheck: DoctorCheck = {
  id: "config",
  run({ ctx, home }) {
    const file = configFilePath(home);
    const f = (s: FindingStatus, k: MessageKey, p: Params = {}) => finding(ctx.t, "config", s, k, { file, ...p });
    if (!existsSync(file)) return [f("ok", "doctor.config.none")];
    let tree: ConfigTree;
    try {
      tree = readConfigFile(home);
    } catch (e) {
      return [f("fail", "doctor.config.malformed", { reason: reasonOf(e) })];
    }
    const out: Finding[] = [];
    for (const k of CONFIG_KEYS) {
      if (k.storage.in !== "file" || !k.parse) continue;
      const v = getPath(tree, k.storage.path);
      if (v === undefined) continue;
      try {
        k.parse(String(v), ctx.t, k.key);
      } catch {
        out.push(f("fail", "doctor.config.badValue", { key: k.key, value: String(v) }));
      }
    }
    return out.length ? out : [f("ok", "doctor.config.ok")];
  },
};

/** The checks, in the order they are reported. Append new ones here. */
const smtpCheck: DoctorCheck = {
  id: "smtp",
  async run({ ctx, home }) {
    const f = (st: FindingStatus, k: MessageKey, p: Params = {}) => [finding(ctx.t, "smtp", st, k, p)];
    const { loadMailOptions, resolveSmtp } = await import("../../mail/config.js");
    let smtp;
    let timeoutSeconds = 10;
    try {
      smtp = resolveSmtp(home, ctx.env);
      timeoutSeconds = Math.min(loadMailOptions(home, ctx.env).timeoutSeconds, 10);
    } catch (e) {
      const text = e instanceof MessageError && isMessageKey(e.key) ? ctx.t(e.key, e.params) : e instanceof Error ? e.message : String(e);
      return f("fail", "doctor.smtp.config", { reason: text });
    }
    if (!smtp) return f("warn", "doctor.smtp.none", { dir: join(home, "outbox", "sent") });
    const { verifySmtp } = await import("../../mail/deliver.js");
    try {
      await verifySmtp(smtp, timeoutSeconds * 1000);
      return f("ok", "doctor.smtp.ok", { host: smtp.host, port: smtp.port });
    } catch (e) {
      return f("fail", "doctor.smtp.unreachable", { host: smtp.host, port: smtp.port, reason: reasonOf(e, { host: "" }) }); // the line names the server already
    }
  },
};

/**
 * The envelope window (templates/letters/common.json) and the directory's addresses: the window setting is usable
 * and every organisation post may go to has an address block that fits it (else the packet to it is refused).
 * Only for a register at the current schema (doctor changes nothing).
 */
const lettersCheck: DoctorCheck = {
  id: "letters",
  async run({ ctx, database }) {
    const h = database();
    if (!h.exists || h.error || !h.initialised || h.version !== h.latest) return [];
    const { checkWindow } = await import("../../documents/window.js");
    const r = await checkWindow(await ctx.store());
    const w = r.window;
    const window = `${w.side === "right" ? "H2" : "V2"} ${w.leftMm}/${w.topMm}/${w.widthMm}/${w.heightMm} mm`;
    const text = (e: MessageError) => (isMessageKey(e.key) ? ctx.t(e.key, e.params) : e.message);
    if (r.error) return [finding(ctx.t, "letters", "fail", "doctor.letters.window", { reason: text(r.error) })];
    if (r.misfits.length) return r.misfits.map((e) => finding(ctx.t, "letters", "fail", "doctor.letters.misfit", { ...e.params, window }));
    if (!r.longest) return [finding(ctx.t, "letters", "ok", "doctor.letters.empty", { window })];
    return [finding(ctx.t, "letters", "ok", "doctor.letters.ok", { window, n: r.checked, org: r.longest.org, lines: r.longest.lines, size: r.longest.size.toLocaleString(ctx.lang === "en" ? "en-GB" : "sv-SE") })];
  },
};

/** Failed e-mail (refused for good, or out of attempts): reported only when there is some. */
const outboxCheck: DoctorCheck = {
  id: "outbox",
  run({ ctx, database }) {
    const h = database();
    if (!h.mailFailed) return [];
    return [finding(ctx.t, "outbox", "warn", "doctor.outbox.failed", { n: h.mailFailed })];
  },
};

export const CHECKS: DoctorCheck[] = [homeCheck, databaseCheck, keyCheck, templatesCheck, configCheck, lettersCheck, smtpCheck, outboxCheck];

export function registerDoctor(program: Command, t: Translate): void {
  const cmd = program.command("doctor").description(t("help.doctor")).option("--json", t("help.json")).action(action(doctor));
  examples(cmd, [
    { say: "ex.doctor", run: "avvik doctor" },
    { say: "ex.doctorHome", run: "avvik doctor --home /srv/avvik --json" },
  ]);
}

export async function runChecks(ctx: Context): Promise<Finding[]> {
  const health = await import("../../store/health.js");
  const url = ctx.databaseUrl;
  let db: DatabaseHealth | undefined = url ? await health.inspectPostgres(url) : undefined;
  const env: DoctorEnv = {
    health,
    ctx,
    home: ctx.home,
    keyFile: ctx.keyFile ?? join(ctx.home, "key"),
    database: () => (db ??= health.inspectDatabase(health.databaseFile(ctx.home))),
    databaseName: url ? health.shownUrl(url) : health.databaseFile(ctx.home),
    postgres: url !== undefined,
  };
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    try {
      findings.push(...(await check.run(env)));
    } catch (e) {
      findings.push({ check: check.id, status: "fail", message: ctx.t("doctor.crashed", { check: check.id, reason: e instanceof Error ? e.message : String(e) }) });
    }
  }
  return findings;
}

async function doctor(ctx: Context): Promise<void> {
  const findings = await runChecks(ctx);
  const ok = !findings.some((f) => f.status === "fail");
  ctx.out.result({ ok, findings }, () => {
    const mark = { ok: ctx.out.style("green", "✓"), warn: ctx.out.style("yellow", "!"), fail: ctx.out.style("red", "✗") };
    for (const f of findings) ctx.out.line(`${mark[f.status]} ${f.message}`);
    ctx.out.line(ok ? ctx.t("doctor.allWell") : ctx.t("doctor.problems", { n: findings.filter((f) => f.status === "fail").length }));
  });
  if (!ok) ctx.setExitCode(EXIT.failed);
}
