// Where a usage error happened and what was probably meant: "Okänt kommando 'shwo'. Menade du 'show'? Se 'avvik
// case --help'." Walks the words typed through the registered commands (no parsing of values).

import type { Command } from "commander";
import { nearest } from "../core/suggest.js";

export interface UsageHint {
  /** The command words reached ("case show"; "" for the program itself). */
  command: string;
  /** The nearest valid command or flag to the word that was wrong. */
  suggestion?: string;
}

const GLOBAL_WITH_VALUE = new Set(["--home", "--as", "--lang"]);

/** The deepest command named by the words typed, and the words that led there. */
export function commandReached(program: Command, args: string[]): { cmd: Command; words: string[]; rest?: string } {
  let cmd = program;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (GLOBAL_WITH_VALUE.has(a)) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) return { cmd, words, rest: a };
    cmd = sub;
    words.push(a);
  }
  return { cmd, words };
}

function longFlags(cmd: Command): string[] {
  const flags: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) {
      if (o.long) flags.push(o.long);
      if (o.negate && o.long) flags.push(o.long);
    }
  }
  return [...flags, "--help"];
}

/** The hint for a commander error (unknown command or option), given what was typed. */
export function usageHint(program: Command, args: string[], errorCode: string | undefined, wrong: string): UsageHint {
  const { cmd, words } = commandReached(program, args);
  const command = words.join(" ");
  if (errorCode === "commander.unknownCommand") {
    const names = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden).map((c) => c.name());
    return { command, suggestion: nearest(wrong, cmd === program ? [...names, "help"] : names) };
  }
  if (errorCode === "commander.unknownOption") {
    const flag = wrong.split("=")[0]!;
    return { command, suggestion: flag.startsWith("--") ? nearest(flag, longFlags(cmd)) : undefined };
  }
  return { command };
}
