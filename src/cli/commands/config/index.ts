// `avvik config`: the organisation's settings, from the registry in src/cli/config.ts; each command is a
// module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerConfigGet } from "./get.js";
import { registerConfigList } from "./list.js";
import { registerConfigSet } from "./set.js";

export function registerConfig(program: Command, t: Translate): void {
  const config = program.command("config").description(t("help.config"));
  examples(config, [
    { say: "ex.config.list", run: "avvik config list" },
    { say: "ex.config.set", run: 'avvik config set diary.format "VOK {year}-{seq}"' },
  ]);
  registerConfigList(config, t);
  registerConfigGet(config, t);
  registerConfigSet(config, t);
}
