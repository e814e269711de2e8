// The entry point: registers every command (light modules only) and maps whatever is thrown to an
// exit code and one line on stderr. Heavy libraries are imported inside the commands that use them.

import { Command, Help } from "commander";
import { packageVersion } from "../paths.js";
import { loadLanguage, translator, type Lang, type Translate } from "../i18n/index.js";
import { registerArchive } from "./commands/archive/index.js";
import { registerAction } from "./commands/action/index.js";
import { registerAudit } from "./commands/audit/index.js";
import { registerDb } from "./commands/db/index.js";
import { registerCase } from "./commands/case/index.js";
import { registerContact } from "./commands/contact/index.js";
import { registerDiary } from "./commands/diary/index.js";
import { registerExchange } from "./commands/exchange/index.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerInit } from "./commands/init.js";
import { registerNotify } from "./commands/notify.js";
import { registerOutbox } from "./commands/outbox/index.js";
import { registerSend } from "./commands/send.js";
import { registerOrg } from "./commands/org/index.js";
import { registerBackup } from "./commands/backup.js";
import { registerCheck } from "./commands/check.js";
import { registerPurge } from "./commands/purge.js";
import { registerRestore } from "./commands/restore.js";
import { registerRetention } from "./commands/retention.js";
import { registerAnalysis } from "./commands/analysis.js";
import { registerPacket } from "./commands/packet.js";
import { registerReport } from "./commands/report.js";
import { registerReply } from "./commands/reply/index.js";
import { registerDuplicates } from "./commands/duplicates.js";
import { registerStats } from "./commands/stats.js";
import { registerSummary } from "./commands/summary.js";
import { registerClassification } from "./commands/classification/index.js";
import { registerCompletion } from "./commands/completion.js";
import { registerConfig } from "./commands/config/index.js";
import { registerDoctor } from "./commands/doctor.js";
import { bindRun } from "./command.js";
import { configuredLang, resolveHome, resolveLang } from "./context.js";
import { applyHelp, registerFlows } from "./help.js";
import { placeholders } from "./placeholders.js";
import { EXIT, report } from "./errors.js";
import type { Io, Run } from "./io.js";
import { clearRunCaches } from "../runCache.js";
import { commandReached, usageHint } from "./suggestions.js";
import { joinSplitReferences } from "./argv.js";
import { nearest } from "../core/suggest.js";
import { UsageError } from "../core/errors.js";


/** The value of a global flag, read before parsing (the language decides the help texts). */
function preScan(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === flag) return argv[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** "case new" for error messages: the command words typed, before any flag. */
function commandWords(argv: string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a.startsWith("-")) {
      if (["--home", "--as", "--lang"].includes(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words.join(" ");
}

/** Where the global flags before the command end: --home/--as/--lang with values, --debug, --json. */
function afterGlobalFlags(args: readonly string[]): number {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (["--home", "--as", "--lang"].includes(a)) i++;
    else if (!(/^--(home|as|lang)=/.test(a) || a === "--debug" || a === "--json")) break;
  }
  return i;
}

/** True when no command is given: nothing, or only global flags. */
function onlyGlobalFlags(args: string[]): boolean {
  return afterGlobalFlags(args) >= args.length;
}

/**
 * `avvik help flows` is `avvik flows` (the flows are a text, not a command's usage), and `avvik help case new`
 * is `avvik case new --help` (commander's help command looks only one level down).
 */
function helpFlows(args: string[], program: Command): string[] {
  const i = args.findIndex((a) => !a.startsWith("-"));
  // `avvik help nonexist`: say what was wrong instead of printing the whole help with exit 2.
  if (i >= 0 && args[i] === "help" && args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")) {
    const { cmd, words, rest } = commandReached(program, args.slice(i + 1));
    if (rest !== undefined) {
      const suggestion = nearest(rest, [...cmd.commands.map((c) => c.name()), ...(cmd === program ? ["flows"] : [])]);
      const topic = [...words, rest].join(" ");
      throw suggestion ? new UsageError("usage.unknownHelpSuggest", { name: topic, suggestion: [...words, suggestion].join(" ") }) : new UsageError("usage.unknownHelp", { name: topic });
    }
  }
  if (i < 0 || args[i] !== "help" || !program.commands.some((c) => c.name() === args[i + 1])) return args;
  if (args[i + 1] === "flows") return [...args.slice(0, i), ...args.slice(i + 1)];
  return [...args.slice(0, i), ...args.slice(i + 1), "--help"];
}

/** Colour in help texts as commander decides it, from the run's environment and streams instead of the process's. */
function helpColours(stream: Io["stdout"], env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return stream.isTTY === true && stream.hasColors?.() === true;
}

type Register = (program: Command, t: Translate) => void;

/**
 * The top-level commands in the order of the help, each with the names it adds to the program. A run registers
 * only the one its command line names (commander's parse, help and errors see the same command as in the whole
 * tree: test/unit/command-tree.test.ts); the whole tree for the program's help, `help`, the flows, completion
 * and a word that names no command (its suggestion). A new top-level command is added here.
 */
export const COMMANDS: ReadonlyArray<readonly [names: readonly string[], register: Register]> = [
  [["init"], registerInit],
  [["org"], registerOrg],
  [["contact"], registerContact],
  [["case"], registerCase],
  [["diary"], registerDiary],
  [["audit"], registerAudit],
  [["exchange"], registerExchange],
  [["notify"], registerNotify],
  [["send"], registerSend],
  [["outbox"], registerOutbox],
  [["summary"], registerSummary],
  [["stats"], registerStats],
  [["duplicates"], registerDuplicates],
  [["packet"], registerPacket],
  [["report"], registerReport],
  [["analysis"], registerAnalysis],
  [["reply"], registerReply],
  [["check"], registerCheck],
  [["backup"], registerBackup],
  [["restore"], registerRestore],
  [["purge"], registerPurge],
  [["retention"], registerRetention],
  [["import"], registerImport],
  [["export"], registerExport],
  [["archive"], registerArchive],
  [["action"], registerAction],
  [["classification"], registerClassification],
  [["db"], registerDb],
  // --- day: the registrar's tools. New commands of other areas are registered above this line. ---
  [["config"], registerConfig],
  [["doctor"], registerDoctor],
  // The flows and completion describe the whole tree: they always get it.
  [["flows"], registerFlows],
  [["completion", "__complete"], registerCompletion],
];

/** Commands that read the whole tree (the flows mark steps whose command is missing; completion lists all). */
const WHOLE_TREE = new Set(["flows", "completion", "__complete"]);

/**
 * The command a line names: its first word when only global flags come before it ("case" in `--lang en case
 * show 1`); undefined for anything else before it (`-h case` is the program's help).
 */
export function firstCommandWord(args: readonly string[]): string | undefined {
  const a = args[afterGlobalFlags(args)];
  return a === undefined || a.startsWith("-") ? undefined : a;
}

/** What a run registers: the command its line names, or (no args given, or no such command) all of them. */
function commandsFor(args: readonly string[] | undefined): typeof COMMANDS {
  const word = args && firstCommandWord(args);
  if (word === undefined || WHOLE_TREE.has(word)) return COMMANDS;
  const named = COMMANDS.find(([names]) => names.includes(word));
  return named ? [named] : COMMANDS;
}

/**
 * A new program for every run (commander keeps parsed options on it); help and usage go to the run's streams.
 * Given the run's command line, only the command it names is registered (`COMMANDS`); without, the whole tree.
 */
export function buildProgram(t: Translate, io: Io, args?: readonly string[]): Command {
  const ph = placeholders(t);
  const program = new Command("avvik");
  const titles: Record<string, string> = {
    "Usage:": t("help.title.usage"),
    "Options:": t("help.title.options"),
    "Commands:": t("help.title.commands"),
    "Arguments:": t("help.title.arguments"),
    "Global Options:": t("help.title.global"),
  };
  program
    .description(t("help.program"))
    .option("--home <dir>", t("help.home"))
    .option("--as <name>", t("help.as"))
    .option("--lang <lang>", t("help.lang"))
    .option("--json", t("help.json"))
    .option("--debug", t("help.debug"))
    .version(packageVersion(), "-V, --version", t("help.version"))
    .helpOption("-h, --help", t("help.help"))
    .helpCommand(`help [${t("help.ph.command")}]`, t("help.helpCommand"))
    .configureHelp({
      styleTitle: (s) => titles[s] ?? s,
      showGlobalOptions: true,
      sortSubcommands: false,
      commandUsage(cmd) {
        return ph(Help.prototype.commandUsage.call(this, cmd).replace("[options]", t("help.optionsPlaceholder")).replace("[command]", t("help.commandPlaceholder")));
      },
      subcommandTerm(cmd) {
        return ph(Help.prototype.subcommandTerm.call(this, cmd).replace("[options]", t("help.optionsPlaceholder")));
      },
      optionTerm(option) {
        return ph(Help.prototype.optionTerm.call(this, option));
      },
      argumentTerm(argument) {
        return ph(Help.prototype.argumentTerm.call(this, argument));
      },
      optionDescription(option) {
        return Help.prototype.optionDescription.call(this, option).replace("(default: ", t("help.defaultPrefix"));
      },
    })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // No width (commander's default of 80) unless the stream is a terminal, as commander itself does.
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
      getOutHasColors: () => helpColours(io.stdout, io.env),
      getErrHasColors: () => helpColours(io.stderr, io.env),
      outputError: () => {},
    })
    .exitOverride();

  for (const [, register] of commandsFor(args)) register(program, t);
  // Examples and the pointer to the menu and the flows, from src/cli/help.ts (after every command exists).
  applyHelp(program, t);
  return program;
}

/**
 * Runs one command line (`args`: the words after `avvik`) with the given streams, environment and working
 * directory, and returns the exit code; it never exits the process nor sets process.exitCode. `bin/avvik.cjs`
 * calls it with the process's own; tests call it many times in one process (test/helpers/cli.ts).
 */
export async function main(args: string[], given: Omit<Io, "cwd"> & { cwd?: string }): Promise<number> {
  const io: Io = { ...given, cwd: given.cwd ?? process.cwd() };
  const run: Run = { io, exitCode: undefined };
  clearRunCaches();
  let lang: Lang = "sv";
  let t: Translate = translator(lang);
  const debug = args.includes("--debug");
  let program: Command | undefined;
  try {
    lang = resolveLang(preScan(args, "--lang"), io.env, configuredLang(resolveHome(preScan(args, "--home"), io.env, io.cwd)));
    await loadLanguage(lang);
    t = translator(lang);
    program = buildProgram(t, io, args);
    bindRun(program, run);
    if (onlyGlobalFlags(args)) {
      // `avvik` alone: the menu of the day's work in a terminal, the help otherwise.
      if (io.stdin.isTTY && io.stdout.isTTY && io.env.AVVIK_NO_PROMPT === undefined && !args.includes("--json")) {
        const { runMenu } = await import("./commands/menu.js");
        return await runMenu({ home: preScan(args, "--home"), as: preScan(args, "--as"), lang: preScan(args, "--lang"), debug }, run);
      }
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(helpFlows(joinSplitReferences(program, args), program), { from: "user" });
    return run.exitCode ?? EXIT.ok;
  } catch (err) {
    const built = program;
    const r = report(err, t, commandWords(args), debug, built && ((code, wrong) => usageHint(built, args, code, wrong)));
    if (r.message) io.stderr.write(`${r.message}\n`);
    return r.code;
  }
}
