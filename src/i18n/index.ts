import { sv, type MessageKey } from "./sv.js";

export type Lang = "sv" | "en";
export type { MessageKey };
/** A message inside a message: a catalogue key with its own parameters, translated in the same language. */
export interface MessageRef {
  key: string;
  params?: Params;
}
export type Param = string | number | null | undefined | MessageRef | readonly MessageRef[];
export type Params = Record<string, Param>;

// Swedish is always here (documents and e-mails use it); English is loaded when asked for, so that the
// common case does not compile a second catalogue at every start.
const CATALOGUES: Partial<Record<Lang, Record<MessageKey, string>>> = { sv };

/** Makes a language's catalogue available; call (and await) before translating into it. */
export async function loadLanguage(lang: Lang): Promise<void> {
  if (lang === "en" && !CATALOGUES.en) CATALOGUES.en = (await import("./en.js")).en;
}

export function isMessageKey(key: string): key is MessageKey {
  return key in sv;
}

const pluralRules: Partial<Record<Lang, Intl.PluralRules>> = {};

/** "one" or "other" for a count in a language (Swedish and English know only these two). */
function pluralCategory(lang: Lang, n: number): Intl.LDMLPluralRule {
  pluralRules[lang] ??= new Intl.PluralRules(lang);
  return pluralRules[lang]!.select(n);
}

function paramText(lang: Lang, v: Exclude<Param, null | undefined>): string {
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (Array.isArray(v)) return v.map((r) => paramText(lang, r)).join(", ");
  const ref = v as MessageRef;
  return isMessageKey(ref.key) ? translate(lang, ref.key, ref.params) : ref.key;
}

/**
 * Looks up a message and fills it in:
 * - `{name|singular|plural}` picks the form for the count in parameter `name` by `Intl.PluralRules` of the
 *   language ("{n} {n|dag|dagar} försenad": "1 dag försenad", "3 dagar försenad");
 * - `{name}` is replaced by its parameter: text, a number, a message (`{key, params}`) or a list of messages
 *   (joined by ", "); a placeholder without a parameter stays as written.
 */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const text: string = CATALOGUES[lang]?.[key] ?? sv[key] ?? key;
  return text
    .replace(/\{([a-zA-Z]+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) => {
      const n = Number(params[name]);
      if (params[name] === undefined || params[name] === null || !Number.isFinite(n)) return whole;
      return pluralCategory(lang, n) === "one" ? one : other;
    })
    .replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => {
      const v = params[name];
      return v === undefined || v === null ? whole : paramText(lang, v);
    });
}

/** A message to be translated later, in the language of whoever prints it (for error parameters). */
export function msg(key: MessageKey, params?: Params): MessageRef {
  return { key, params };
}

export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(lang: Lang): Translate {
  return (key, params) => translate(lang, key, params);
}

/** Documents and e-mails to other providers are always Swedish. */
export const tSv: Translate = translator("sv");
