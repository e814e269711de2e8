// `avvik diary`: the group; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerDiaryAdd } from "./add.js";
import { registerDiaryList } from "./list.js";
import { registerDiaryVoid } from "./void.js";

export function registerDiary(program: Command, t: Translate): void {
  const diary = program.command("diary").description(t("help.diary"));
  examples(diary, [
    { say: "ex.diary.add", run: 'avvik diary add 2026-000012 --direction in --subject "Svar på avvikelse" --party "Region Östergötland"' },
    { say: "ex.diary.list", run: "avvik diary list --year 2026" },
    { say: "ex.diary.listPublic", run: "avvik diary list --public" },
  ]);
  registerDiaryAdd(diary, t);
  registerDiaryList(diary, t);
  registerDiaryVoid(diary, t);
}
