import { sv, type MessageKey } from "./sv.js";

export type Lang = "sv" | "en";
export type { MessageKey };
export type Params = Record<string, string | number | null | undefined>;

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

/** Looks up a message and fills in `{name}` placeholders that have a parameter; others stay as written. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const text = CATALOGUES[lang]?.[key] ?? sv[key] ?? key;
  return text.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? whole : String(v);
  });
}

export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(lang: Lang): Translate {
  return (key, params) => translate(lang, key, params);
}

/** Documents and e-mails to other providers are always Swedish. */
export const tSv: Translate = translator("sv");
