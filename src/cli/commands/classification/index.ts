// `avvik classification`: the classification scheme (SKR's Klassa or the organisation's diary plan).

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerClassificationImport } from "./import.js";
import { registerClassificationList } from "./list.js";

export function registerClassification(program: Command, t: Translate): void {
  const group = program.command("classification").description(t("help.classification"));
  examples(group, [
    { say: "ex.classification.import", run: "avvik classification import klassificering.csv" },
    { say: "ex.classification.default", run: "avvik config set diary.classification 2.6.1" },
    { say: "ex.case.classify", run: "avvik case update 2026-000012 --classification 2.6.1" },
  ]);
  registerClassificationImport(group, t);
  registerClassificationList(group, t);
}
