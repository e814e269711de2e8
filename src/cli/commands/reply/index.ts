// `avvik reply`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerReplyAttach } from "./attach.js";
import { registerReplyInbox } from "./inbox.js";

export function registerReply(program: Command, t: Translate): void {
  const reply = program.command("reply").description(t("paper.help.reply"));
  examples(reply, [
    { say: "ex.reply.attach", run: "avvik reply attach ~/Skannat/svar-regionen.pdf" },
    { say: "ex.reply.inbox", run: "avvik reply inbox ~/Skannat" },
  ]);
  registerReplyAttach(reply, t);
  registerReplyInbox(reply, t);
}
