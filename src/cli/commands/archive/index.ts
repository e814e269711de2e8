// `avvik archive`: delivering closed cases to the e-archive; each command is a module of its own beside this file.

import type { Command } from "commander";
import type { Translate } from "../../../i18n/index.js";
import { examples } from "../../help.js";
import { registerArchiveExport } from "./export.js";

export function registerArchive(program: Command, t: Translate): void {
  const archive = program.command("archive").description(t("help.archive"));
  examples(archive, [
    { say: "ex.archive.export", run: "avvik archive export --closed-before 2026-01-01 -o arkiv-2025" },
    { say: "ex.archive.exportPersonal", run: "avvik archive export --closed-before 2026-01-01 -o arkiv-2025 --with-personal-data" },
  ]);
  registerArchiveExport(archive, t);
}
