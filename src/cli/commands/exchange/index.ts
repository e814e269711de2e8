// `avvik exchange`: a case and its answer travel between two registers as a file; each command is a module
// of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerExchangeExport } from "./export.js";
import { registerExchangeImport } from "./import.js";

export function registerExchange(program: Command, t: Translate): void {
  const ex = program.command("exchange").description(t("help.exchange"));
  examples(ex, [
    { say: "ex.exchange.export", run: "avvik exchange export 2026-000012" },
    { say: "ex.exchange.import", run: "avvik exchange import ~/Hämtningar/RO-2026-4711-exchange.pdf" },
  ]);
  registerExchangeExport(ex, t);
  registerExchangeImport(ex, t);
}
