// Glue between commander and a command's handler: builds the Context from the global flags,
// passes the command's own options and arguments, and always closes the register afterwards.

import type { Command } from "commander";
import { Context, type GlobalOptions } from "./context.js";

export type Handler<O> = (ctx: Context, options: O, ...args: string[]) => Promise<unknown> | void;

export function action<O = Record<string, unknown>>(handler: Handler<O>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).map((a) => (Array.isArray(a) ? a.join(" ") : (a as string)));
    const ctx = new Context(command.optsWithGlobals() as GlobalOptions);
    try {
      await handler(ctx, command.opts() as O, ...positional);
    } finally {
      ctx.close();
    }
  };
}

/** Adds --json to a command that reports something (it is also accepted before the command). */
export function withJson(cmd: Command, description: string): Command {
  return cmd.option("--json", description);
}
