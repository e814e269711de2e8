// `avvik contact`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerContactAdd } from "./add.js";
import { registerContactList } from "./list.js";

export function registerContact(program: Command, t: Translate): void {
  const contact = program.command("contact").description(t("help.contact"));
  examples(contact, [
    { say: "ex.contact.add", run: 'avvik contact add --org linkoping-hemtjanst-ryd --role manager --name "Sara Nilsson" --email sara.nilsson@linkoping.example' },
    { say: "ex.contact.list", run: "avvik contact list --org linkoping" },
  ]);
  registerContactAdd(contact, t);
  registerContactList(contact, t);
}
