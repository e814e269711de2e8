// `avvik org key`: the public keys exchange files are signed and verified with (CLI.md section 7).

import type { Command } from "commander";
import type { Translate } from "../../../../i18n/index.js";
import { examples } from "../../../help.js";
import { registerOrgKeyExport } from "./export.js";
import { registerOrgKeyImport } from "./import.js";
import { registerOrgKeyList } from "./list.js";

export function registerOrgKey(org: Command, t: Translate): void {
  const key = org.command("key").description(t("help.org.key"));
  examples(key, [
    { say: "ex.orgKey.export", run: "avvik org key export -o linkoping.avvik-key" },
    { say: "ex.orgKey.import", run: "avvik org key import region-ostergotland region-ostergotland.avvik-key" },
  ]);
  registerOrgKeyExport(key, t);
  registerOrgKeyImport(key, t);
  registerOrgKeyList(key, t);
}
