// `avvik audit`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerAuditList } from "./list.js";
import { registerAuditVerify } from "./verify.js";

export function registerAudit(program: Command, t: Translate): void {
  const audit = program.command("audit").description(t("help.audit"));
  examples(audit, [
    { say: "ex.audit.case", run: "avvik audit list --case 2026-000012" },
    { say: "ex.audit.all", run: "avvik audit list --json" },
  ]);
  registerAuditList(audit, t);
  registerAuditVerify(audit, t);
}
