// Guided dialogues. @inquirer/prompts is loaded only when a prompt is shown; Ctrl-C becomes exit 130.
// Everything the prompts say is translated: key hints through the theme, yes/no as a Ja/Nej choice.
// A prompt reads and writes the run's own streams (src/cli/io.ts), never the process's directly.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InterruptedError } from "../core/errors.js";
import type { MessageKey, Translate } from "../i18n/index.js";
import type { Io } from "./io.js";
import { visible } from "./terminal.js";

type Prompts = typeof import("@inquirer/prompts");

/** Who asks: the language and the run's streams (a Context or the menu's session). */
export interface Asker {
  readonly t: Translate;
  readonly io: Io;
}

let loaded: Prompts | undefined;

async function prompts(): Promise<Prompts> {
  loaded ??= await import("@inquirer/prompts");
  return loaded;
}

const PROMPT_NAMES = new Set(["checkbox", "confirm", "editor", "expand", "input", "number", "password", "rawlist", "search", "select"]);

/** The prompts, each bound to the run's stdin and stdout (inquirer's second argument, its context). */
function bound(p: Prompts, io: Io): Prompts {
  const context = { input: io.stdin, output: io.stdout };
  return new Proxy(p, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof name !== "string" || !PROMPT_NAMES.has(name)) return value;
      return (config: unknown) => (value as (config: unknown, context: unknown) => unknown)(config, context);
    },
  });
}

/** Runs one prompt; an interrupted prompt (Ctrl-C) throws InterruptedError. */
export async function ask<T>(asker: Asker, run: (p: Prompts) => Promise<T>): Promise<T> {
  const p = bound(await prompts(), asker.io);
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

/** A choice among `choices`; their names (case summaries, contact names) are shown with controls made visible. */
export function choose<T>(asker: Asker, message: string, choices: Array<{ name: string; value: T }>, options: { default?: T; pageSize?: number } = {}): Promise<T> {
  const shown = choices.map((c) => ({ ...c, name: visible(c.name, false) }));
  return ask(asker, (p) => p.select<T>({ message: visible(message, false), choices: shown, default: options.default, pageSize: options.pageSize ?? 12, theme: selectTheme(asker.t) }));
}

/** Yes or no as a choice between "Ja" and "Nej" (inquirer's confirm only understands y/n). */
export function yesNo(asker: Asker, message: string, def: boolean): Promise<boolean> {
  const yes = { name: asker.t("common.yes"), value: true };
  const no = { name: asker.t("common.no"), value: false };
  return choose(asker, message, def ? [yes, no] : [no, yes]);
}

/**
 * A typed yes/no question ("Radera? (j/N)") for a grave step, where a typed answer is wanted rather than a choice:
 * accepts j/ja/n/nej in Swedish (and y/yes/n/no always); anything else is asked again in the user's language.
 */
export function confirmTyped(asker: Asker, message: string, def: boolean): Promise<boolean> {
  const t = asker.t;
  const yes = t("common.yes");
  const no = t("common.no");
  return ask(asker, (p) =>
    p.confirm({
      message,
      default: def,
      theme: { keywords: { yes, no, error: () => t("prompt.answerYesNo", { yes, no }) } },
    }),
  );
}

/**
 * Free text of several lines (a description, causes, actions). With $VISUAL or $EDITOR set, that editor is
 * opened, as git does; otherwise lines are typed one after the other and an empty line ends the text.
 * `validate` checks the whole text; an answer it refuses is asked again.
 */
export async function longText(asker: Asker, message: string, options: { default?: string; validate?: (text: string) => true | string } = {}): Promise<string> {
  const t = asker.t;
  const env = asker.io.env;
  const validate = options.validate ?? (() => true);
  const editor = env.VISUAL || env.EDITOR;
  if (editor) {
    let text = options.default ?? "";
    for (;;) {
      asker.io.stderr.write(`${message} ${t("prompt.editorHint")}\n`);
      text = editText(editor, text, env);
      const ok = validate(text);
      if (ok === true) return text;
      asker.io.stderr.write(`${ok}\n`);
    }
  }
  for (;;) {
    const lines: string[] = [];
    const first = await ask(asker, (p) => p.input({ message: `${message} ${t("prompt.linesHint")}`, default: options.default }));
    if (first.trim()) {
      lines.push(first.trimEnd());
      for (;;) {
        const more = await ask(asker, (p) => p.input({ message: "…" }));
        if (!more.trim()) break;
        lines.push(more.trimEnd());
      }
    }
    const text = lines.join("\n").trim();
    const ok = validate(text);
    if (ok === true) return text;
    asker.io.stderr.write(`${ok}\n`);
  }
}

/**
 * Opens `editor` on a private temporary file holding `text`, as git does (`sh -c '$EDITOR "$1"'`), and returns
 * what was saved (UTF-8), trimmed. The file is removed afterwards. Ctrl-C in the editor, or an editor that
 * fails, is an interruption.
 */
function editText(editor: string, text: string, env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), "avvik-text-"));
  const file = join(dir, "avvik.txt");
  try {
    writeFileSync(file, text ? `${text}\n` : "", { mode: 0o600 });
    const r = spawnSync("sh", ["-c", `${editor} "$1"`, editor, file], { stdio: "inherit", env });
    if (r.status !== 0) throw new InterruptedError();
    return readFileSync(file, "utf8").replace(/\r\n?/g, "\n").trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
