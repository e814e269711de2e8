// `avvik export`: cases as CSV (for Excel and the analysis groups) or JSON. csv-stringify is loaded only here.

import { Option, type Command } from "commander";
import { UsageError } from "../../core/errors.js";
import type { Translate } from "../../i18n/index.js";
import { exportCasesTo } from "../../app/export/cases.js";
import { examples } from "../help.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { outputFile } from "../outputs.js";
import { parseCodeFlag, parseDateFlag } from "../parse.js";

export function registerExport(program: Command, t: Translate): void {
  const cmd = program
    .command("export")
    .description(t("help.export"))
    .option("--format <format>", t("flag.exportFormat"))
    .option("--from <date>", t("flag.from"))
    .option("--to <date>", t("flag.to"))
    .option("--pseudonymise", t("flag.pseudonymise"))
    .addOption(new Option("--pseudonymize").hideHelp())
    .option("--delimiter <char>", t("flag.delimiter"))
    .option("-o, --output <file>", t("flag.output"))
    .option("--json", t("help.json"))
    .action(action(exportCommand));
  examples(cmd, [
    { say: "ex.export.pseudo", run: "avvik export --from 2026-01-01 --to 2026-06-30 --pseudonymise -o analysgruppen-2026H1.csv" },
    { say: "ex.export.json", run: "avvik export --format json -o avvik-2026.json" },
  ]);
}

interface ExportFlags {
  format?: string;
  from?: string;
  to?: string;
  pseudonymise?: boolean;
  pseudonymize?: boolean;
  delimiter?: string;
  output?: string;
}

const DELIMITERS: Record<string, string> = { ";": ";", ",": ",", tab: "\t", "\\t": "\t", "\t": "\t", "|": "|" };

async function exportCommand(ctx: Context, o: ExportFlags): Promise<void> {
  let format = o.format ? parseCodeFlag("--format", ["csv", "json"] as const, o.format) : "csv";
  // --json without -o: the export itself is the one JSON value on stdout.
  if (ctx.json && !o.output) format = "json";
  const from = o.from ? parseDateFlag("--from", o.from) : undefined;
  const to = o.to ? parseDateFlag("--to", o.to) : undefined;
  let delimiter = ";";
  if (o.delimiter !== undefined) {
    const d = DELIMITERS[o.delimiter.toLowerCase()];
    if (!d) throw new UsageError("csv.export.badDelimiter", { value: o.delimiter });
    delimiter = d;
  }
  const pseudonymise = o.pseudonymise === true || o.pseudonymize === true;
  const store = await ctx.store();
  const target = o.output !== undefined && o.output !== "-" ? outputFile(ctx, o.output, { flag: "-o" }) : undefined;
  const options = { format, ...(from ? { from } : {}), ...(to ? { to } : {}), pseudonymise, delimiter };
  const rows = await exportCasesTo(store, target ? { file: target } : { stream: ctx.io.stdout }, options);
  if (!target) return; // the export itself was the output
  ctx.out.result({ file: target.path, format, rows, pseudonymised: pseudonymise }, () => {
    ctx.out.line(ctx.t("csv.export.done", { rows, file: o.output! }));
    if (pseudonymise) ctx.out.line(ctx.t("csv.export.pseudonymised"));
  });
}
