// A diary number typed as two words (`avvik case show VOK 2026-1`, the shell splits at the space) is joined
// back into one argument when the command got more words than it takes. Nothing changes otherwise.

import type { Command } from "commander";

const GLOBAL_WITH_VALUE = new Set(["--home", "--as", "--lang"]);

function takesValue(cmd: Command, flag: string): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o.required || o.optional;
  }
  return GLOBAL_WITH_VALUE.has(flag);
}

export function joinSplitReferences(program: Command, args: string[]): string[] {
  let cmd = program;
  let i = 0;
  // The command words.
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return args;
    if (a.startsWith("-")) {
      if (!a.includes("=") && takesValue(cmd, a)) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  const declared = cmd.registeredArguments;
  if (cmd === program || cmd.commands.length > 0 || declared.some((a) => a.variadic)) return args;
  // The positional words after the command words.
  const positions: number[] = [];
  for (let j = i; j < args.length; j++) {
    const a = args[j]!;
    if (a === "--") break;
    if (a.startsWith("-") && a.length > 1) {
      if (!a.includes("=") && takesValue(cmd, a)) j++;
      continue;
    }
    positions.push(j);
  }
  if (positions.length <= declared.length) return args;
  // A word of letters ("VOK", "KS") followed by one that starts with a year: one diary number.
  for (let k = 0; k + 1 < positions.length; k++) {
    const a = positions[k]!;
    const b = positions[k + 1]!;
    if (b === a + 1 && /^\p{L}{1,12}$/u.test(args[a]!) && /^(19|20)\d{2}\b/.test(args[b]!)) {
      return [...args.slice(0, a), `${args[a]} ${args[b]}`, ...args.slice(b + 1)];
    }
  }
  return args;
}
