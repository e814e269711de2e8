// `avvik action`: actions (åtgärder) of a case with an owner and a due date; each command is a module beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerActionAdd } from "./add.js";
import { registerActionDone } from "./done.js";
import { registerActionList } from "./list.js";

export function registerAction(program: Command, t: Translate): void {
  const group = program.command("action").description(t("help.action"));
  examples(group, [
    { say: "ex.action.add", run: 'avvik action add 2026-000012 --text "Inför checklista vid utskrivning" --owner sara.nilsson@linkoping.example --due 2026-05-15' },
    { say: "ex.action.listOverdue", run: "avvik action list --overdue --json" },
    { say: "ex.action.done", run: "avvik action done 3" },
  ]);
  registerActionAdd(group, t);
  registerActionList(group, t);
  registerActionDone(group, t);
}
