// `avvik case`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerCaseAssign } from "./assign.js";
import { registerCaseClose } from "./close.js";
import { registerCaseList } from "./list.js";
import { registerCaseNew } from "./new.js";
import { registerCaseReopen } from "./reopen.js";
import { registerCaseShow } from "./show.js";
import { registerCaseStatus } from "./status.js";
import { registerCaseUpdate } from "./update.js";

export function registerCase(program: Command, t: Translate): void {
  const c = program.command("case").description(t("help.case"));
  examples(c, [
    { say: "ex.case.newDialogue", run: "avvik case new" },
    { say: "ex.case.listOverdue", run: "avvik case list --overdue" },
    { say: "ex.case.show", run: "avvik case show 2026-000012" },
  ]);
  registerCaseNew(c, t);
  registerCaseShow(c, t);
  registerCaseList(c, t);
  registerCaseAssign(c, t);
  registerCaseUpdate(c, t);
  registerCaseStatus(c, t);
  registerCaseClose(c, t);
  registerCaseReopen(c, t);
}
