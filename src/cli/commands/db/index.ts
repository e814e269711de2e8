// `avvik db`: the register's database on PostgreSQL (roles, moving a register there); each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerDbCopy } from "./copy.js";
import { registerDbGrant } from "./grant.js";

export function registerDb(program: Command, t: Translate): void {
  const db = program.command("db").description(t("help.db"));
  examples(db, [
    { say: "ex.db.grant", run: "avvik db grant anna --role registrar" },
    { say: "ex.db.copy", run: "avvik db copy --to postgres://admin@db.kommun.se/avvik" },
  ]);
  registerDbGrant(db, t);
  registerDbCopy(db, t);
}
