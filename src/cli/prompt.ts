// Guided dialogues. @inquirer/prompts is loaded only when a prompt is shown; Ctrl-C becomes exit 130.

import { InterruptedError } from "../core/errors.js";

type Prompts = typeof import("@inquirer/prompts");

let loaded: Prompts | undefined;

export async function prompts(): Promise<Prompts> {
  loaded ??= await import("@inquirer/prompts");
  return loaded;
}

/** Runs one prompt; an interrupted prompt (Ctrl-C) throws InterruptedError. */
export async function ask<T>(run: (p: Prompts) => Promise<T>): Promise<T> {
  const p = await prompts();
  try {
    return await run(p);
  } catch (e) {
    if (e instanceof Error && (e.name === "ExitPromptError" || e.name === "AbortPromptError")) throw new InterruptedError();
    throw e;
  }
}
