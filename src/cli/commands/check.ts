// `avvik check`: the register's health, one line per problem, exit 1 when something is wrong.

import type { Command } from "commander";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { examples } from "../help.js";
import { checkRegister } from "../../app/register/check.js";
import { EXIT } from "../errors.js";
import { checkProblemText, withMessage } from "../problems.js";

export function registerCheck(program: Command, t: Translate): void {
  const cmd = program.command("check").description(t("help.check")).option("--json", t("help.json")).action(action(run));
  examples(cmd, [
    { say: "ex.check", run: "avvik check" },
    { say: "ex.json", run: "avvik check --json" },
  ]);
}

async function run(ctx: Context): Promise<void> {
  const r = await checkRegister(await ctx.store());
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
