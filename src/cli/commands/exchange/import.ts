// `avvik exchange import FILE`

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { action } from "../../command.js";
import type { Context } from "../../context.js";
import { examples } from "../../help.js";
import { importExchangeFile } from "../../../app/exchange/import.js";

export function registerExchangeImport(group: Command, t: Translate): void {
  const cmd = group
    .command("import")
    .description(t("help.exchange.import"))
    .argument("<file>", t("flag.exchangeFile"))
    .option("--json", t("help.json"))
    .action(action(importFile));
  examples(cmd, [
    { say: "ex.exchange.import", run: "avvik exchange import ~/Hämtningar/RO-2026-4711-exchange.pdf" },
    { say: "ex.json", run: "avvik exchange import svar.pdf --json" },
  ]);
}

export async function importFile(ctx: Context, _o: unknown, fileArg: string): Promise<void> {
  const { payload, ...result } = await importExchangeFile(() => ctx.store(), ctx.path(fileArg), { home: ctx.home, env: ctx.env });
  ctx.out.result(result, () =>
    ctx.out.line(
      result.type === "case"
        ? ctx.t("exchange.importedCase", { case: result.diaryNumber, sender: payload.sender.name, their: payload.case.diaryNumber, due: payload.case.dueDate })
        : ctx.t("exchange.importedAnswer", { case: result.diaryNumber, sender: payload.sender.name, their: payload.case.diaryNumber }),
    ),
  );
}
