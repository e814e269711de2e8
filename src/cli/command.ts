// Glue between commander and a command's handler: builds the Context from the global flags and the run
// (src/cli/io.ts), passes the command's own options and arguments, and always closes the register afterwards.

import type { Command } from "commander";
import { Context, type GlobalOptions } from "./context.js";
import type { Run } from "./io.js";

export type Handler<O> = (ctx: Context, options: O, ...args: string[]) => Promise<unknown> | void;

/** The run each program (built anew for every run by main) belongs to. */
const runs = new WeakMap<Command, Run>();

export function bindRun(program: Command, run: Run): void {
  runs.set(program, run);
}

/** The run a command's program was built for. */
export function runOf(command: Command): Run {
  let root = command;
  while (root.parent) root = root.parent;
  const run = runs.get(root);
  if (!run) throw new Error(`no run bound to the program of '${command.name()}'`);
  return run;
}

export function action<O = Record<string, unknown>>(handler: Handler<O>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).map((a) => (Array.isArray(a) ? a.join(" ") : (a as string)));
    const ctx = new Context(command.optsWithGlobals() as GlobalOptions, runOf(command));
    try {
      await handler(ctx, command.opts() as O, ...positional);
    } finally {
      ctx.close();
    }
  };
}
