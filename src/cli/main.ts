// The entry point: registers every command (light modules only) and maps whatever is thrown to an
// exit code and one line on stderr. Heavy libraries are imported inside the commands that use them.

import { Command, Help } from "commander";
import { loadLanguage, translator, type Lang, type Translate } from "../i18n/index.js";
import { registerAudit } from "./commands/audit.js";
import { registerCase } from "./commands/case/index.js";
import { registerContact } from "./commands/contact.js";
import { registerDiary } from "./commands/diary.js";
import { registerExchange } from "./commands/exchange.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerInit } from "./commands/init.js";
import { registerMail } from "./commands/mail.js";
import { registerOrg } from "./commands/org.js";
import { registerOrgKey } from "./commands/orgKey.js";
import { registerProtection } from "./commands/protection.js";
import { registerPaper } from "./commands/paper.js";
import { registerReply } from "./commands/reply.js";
import { registerStats } from "./commands/stats.js";
import { registerCompletion } from "./commands/completion.js";
import { registerConfig } from "./commands/config.js";
import { registerDoctor } from "./commands/doctor.js";
import { configuredLang, resolveHome, resolveLang } from "./context.js";
import { applyHelp, registerFlows } from "./help.js";
import { EXIT, report } from "./errors.js";

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

/** True when no command is given: nothing, or only --home/--as/--lang with values, --debug, --json. */
function onlyGlobalFlags(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (["--home", "--as", "--lang"].includes(a)) i++;
    else if (/^--(home|as|lang)=/.test(a) || a === "--debug" || a === "--json") continue;
    else return false;
  }
  return true;
}

/**
 * `avvik help flows` is `avvik flows` (the flows are a text, not a command's usage), and `avvik help case new`
 * is `avvik case new --help` (commander's help command looks only one level down).
 */
function helpFlows(args: string[], program: Command): string[] {
  const i = args.findIndex((a) => !a.startsWith("-"));
  if (i < 0 || args[i] !== "help" || !program.commands.some((c) => c.name() === args[i + 1])) return args;
  if (args[i + 1] === "flows") return [...args.slice(0, i), ...args.slice(i + 1)];
  return [...args.slice(0, i), ...args.slice(i + 1), "--help"];
}

export function buildProgram(t: Translate): Command {
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
    .helpOption("-h, --help", t("help.help"))
    .helpCommand("help [kommando]", t("help.helpCommand"))
    .configureHelp({
      styleTitle: (s) => titles[s] ?? s,
      showGlobalOptions: true,
      sortSubcommands: false,
      commandUsage(cmd) {
        return Help.prototype.commandUsage.call(this, cmd).replace("[options]", t("help.optionsPlaceholder")).replace("[command]", t("help.commandPlaceholder"));
      },
      subcommandTerm(cmd) {
        return Help.prototype.subcommandTerm.call(this, cmd).replace("[options]", t("help.optionsPlaceholder"));
      },
      optionDescription(option) {
        return Help.prototype.optionDescription.call(this, option).replace("(default: ", t("help.defaultPrefix"));
      },
    })
    .configureOutput({ outputError: () => {} })
    .exitOverride();

  registerInit(program, t);
  registerOrg(program, t);
  registerOrgKey(program, t);
  registerContact(program, t);
  registerCase(program, t);
  registerDiary(program, t);
  registerAudit(program, t);
  registerExchange(program, t);
  registerMail(program, t);
  registerStats(program, t);
  registerPaper(program, t);
  registerReply(program, t);
  registerProtection(program, t);
  registerImport(program, t);
  registerExport(program, t);
  // --- day: the registrar's tools. New commands of other areas are registered above this line. ---
  registerConfig(program, t);
  registerDoctor(program, t);
  registerFlows(program, t);
  registerCompletion(program, t);
  // Examples and the pointer to the menu and the flows, from src/cli/help.ts (after every command exists).
  applyHelp(program, t);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const args = argv.slice(2);
  // A reader that stops early (`avvik case list | head`) is not an error: end quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  let lang: Lang = "sv";
  let t: Translate = translator(lang);
  const debug = args.includes("--debug");
  try {
    lang = resolveLang(preScan(args, "--lang"), process.env, configuredLang(resolveHome(preScan(args, "--home"))));
    await loadLanguage(lang);
    t = translator(lang);
    const program = buildProgram(t);
    if (onlyGlobalFlags(args)) {
      // `avvik` alone: the menu of the day's work in a terminal, the help otherwise.
      if (process.stdin.isTTY && process.stdout.isTTY && process.env.AVVIK_NO_PROMPT === undefined && !args.includes("--json")) {
        const { runMenu } = await import("./commands/menu.js");
        return await runMenu({ home: preScan(args, "--home"), as: preScan(args, "--as"), lang: preScan(args, "--lang"), debug });
      }
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync([...argv.slice(0, 2), ...helpFlows(args, program)]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    const r = report(err, t, commandWords(args), debug);
    if (r.message) process.stderr.write(`${r.message}\n`);
    return r.code;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
