// The one way a command gets a file to write at a path the user gave: checked against the data directory
// and written completely before it is recorded (src/store/outputFile.ts).

import { OutputDir, OutputFile } from "../store/outputFile.js";
import type { Context } from "./context.js";
import { Output } from "./output.js";

export type { OutputFile };

/**
 * An output at `given` ("-" for standard output). `flag` names how the path is given, for the messages;
 * `personal` writes it 0600 (it holds personal data).
 */
export function outputFile(ctx: Context, given: string, o: { flag: string; personal?: boolean; refuseExisting?: { key: string; params: Record<string, string> } }): OutputFile {
  return OutputFile.prepare(given, {
    data: { home: ctx.home, keyFile: ctx.keyFile },
    flag: o.flag,
    personal: o.personal,
    refuseExisting: o.refuseExisting,
    cwd: ctx.io.cwd,
    stdout: ctx.io.stdout,
  });
}

/** A directory at `given` to be written whole (`archive export -o DIR`): absent or empty, never in the data directory. */
export function outputDir(ctx: Context, given: string, o: { flag: string; personal?: boolean }): OutputDir {
  return OutputDir.prepare(given, { data: { home: ctx.home, keyFile: ctx.keyFile }, flag: o.flag, personal: o.personal, cwd: ctx.io.cwd });
}

/** The run's Output, or one in JSON mode when `--format json` asks for JSON without `--json`. */
export function formatOutput(ctx: Context, format: "text" | "json" | "csv"): Output {
  return format === "json" && !ctx.json ? new Output(true, ctx.io, ctx.env) : ctx.out;
}
