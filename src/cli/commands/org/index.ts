// `avvik org`: the group; each command is a module of its own beside this file (`org key` in key/).

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerOrgAdd } from "./add.js";
import { registerOrgImport } from "./import.js";
import { registerOrgKey } from "./key/index.js";
import { registerOrgList } from "./list.js";
import { registerOrgUpdate } from "./update.js";

export function registerOrg(program: Command, t: Translate): void {
  const org = program.command("org").description(t("help.org"));
  examples(org, [
    { say: "ex.org.import", run: "avvik org import ostergotland" },
    { say: "ex.org.list", run: "avvik org list" },
  ]);
  registerOrgAdd(org, t);
  registerOrgUpdate(org, t);
  registerOrgList(org, t);
  registerOrgImport(org, t);
  registerOrgKey(org, t);
}
