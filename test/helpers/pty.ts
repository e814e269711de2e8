// Drives an interactive avvik under a real pseudo-terminal (util-linux `script`), answering prompts as a
// person would: wait until the screen shows the expected text, then type.

import { spawn } from "node:child_process";
import { BIN, type Sandbox } from "./cli.js";

export const KEY = { enter: "\r", down: "\u001b[B", up: "\u001b[A", ctrlC: "\u0003", backspace: "\u007f" } as const;

export interface Step {
  /** Text (or pattern) that must appear on screen (after the previous step's output) before typing. */
  expect: string | RegExp;
  /** What to type. */
  keys: string;
  /** Done after the text appears and before typing: another registrar's work meanwhile, say. */
  before?: () => Promise<unknown>;
}

export interface DialogueResult {
  code: number;
  screen: string;
}

// Strips colours and cursor movement so expectations can be written against plain text.
function plain(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\u001b[()][A-Z0-9]/g, "").replace(/\r/g, "");
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function dialogue(s: Sandbox, args: string[], steps: Step[], options: { timeoutMs?: number } = {}): Promise<DialogueResult> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...s.env, TERM: "xterm-256color", COLUMNS: "120", LINES: "40" },
    cwd: s.home,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  let seen = 0;
  let index = 0;
  const timeout = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`dialogue stuck at step ${index} (${String(steps[index]?.expect)}); screen:\n${plain(screen).slice(-1500)}`));
    }, timeout);
    const advance = () => {
      while (index < steps.length) {
        const step = steps[index]!;
        const rest = plain(screen).slice(seen);
        const match = typeof step.expect === "string" ? rest.indexOf(step.expect) : rest.search(step.expect);
        if (match < 0) return;
        seen += match + 1;
        index++;
        // A short pause lets the prompt finish drawing before the keys arrive, as with a person. Then look again:
        // the next step's text may already be on screen (a step that types nothing produces no new output).
        setTimeout(() => {
          void (step.before ?? (async () => undefined))().then(
            () => {
              if (step.keys) child.stdin.write(step.keys);
              advance();
            },
            (error: unknown) => {
              child.kill("SIGKILL");
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        }, 60);
        return;
      }
    };
    child.stdout.on("data", (d: Buffer) => {
      screen += d.toString("utf8");
      advance();
    });
    child.stderr.on("data", (d: Buffer) => (screen += d.toString("utf8")));
    child.on("close", (code) => {
      clearTimeout(timer);
      if (index < steps.length) reject(new Error(`exited ${code} before step ${index} (${String(steps[index]!.expect)}); screen:\n${plain(screen).slice(-1500)}`));
      else resolve({ code: code ?? -1, screen: plain(screen) });
    });
  });
}
