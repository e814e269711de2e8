// `avvik outbox`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerOutboxFlush } from "./flush.js";
import { registerOutboxList } from "./list.js";
import { registerOutboxRetry } from "./retry.js";
import { registerOutboxShow } from "./show.js";

export function registerOutbox(program: Command, t: Translate): void {
  const outbox = program.command("outbox").description(t("help.outbox"));
  examples(outbox, [
    { say: "ex.outbox.list", run: "avvik outbox list" },
    { say: "ex.outbox.flush", run: "avvik outbox flush" },
  ]);
  registerOutboxList(outbox, t);
  registerOutboxShow(outbox, t);
  registerOutboxFlush(outbox, t);
  registerOutboxRetry(outbox, t);
}
