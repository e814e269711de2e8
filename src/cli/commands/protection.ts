// Section 6 of the CLI contract: `audit verify`, `check`, `backup`, `restore`, `purge` and `retention`.

import type { Command } from "commander";
import { InterruptedError, UsageError } from "../../core/errors.js";
import { isMessageKey, type MessageKey, type Translate } from "../../i18n/index.js";
import type { AuditProblem } from "../../store/audit.js";
import type { CheckProblem } from "../../store/protection.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { EXIT } from "../errors.js";
import { outputFile } from "../outputs.js";
import { parseDateFlag, parsePositiveInt } from "../parse.js";
import { confirmTyped } from "../prompt.js";

export function registerProtection(program: Command, t: Translate): void {
  const audit = program.commands.find((c) => c.name() === "audit") ?? program.command("audit").description(t("help.audit"));
  audit
    .command("verify")
    .description(t("help.audit.verify"))
    .option("--expect <id:hash>", t("flag.auditExpect"))
    .option("--json", t("help.json"))
    .action(action(auditVerify));
  program.command("check").description(t("help.check")).option("--json", t("help.json")).action(action(check));
  program
    .command("backup")
    .description(t("help.backup"))
    .argument("<file>", t("flag.backupFile"))
    .option("--force", t("flag.backupForce"))
    .option("--json", t("help.json"))
    .action(action(backup));
  program
    .command("restore")
    .description(t("help.restore"))
    .argument("<file>", t("flag.restoreFile"))
    .option("--json", t("help.json"))
    .action(action(restore));
  program
    .command("purge")
    .description(t("help.purge"))
    .option("--closed-before <date>", t("flag.closedBefore"))
    .option("--yes", t("flag.yes"))
    .option("--dry-run", t("flag.purgeDryRun"))
    .option("--json", t("help.json"))
    .action(action(purge));
  program
    .command("retention")
    .description(t("help.retention"))
    .argument("[years]", t("flag.retentionYears"))
    .option("--json", t("help.json"))
    .action(action(retention));
}

/** One line for an audit problem. */
export function auditProblemText(t: Translate, p: AuditProblem): string {
  const list = (ids: number[]) => (ids.length > 3 ? `${ids[0]}–${ids[ids.length - 1]}` : ids.join(", "));
  switch (p.kind) {
    case "edited":
      return t("protection.audit.edited", { id: p.id });
    case "deleted":
      return t(p.ids.length === 1 ? "protection.audit.deletedOne" : "protection.audit.deleted", { ids: list(p.ids) });
    case "inserted":
      return t("protection.audit.inserted", { id: p.id });
    case "reordered":
      return t("protection.audit.reordered", { a: p.ids[0], b: p.ids[1] });
    case "renumbered":
      return t("protection.audit.renumbered", { ids: list(p.ids), offset: p.offset > 0 ? `+${p.offset}` : String(p.offset) });
    case "head":
      return t(p.reason === "missing" ? "protection.audit.headMissing" : "protection.audit.headInvalid");
    case "empty":
      return t("protection.audit.empty");
    case "unrecorded": {
      const names = p.examples.join(", ") + (p.count > p.examples.length ? ", …" : "");
      return p.what === "case"
        ? t("protection.audit.unrecordedCases", { cases: names, n: p.count })
        : t("protection.audit.unrecordedDocuments", { documents: names, n: p.count });
    }
  }
}

function checkProblemText(t: Translate, p: CheckProblem): string {
  switch (p.kind) {
    case "integrity":
      return t("protection.check.integrity", { detail: p.detail });
    case "foreign-key":
      return t("protection.check.foreignKey", { table: p.table, rowid: p.rowid ?? "?", parent: p.parent });
    case "audit":
      return t("protection.check.audit", { problem: auditProblemText(t, p.problem) });
    case "file-missing":
      return t("protection.check.fileMissing", { hash: p.hash.slice(0, 12), documents: p.documents.join(", ") || "–" });
    case "file-changed":
      return t("protection.check.fileChanged", { hash: p.hash.slice(0, 12), documents: p.documents.join(", ") || "–" });
    case "file-not-erased":
      return t("protection.check.fileNotErased", { hash: p.hash.slice(0, 12) });
    case "key":
      return isMessageKey(p.key) ? t(p.key as MessageKey, p.params) : p.key;
    case "key-mode":
      return t("protection.check.keyMode", { file: p.file, mode: p.mode });
    case "home-mode":
      return t("protection.check.homeMode", { dir: p.dir, mode: p.mode });
  }
}

/** JSON form of a problem: its data plus the one-line message. */
function withMessage<P extends object>(p: P, message: string): P & { message: string } {
  return { ...p, message };
}

async function auditVerify(ctx: Context, o: { expect?: string }): Promise<void> {
  // A head noted outside the register (ID:HASH from an earlier `audit verify --json`): that event must still
  // carry that hash, which a trail rewritten from an earlier event (with a forged head) no longer does.
  let anchor: { id: number; hash: string } | undefined;
  if (o.expect !== undefined) {
    const m = /^\s*(\d{1,12}):([0-9a-f]{64})\s*$/i.exec(o.expect);
    if (!m) throw new UsageError("usage.badAnchor", { value: o.expect.slice(0, 100) });
    anchor = { id: Number(m[1]), hash: m[2]!.toLowerCase() };
  }
  const store = await ctx.store();
  const r = store.audit.verify();
  const problems: Array<AuditProblem | { kind: "anchor"; id: number; reason: "changed" | "missing" }> = [...r.problems];
  if (anchor) {
    const hash = store.audit.hashOf(anchor.id);
    if (hash !== anchor.hash) problems.push({ kind: "anchor", id: anchor.id, reason: hash === undefined ? "missing" : "changed" });
  }
  const lines = problems.map((p) =>
    p.kind === "anchor" ? ctx.t(p.reason === "missing" ? "protection.audit.anchorMissing" : "protection.audit.anchor", { id: p.id }) : auditProblemText(ctx.t, p),
  );
  const ok = problems.length === 0;
  ctx.out.result({ ok, events: r.events, head: r.head, problems: problems.map((p, i) => withMessage(p, lines[i]!)) }, () => {
    if (ok) ctx.out.line(ctx.t("protection.audit.ok", { n: r.events, head: r.head ? `${r.head.id}:${r.head.hash}` : "–" }));
  });
  if (!ok) {
    for (const line of lines) ctx.out.error(line);
    ctx.setExitCode(EXIT.failed);
  }
}

async function check(ctx: Context): Promise<void> {
  const store = await ctx.store();
  const r = store.protection.check();
  const lines = r.problems.map((p) => checkProblemText(ctx.t, p));
  const warnings = r.warnings.map((p) => checkProblemText(ctx.t, p));
  ctx.out.result({ ...r, problems: r.problems.map((p, i) => withMessage(p, lines[i]!)), warnings: r.warnings.map((p, i) => withMessage(p, warnings[i]!)) }, () => {
    if (r.ok) ctx.out.line(ctx.t("protection.check.ok", { events: r.auditEvents, files: r.files, persons: r.persons }));
  });
  for (const w of warnings) ctx.out.warn(w);
  if (!r.ok) {
    for (const line of lines) ctx.out.error(line);
    ctx.setExitCode(EXIT.failed);
  }
}

async function backup(ctx: Context, o: { force?: boolean }, file: string): Promise<void> {
  if (!file.trim()) throw new UsageError("usage.missingArgument", { name: "FILE", command: "backup" });
  const store = await ctx.store();
  // Never into the data directory, 0600 from the first byte (it holds the whole register), no overwrite without --force.
  const target = outputFile(ctx, file, { flag: "avvik backup FILE", personal: true, refuseExisting: o.force ? undefined : { key: "error.backupExists", params: { file: ctx.path(file) } } });
  const r = await store.protection.backup(target);
  ctx.out.result({ ...r, keyIncluded: false, keyFile: store.keyFile }, () => ctx.out.line(ctx.t("protection.backup.done", { file: r.file, files: r.files })));
  ctx.out.warn(ctx.t("protection.backup.keyNote", { key: store.keyFile }));
}

async function restore(ctx: Context, _o: unknown, file: string): Promise<void> {
  const { restoreBackup } = await import("../../store/protection.js");
  const r = restoreBackup(ctx.path(file), ctx.home);
  ctx.out.result({ ...r, keyIncluded: false }, () => ctx.out.line(ctx.t("protection.restore.done", { home: r.home, files: r.files })));
  ctx.out.warn(ctx.t("protection.restore.keyNote", { key: ctx.keyFile ?? `${r.home}/key` }));
}

async function purge(ctx: Context, o: { closedBefore?: string; yes?: boolean; dryRun?: boolean }): Promise<void> {
  const given = o.closedBefore !== undefined ? parseDateFlag("--closed-before", o.closedBefore) : undefined;
  if (!o.yes && !o.dryRun && !ctx.canPrompt()) throw new UsageError("usage.purgeNeedsYes", {});
  const store = await ctx.store();
  let before = given;
  if (!before) {
    const years = store.protection.retentionYears();
    if (!years) throw new UsageError("usage.purgeNeedsDate", {});
    before = store.protection.retentionCutoff(years);
  }
  const counts = store.protection.purgeCounts(before);
  if (o.dryRun) {
    ctx.out.result({ ...counts, dryRun: true }, () => ctx.out.line(ctx.t("protection.purge.would", { ...counts })));
    return;
  }
  if (!o.yes) {
    ctx.out.info(ctx.t("protection.purge.would", { ...counts }));
    const ok = await confirmTyped(ctx, ctx.t("protection.purge.confirm"), false);
    if (!ok) {
      ctx.out.info(ctx.t("protection.purge.cancelled"));
      throw new InterruptedError();
    }
  }
  const r = store.protection.purge(before);
  ctx.out.result(r, () => ctx.out.line(ctx.t("protection.purge.done", { closedBefore: r.closedBefore, cases: r.cases, persons: r.persons, files: r.files })));
  if (!r.walTruncated) ctx.out.warn(ctx.t("protection.purge.walBusy"));
}

async function retention(ctx: Context, _o: unknown, years?: string): Promise<void> {
  const store = await ctx.store();
  if (years !== undefined) {
    const n = parsePositiveInt("YEARS", years);
    if (n > 100) throw new UsageError("usage.badInt", { flag: "YEARS", value: years });
    store.write(() => store.protection.setRetentionYears(n));
  }
  const current = store.protection.retentionYears() ?? null;
  const cutoff = current ? store.protection.retentionCutoff(current) : null;
  ctx.out.result({ years: current, closedBefore: cutoff }, () =>
    ctx.out.line(current ? ctx.t("protection.retention.is", { years: current, date: cutoff! }) : ctx.t("protection.retention.none")),
  );
}
