// E-mail texts from templates/mail/<name>.txt (an administrator may edit them, or put an own version in
// <home>/templates/mail/<name>.txt). The first line is the subject ("Ämne: …"), then an empty line, then the body.
// {name} is replaced by the case's value; an empty value gives "–". E-mails are always Swedish.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FailedError } from "../core/errors.js";
import { TEMPLATES_DIR } from "../paths.js";
import { runCache } from "../runCache.js";

export const TEMPLATES = ["arrived", "answered", "reminder", "report"] as const;
export type TemplateName = (typeof TEMPLATES)[number];
/** Templates of messages about several cases (not offered by `notify`). */
export type GeneralTemplateName = "summary";
/** Notices with values of their own besides the case's (not offered by `notify`): an action given to its owner. */
export type NoticeTemplateName = "action";

export interface MailTemplate {
  name: TemplateName | GeneralTemplateName | NoticeTemplateName;
  file: string;
  subject: string;
  body: string;
}

const cache = runCache<string, MailTemplate>();

export function templateFile(home: string, name: TemplateName | GeneralTemplateName | NoticeTemplateName): string {
  const own = join(home, "templates", "mail", `${name}.txt`);
  return existsSync(own) ? own : join(TEMPLATES_DIR, "mail", `${name}.txt`);
}

export function loadTemplate(home: string, name: TemplateName | GeneralTemplateName | NoticeTemplateName): MailTemplate {
  const file = templateFile(home, name);
  const hit = cache.get(file);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  } catch {
    throw new FailedError("mail.error.template", { file, reason: "kan inte läsas" });
  }
  const m = /^(?:Ämne|Subject):[ \t]*(.+)\n\n([\s\S]*)$/i.exec(text);
  if (!m) throw new FailedError("mail.error.template", { file, reason: "första raden ska vara 'Ämne: …' följd av en tom rad" });
  const t: MailTemplate = { name, file, subject: m[1]!.trim(), body: m[2]!.replace(/\s+$/, "") + "\n" };
  cache.set(file, t);
  return t;
}

/** Fills {name} placeholders; unknown names stay as written so that a typo shows in the preview. */
export function fill(text: string, values: Record<string, string | null | undefined>): string {
  return text.replace(/\{([a-zA-Z]+)\}/g, (whole, key: string) => {
    if (!(key in values)) return whole;
    const v = values[key];
    return v === null || v === undefined || v === "" ? "–" : v;
  });
}
