// Guided dialogues. @inquirer/prompts is loaded only when a prompt is shown; Ctrl-C becomes exit 130.
// Everything the prompts say is translated: key hints through the theme, yes/no as a Ja/Nej choice.

import { InterruptedError } from "../core/errors.js";
import type { MessageKey, Translate } from "../i18n/index.js";

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

/** The theme for select prompts: key hints in the user's language. */
export function selectTheme(t: Translate) {
  return {
    style: {
      keysHelpTip: (keys: [string, string][]) =>
        keys.map(([key, action]) => `${key} ${t(`prompt.key.${action}` as MessageKey)}`).join(" • "),
    },
  };
}

export function choose<T>(t: Translate, message: string, choices: Array<{ name: string; value: T }>, options: { default?: T; pageSize?: number } = {}): Promise<T> {
  return ask((p) => p.select<T>({ message, choices, default: options.default, pageSize: options.pageSize ?? 12, theme: selectTheme(t) }));
}

/** Yes or no as a choice between "Ja" and "Nej" (inquirer's confirm only understands y/n). */
export function yesNo(t: Translate, message: string, def: boolean): Promise<boolean> {
  const yes = { name: t("common.yes"), value: true };
  const no = { name: t("common.no"), value: false };
  return choose(t, message, def ? [yes, no] : [no, yes]);
}
