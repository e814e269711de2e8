// The value placeholders of the command line (`<date>`, `<text>`, `[years]`, an argument's name `ref`) in the
// user's language: `<datum>`, `<text>`, `[år]`, `<ärende>`. One mapping (catalogue keys help.ph.*) for the help
// and for the error lines that name an argument or a flag's value.

import { isMessageKey, type Translate } from "../i18n/index.js";

/** Every `<x>` and `[x]` in a help or error text in the user's language; a placeholder without an entry stays. */
export function placeholders(t: Translate): (text: string) => string {
  return (text) =>
    text.replace(/<([^<>\s]+)>|\[([^[\]\s]+(?:\[[^\]]*\][^\]\s]*)?)\]/g, (whole, angle: string | undefined, square: string | undefined) => {
      const inner = (angle ?? square)!;
      const key = `help.ph.${inner.replace(/\.\.\.$/, "").toLowerCase()}`;
      if (!isMessageKey(key)) return whole;
      const word = t(key) + (inner.endsWith("...") ? "..." : "");
      return angle !== undefined ? `<${word}>` : `[${word}]`;
    });
}

/** An argument's name as the help shows it: `ref` → `<ärende>`, `FILE` → `<fil>`. */
export function argumentTerm(t: Translate, name: string): string {
  return placeholders(t)(`<${name.replace(/^[<[]|[>\]]$/g, "")}>`);
}
