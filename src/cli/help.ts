// Help that teaches: two or three real examples under every command's help (given beside each command), and the
// flows of Östergötland and Linköping in terms of commands. Applied to the commander tree after registration
// (main.ts).
//
// ADDING EXAMPLES for a command: beside the command, in its module (src/cli/commands/<group>/<verb>.ts):
// `examples(cmd, [{ say, run }, …])`, each example a catalogue key (say, in src/i18n sv.ts and en.ts) and the
// command line (run). There is no other place for them: a test fails for a command without at least two.

import type { Command } from "commander";
import type { MessageKey, Translate } from "../i18n/index.js";
import { runOf } from "./command.js";

export interface Example {
  say: MessageKey;
  run: string;
}

/** The examples given beside each command (`examples(cmd, …)` in its module). */
const BESIDE = new WeakMap<Command, Example[]>();

/** Gives a command its help examples (at least two); shown under its help by `applyHelp`. */
export function examples(cmd: Command, list: Example[]): Command {
  BESIDE.set(cmd, list);
  return cmd;
}

/** "case new" for a command in the tree (the program itself is ""). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

export function* walk(cmd: Command): Generator<Command> {
  for (const sub of cmd.commands) {
    if ((sub as unknown as { _hidden?: boolean })._hidden) continue;
    yield sub;
    yield* walk(sub);
  }
}

function examplesText(t: Translate, examples: Example[]): string {
  const lines = [`\n${t("help.title.examples")}`];
  for (const e of examples) lines.push(`  # ${t(e.say)}`, `  ${e.run}`, "");
  return lines.join("\n").trimEnd();
}

/** Adds the examples under every command's help, and a pointer to the menu and the flows under the program's. */
export function applyHelp(program: Command, t: Translate): void {
  for (const cmd of walk(program)) {
    const list = BESIDE.get(cmd);
    if (list?.length) cmd.addHelpText("after", examplesText(t, list));
  }
  program.addHelpText("after", `\n${t("help.more")}`);
}

// --- the flows (DOMAIN.md) in terms of commands ---------------------------------------------------------
// Each step says what happens and shows the command. A step whose command is not registered (yet) is marked
// as coming; once the command exists it is shown like the others, with no change here.

export interface FlowStep {
  say: MessageKey;
  run?: string;
}

export interface Flow {
  title: MessageKey;
  intro: MessageKey;
  steps: FlowStep[];
}

export const FLOWS: Flow[] = [
  {
    title: "flow.oOut.title",
    intro: "flow.oOut.intro",
    steps: [
      { say: "flow.oOut.1", run: "avvik case new --direction out --counterpart region-ostergotland --unit ro-viss …" },
      { say: "flow.oOut.2", run: "avvik packet 2026-000012" },
      { say: "flow.oOut.2b", run: "avvik exchange export 2026-000012" },
      { say: "flow.oOut.3", run: "avvik reply attach svar.pdf" },
      { say: "flow.oOut.3b", run: "avvik exchange import svar-exchange.pdf" },
      { say: "flow.oOut.4", run: "avvik notify 2026-000012 --to manager --template answered" },
      { say: "flow.oOut.5", run: "avvik case close 2026-000012" },
    ],
  },
  {
    title: "flow.oIn.title",
    intro: "flow.oIn.intro",
    steps: [
      { say: "flow.oIn.1", run: "avvik case new --direction in --counterpart region-ostergotland --ref synergi:45678 --person 19121212-1212 …" },
      { say: "flow.oIn.2", run: "avvik case assign 2026-000013 --to sara.nilsson@linkoping.example" },
      { say: "flow.oIn.3", run: "avvik notify 2026-000013 --to manager --template arrived" },
      { say: "flow.oIn.4", run: 'avvik case update 2026-000013 --severity gul --causes "…" --actions "…"' },
      { say: "flow.oIn.5", run: "avvik packet 2026-000013" },
      { say: "flow.oIn.6", run: "avvik case close 2026-000013" },
    ],
  },
  {
    title: "flow.lOut.title",
    intro: "flow.lOut.intro",
    steps: [
      { say: "flow.lOut.1", run: "avvik import treserva.csv --profile treserva" },
      { say: "flow.lOut.1b", run: "avvik case new --direction out …" },
      { say: "flow.lOut.2", run: "avvik send 2026-000014 --to coordinator --report" },
      { say: "flow.lOut.3", run: "avvik reply attach svar.pdf" },
      { say: "flow.lOut.4", run: "avvik notify 2026-000014 --to manager --template answered" },
      { say: "flow.lOut.5", run: "avvik send 2026-000014 --to ma" },
      { say: "flow.lOut.6", run: 'avvik case update 2026-000014 --follow-up "…"' },
      { say: "flow.lOut.7", run: "avvik case close 2026-000014" },
    ],
  },
  {
    title: "flow.lIn.title",
    intro: "flow.lIn.intro",
    steps: [
      { say: "flow.lIn.1", run: "avvik case new --direction in …" },
      { say: "flow.lIn.2", run: "avvik notify 2026-000015 --to manager --template arrived" },
      { say: "flow.lIn.3", run: "avvik case update 2026-000015 --severity rod" },
      { say: "flow.lIn.4", run: 'avvik case update 2026-000015 --causes "…" --actions "…"' },
      { say: "flow.lIn.5", run: 'avvik diary add 2026-000015 --direction in --subject "Svar från berörd chef via MAS"' },
      { say: "flow.lIn.6", run: "avvik send 2026-000015 --to coordinator --report" },
      { say: "flow.lIn.7", run: "avvik case close 2026-000015" },
    ],
  },
  {
    title: "flow.daily.title",
    intro: "flow.daily.intro",
    steps: [
      { say: "flow.daily.1", run: "avvik" },
      { say: "flow.daily.2", run: "avvik case list --overdue" },
      { say: "flow.daily.3", run: "avvik summary --email registrar" },
      { say: "flow.daily.4", run: "avvik outbox flush" },
      { say: "flow.daily.5", run: "avvik stats --period 2026H1 --by area --pdf statistik-2026H1.pdf" },
      { say: "flow.daily.6", run: "avvik duplicates" },
    ],
  },
];

/** Does the program have the command a line like "avvik case new …" runs? */
export function hasCommand(program: Command, run: string): boolean {
  const words = run.split(/\s+/).slice(1);
  let cmd: Command = program;
  for (const w of words) {
    if (w.startsWith("-") || w === "…") break;
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!sub) return cmd !== program;
    cmd = sub;
  }
  return true;
}

export function flowsText(program: Command, t: Translate): string {
  const out: string[] = [t("flow.heading"), ""];
  for (const flow of FLOWS) {
    out.push(t(flow.title), `  ${t(flow.intro)}`, "");
    flow.steps.forEach((s, i) => {
      out.push(`  ${String(i + 1).padStart(2)}. ${t(s.say)}`);
      if (s.run) out.push(`      ${s.run}${hasCommand(program, s.run) ? "" : `   ${t("flow.coming")}`}`);
    });
    out.push("");
  }
  return out.join("\n");
}

export function registerFlows(program: Command, t: Translate): void {
  const cmd = program
    .command("flows")
    .description(t("help.flows"))
    .action((_o: unknown, command: Command) => {
      runOf(command).io.stdout.write(`${flowsText(program, t)}\n`);
    });
  examples(cmd, [
    { say: "ex.flows", run: "avvik help flows" },
    { say: "ex.flowsEn", run: "avvik flows --lang en" },
  ]);
}
