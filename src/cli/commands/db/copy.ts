// `avvik db copy --to postgres://…`: the local SQLite register into an empty PostgreSQL database.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { copyRegister } from "../../../app/db/copy.js";
import { RefusedError, UsageError } from "../../../core/errors.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { requireFlags } from "../../parse.js";

export function registerDbCopy(group: Command, t: Translate): void {
  const cmd = group
    .command("copy")
    .description(t("help.db.copy"))
    .option("--to <url>", t("flag.copyTo"))
    .option("--json", t("help.json"))
    .action(action(run));
  examples(cmd, [
    { say: "ex.db.copy", run: "avvik db copy --to postgres://admin@db.kommun.se/avvik" },
    { say: "ex.db.copyTls", run: "avvik db copy --to 'postgres://admin@db.kommun.se/avvik?sslmode=verify-full&sslrootcert=/etc/avvik/ca.pem' --json" },
  ]);
}

/** A postgres:// URL that parses (else one line, exit 2; the URL is not echoed: it may hold a password). */
function targetUrl(given: string): string {
  const url = given.trim();
  let ok = /^postgres(?:ql)?:\/\//i.test(url);
  try {
    new URL(url);
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError("db.copy.badUrl");
  return url;
}

async function run(ctx: Context, o: { to?: string }): Promise<void> {
  requireFlags(o, [["to", "--to"]]);
  const url = targetUrl(o.to!);
  // The register to copy is the local SQLite one: one already on PostgreSQL is refused before anything opens.
  if (ctx.databaseUrl) throw new RefusedError("db.copy.fromPostgres");
  const r = await copyRegister(await ctx.store(), url);
  ctx.out.result(r, () => {
    const n = (table: string) => r.tables[table] ?? 0;
    ctx.out.line(ctx.t("db.copy.done", { url: r.to, cases: n("cases"), documents: n("documents"), files: r.files, tables: Object.keys(r.tables).length }));
    ctx.out.line(ctx.t("db.copy.next", { url: r.next.AVVIK_DATABASE_URL, key: r.next.AVVIK_KEY_FILE }));
  });
  ctx.out.info(ctx.t("db.copy.localStays", { home: ctx.home }));
}
