// `avvik db`: the register's database on PostgreSQL; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerDbGrant } from "./grant.js";

export function registerDb(program: Command, t: Translate): void {
  const db = program.command("db").description(t("help.db"));
  examples(db, [
    { say: "ex.db.grant", run: "avvik db grant anna --role registrar" },
    { say: "ex.db.reader", run: "avvik db grant revisor --role reader" },
  ]);
  registerDbGrant(db, t);
}
