// `avvik completion bash|zsh`: a completion script generated from the commander tree, so every command and
// flag registered in main.ts is completed without changes here. Code flags complete their codes; case
// references and organisation ids come from the register through the hidden, fast `avvik __complete`.
//
// EXTENDING: a new code flag is completed by name through BY_FLAG (e.g. "--template", "--profile" are already
// there), or per command through BY_COMMAND_FLAG; a flag whose description ends in "a|b|c" completes those
// words automatically. Positional arguments complete by their name in BY_ARGUMENT ("<ref>" → diary numbers).

import type { Command, Option } from "commander";
import { AREAS, DIRECTIONS, DOCUMENT_DIRECTIONS, KINDS, ORG_KINDS, ROLES, SEVERITIES, STATUSES } from "../../core/codes.js";
import { UsageError } from "../../core/errors.js";
import type { Translate } from "../../i18n/index.js";
import { action } from "../command.js";
import { CONFIG_KEYS } from "../config.js";
import type { Context } from "../context.js";
import { commandPath, examples } from "../help.js";

/** "refs" and "orgs" are asked of the register at completion time; an array is a fixed list of words. */
type Completion = readonly string[] | "refs" | "orgs" | "keys";

export const BY_FLAG: Record<string, Completion> = {
  "--kind": KINDS,
  "--area": AREAS,
  "--severity": SEVERITIES,
  "--status": STATUSES,
  "--direction": DIRECTIONS,
  "--role": ROLES,
  "--lang": ["sv", "en"],
  "--template": ["arrived", "answered", "reminder"],
  "--profile": ["synergi", "medcontrol", "treserva"],
  "--by": ["area", "counterpart", "severity", "kind"],
  "--to": ROLES,
  "--counterpart": "orgs",
  "--unit": "orgs",
  "--org": "orgs",
  "--parent": "orgs",
  "--case": "refs",
};

export const BY_COMMAND_FLAG: Record<string, Completion> = {
  "init --kind": ORG_KINDS,
  "org add --kind": ORG_KINDS,
  "diary add --direction": DOCUMENT_DIRECTIONS,
  "case assign --to": [],
};

export const BY_ARGUMENT: Record<string, Completion> = {
  ref: "refs",
  status: STATUSES,
  key: "keys",
  shell: ["bash", "zsh"],
};

const SHELLS = ["bash", "zsh"] as const;

export function registerCompletion(program: Command, t: Translate): void {
  const completion = program
    .command("completion")
    .description(t("help.completion"))
    .argument("<shell>", SHELLS.join("|"))
    .action(
      action((ctx: Context, _o: unknown, shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError("usage.badCode", { flag: "SHELL", value: shell, allowed: SHELLS.join(", ") });
        ctx.io.stdout.write(shell === "zsh" ? zshScript(program) : bashScript(program));
      }),
    );
  examples(completion, [
    { say: "ex.completion.bash", run: "echo 'source <(avvik completion bash)' >> ~/.bashrc" },
    { say: "ex.completion.zsh", run: "echo 'source <(avvik completion zsh)' >> ~/.zshrc" },
  ]);
  program
    .command("__complete", { hidden: true })
    .argument("<what>")
    .action(
      action(async (ctx: Context, _o: unknown, what: string) => {
        const { databaseFile, openDiaryNumbers, orgIds } = await import("../../store/health.js");
        const file = databaseFile(ctx.home);
        const words =
          what === "refs" ? openDiaryNumbers(file)
          : what === "orgs" ? orgIds(file)
          : what === "keys" ? CONFIG_KEYS.map((k) => k.key)
          : what === "commands" ? allCommands(program).slice(1).map(commandPath)
          : [];
        if (words.length) ctx.io.stdout.write(`${words.join("\n")}\n`);
      }),
    );
}

function visible(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
}

function allCommands(program: Command): Command[] {
  const out: Command[] = [program];
  const visit = (c: Command) => visible(c).forEach((s) => (out.push(s), visit(s)));
  visit(program);
  return out;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function optionCompletion(path: string, o: Option): Completion | undefined {
  const flag = o.long ?? o.short ?? "";
  const explicit = BY_COMMAND_FLAG[`${path} ${flag}`.trim()] ?? BY_FLAG[flag];
  if (explicit) return explicit;
  const m = /(?:^|[\s:])([a-z_]+(?:\|[a-z_]+)+)\s*$/.exec(o.description ?? "");
  return m ? m[1]!.split("|") : undefined;
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function emit(c: Completion): string {
  if (c === "refs" || c === "orgs" || c === "keys") return `@${c}`;
  return c.join(" ");
}

/** The bash script: tables generated from the tree, and one function that walks the words typed. */
export function bashScript(program: Command): string {
  const commands = allCommands(program);
  const globalFlags = program.options.map((o) => o.long!).filter(Boolean);
  const valueFlags = new Set<string>();
  const subs: string[] = [];
  const flags: string[] = [];
  const values: string[] = [];
  const args: string[] = [];
  for (const cmd of commands) {
    const path = commandPath(cmd);
    const names = visible(cmd).map((c) => c.name());
    if (cmd === program) names.push("help");
    if (names.length) subs.push(`    ${q(path)}) echo ${q(names.join(" "))} ;;`);
    const own = cmd === program ? [] : cmd.options;
    const longs = [...own.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)), ...globalFlags, "--help"];
    flags.push(`    ${q(path)}) echo ${q([...new Set(longs)].join(" "))} ;;`);
    for (const o of [...own, ...(cmd === program ? program.options : [])]) {
      if (!takesValue(o)) continue;
      for (const f of [o.long, o.short]) if (f) valueFlags.add(f);
      const c = optionCompletion(path, o);
      if (c) for (const f of [o.long, o.short]) if (f) values.push(`    ${q(`${path}|${f}`)}) echo ${q(emit(c))} ;;`);
    }
    cmd.registeredArguments.forEach((a, i) => {
      const c = BY_ARGUMENT[a.name()];
      if (c) args.push(`    ${q(`${path}|${i}`)}) echo ${q(emit(c))} ;;`);
    });
  }
  const globalValues = program.options.filter(takesValue).flatMap((o) => {
    const c = optionCompletion("", o);
    return c && o.long ? [`    *${q(`|${o.long}`)}) echo ${q(emit(c))} ;;`] : [];
  });
  const rootSubs = visible(program).map((c) => c.name());
  return `# avvik completion for bash (generated by 'avvik completion bash'; regenerate after updating avvik)
# Install: echo 'source <(avvik completion bash)' >> ~/.bashrc
__avvik_subs() {
  case "$1" in
${subs.join("\n")}
  esac
}
__avvik_flags() {
  case "$1" in
${flags.join("\n")}
    *) echo ${q([...globalFlags, "--help"].join(" "))} ;;
  esac
}
__avvik_values() {
  case "$1|$2" in
${values.join("\n")}
${globalValues.join("\n")}
  esac
}
__avvik_args() {
  case "$1|$2" in
${args.join("\n")}
    help\\|*) echo ${q([...rootSubs, "flows"].join(" "))} ;;
  esac
}
__avvik_value_flags=${q(` ${[...valueFlags].join(" ")} `)}
__avvik_words() {
  # $1: a word list from the tables, one word a line; @refs, @orgs and @keys are asked of the register.
  local IFS=$' \\t\\n'
  case "$1" in
    @*) "$__avvik_cmd" \${__avvik_home:+--home "$__avvik_home"} __complete "\${1#@}" 2>/dev/null ;;
    *) printf '%s\\n' $1 ;;
  esac
}
__avvik_reply() {
  # COMPREPLY from a word list ($1) for the word being typed ($2). A word may hold a space (a diary number
  # such as "VOK 2026-1"): it is offered escaped (VOK\\ 2026-1), and what was typed is compared unescaped.
  local IFS=$'\\n' w typed="\${2//\\\\ / }"
  typed="\${typed#[\\"\\']}"
  COMPREPLY=()
  for w in $(__avvik_words "$1"); do
    [[ "$w" == "$typed"* ]] && COMPREPLY+=("$(printf '%q' "$w")")
  done
}
_avvik() {
  # Not "path": in zsh that name is tied to $PATH.
  local cur="\${COMP_WORDS[COMP_CWORD]}" words="" pos=0 i w skip=0 list
  __avvik_cmd="\${COMP_WORDS[0]}"
  __avvik_home=""
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then
      [[ "\${COMP_WORDS[i-1]}" == "--home" ]] && __avvik_home="$w"
      skip=0
      continue
    fi
    case "$w" in
      --*=*) continue ;;
      -*) [[ "$__avvik_value_flags" == *" $w "* ]] && skip=1; continue ;;
    esac
    if ((pos == 0)) && [[ " $(__avvik_subs "$words") " == *" $w "* ]]; then
      words="\${words:+$words }$w"
    else
      pos=$((pos + 1))
    fi
  done
  if ((skip)); then
    list="$(__avvik_values "$words" "\${COMP_WORDS[COMP_CWORD-1]}")"
    [[ -n "$list" ]] && __avvik_reply "$list" "$cur"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(__avvik_flags "$words")" -- "$cur"))
    return 0
  fi
  list="$(__avvik_subs "$words")"
  if ((pos == 0)) && [[ -n "$list" ]]; then
    COMPREPLY=($(compgen -W "$list" -- "$cur"))
    return 0
  fi
  [[ "$words" == help* ]] && pos=0 && words=help
  list="$(__avvik_args "$words" "$pos")"
  [[ -n "$list" ]] && __avvik_reply "$list" "$cur"
  return 0
}
complete -o default -F _avvik avvik
`;
}

/** zsh runs the same function through its bash compatibility layer (bashcompinit). */
export function zshScript(program: Command): string {
  return `# avvik completion for zsh (generated by 'avvik completion zsh')
# Install: echo 'source <(avvik completion zsh)' >> ~/.zshrc   (after compinit)
autoload -U +X compinit && { (( $+functions[compdef] )) || compinit }
autoload -U +X bashcompinit && bashcompinit
${bashScript(program).split("\n").slice(2).join("\n")}`;
}
