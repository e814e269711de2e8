// `avvik export`: cases as CSV (for Excel and the analysis groups) or JSON. csv-stringify is loaded only here.

import { Option, type Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { tSv, type Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import type { Context } from "../context.js";
import { outputFile } from "../outputs.js";
import { parseCodeFlag, parseDateFlag } from "../parse.js";

export function registerExport(program: Command, t: Translate): void {
  program
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
  const { exportCases } = await import("../../csv/export.js");
  const store = await ctx.store();
  const target = o.output !== undefined && o.output !== "-" ? outputFile(ctx, o.output, { flag: "-o" }) : undefined;
  const file = target?.path;
  const record = (rows: number) =>
    store.audit.record("export", null, { format, rows, pseudonymised: pseudonymise, from: from ?? null, to: to ?? null, file: file ? "file" : "stdout" });
  if (!target) {
    // `avvik export | head`: a closed pipe ends the export quietly (bin/avvik.cjs ends on EPIPE).
    const rows = await exportCases(store, ctx.io.stdout, { format, from, to, pseudonymise, delimiter, t: tSv });
    store.write(() => record(rows));
    return;
  }
  // The whole export goes to a temporary file beside the target first; it takes the target's name in the
  // transaction that records the export, so a failed write records nothing and leaves no half file.
  let rows = 0;
  try {
    rows = await target.stageStream((out) => exportCases(store, out, { format, from, to, pseudonymise, delimiter, t: tSv }));
    store.write(() => {
      record(rows);
      target.commit();
    });
  } finally {
    target.discard();
  }
  ctx.out.result({ file, format, rows, pseudonymised: pseudonymise }, () => {
    ctx.out.line(ctx.t("csv.export.done", { rows, file: o.output! }));
    if (pseudonymise) ctx.out.line(ctx.t("csv.export.pseudonymised"));
  });
}
