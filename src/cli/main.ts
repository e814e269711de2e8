// The entry point: registers every command (light modules only) and maps whatever is thrown to an
// exit code and one line on stderr. Heavy libraries are imported inside the commands that use them.

import { Command } from "commander";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import { registerAudit } from "./commands/audit.js";
import { registerCase } from "./commands/case/index.js";
import { registerContact } from "./commands/contact.js";
import { registerDiary } from "./commands/diary.js";
import { registerExport } from "./commands/export.js";
import { registerImport } from "./commands/import.js";
import { registerInit } from "./commands/init.js";
import { registerOrg } from "./commands/org.js";
import { resolveLang } from "./context.js";
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
    .configureHelp({ styleTitle: (s) => titles[s] ?? s, showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({ outputError: () => {} })
    .exitOverride();

  registerInit(program, t);
  registerOrg(program, t);
  registerContact(program, t);
  registerCase(program, t);
  registerDiary(program, t);
  registerAudit(program, t);
  registerImport(program, t);
  registerExport(program, t);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const args = argv.slice(2);
  let lang: Lang = "sv";
  let t: Translate = translator(lang);
  const debug = args.includes("--debug");
  try {
    lang = resolveLang(preScan(args, "--lang"));
    t = translator(lang);
    const program = buildProgram(t);
    if (args.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    const r = report(err, t, commandWords(args), debug);
    if (r.message) process.stderr.write(`${r.message}\n`);
    return r.code;
  }
}

const code = await main();
process.exitCode = code;
