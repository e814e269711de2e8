// The codes used on the command line, in JSON and in the database.
// Display names live in the message catalogues (src/i18n), never here.

export const KINDS = ["risk", "tillbud", "skada"] as const;
export type Kind = (typeof KINDS)[number];

export const AREAS = ["information", "planering", "lakemedel", "omvardnad", "bemotande", "ovrigt"] as const;
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ["gron", "gul", "rod"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DIRECTIONS = ["in", "out"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const DOCUMENT_DIRECTIONS = ["in", "out", "internal"] as const;
export type DocumentDirection = (typeof DOCUMENT_DIRECTIONS)[number];

export const STATUSES = ["registered", "sent", "assigned", "investigating", "answered", "followed_up", "closed"] as const;
export type Status = (typeof STATUSES)[number];

export const ORG_KINDS = ["region", "municipality", "private"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ROLES = ["registrar", "manager", "mas", "mar", "ma", "sas", "coordinator", "mailbox"] as const;
export type Role = (typeof ROLES)[number];

export function isCode<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (list as readonly string[]).includes(value);
}

// --- Swedish words for codes ---------------------------------------------------------------------------
// On the command line every code is also accepted as its Swedish word, with or without å/ä/ö and in any case
// (`--direction ut`, `--status besvarad`, `--role chef`); JSON and the database keep the codes. These words are
// part of the command-line contract (what a user may type), not display names: those live in the catalogues.

export type CodeGroup = "kind" | "area" | "severity" | "direction" | "documentDirection" | "status" | "orgKind" | "role";

const LISTS: Record<CodeGroup, readonly string[]> = {
  kind: KINDS,
  area: AREAS,
  severity: SEVERITIES,
  direction: DIRECTIONS,
  documentDirection: DOCUMENT_DIRECTIONS,
  status: STATUSES,
  orgKind: ORG_KINDS,
  role: ROLES,
};

/** The words accepted for each code; the first is the one shown in help and error messages. */
const WORDS: Record<CodeGroup, Record<string, readonly string[]>> = {
  kind: { risk: ["risk"], tillbud: ["tillbud"], skada: ["skada"] },
  area: {
    information: ["information", "rapportering", "brister i information/rapportering", "information/rapportering"],
    planering: ["planering", "vårdplanering", "samordnad planering", "brister i samordnad vård- och omsorgsplanering"],
    lakemedel: ["läkemedel", "läkemedelsbehandling"],
    omvardnad: ["omvårdnad", "omvårdnadsbrister"],
    bemotande: ["bemötande"],
    ovrigt: ["övrigt", "annat"],
  },
  severity: { gron: ["grön"], gul: ["gul"], rod: ["röd"] },
  direction: { in: ["in", "inkommande"], out: ["ut", "utgående"] },
  documentDirection: { in: ["in", "inkommande", "inkommen"], out: ["ut", "utgående", "upprättad och skickad"], internal: ["intern", "upprättad"] },
  status: {
    registered: ["registrerad", "registrerat"],
    sent: ["skickad", "skickat"],
    assigned: ["tilldelad", "tilldelat"],
    investigating: ["under utredning", "utreds"],
    answered: ["besvarad", "besvarat"],
    followed_up: ["uppföljd", "uppföljt"],
    closed: ["avslutad", "avslutat"],
  },
  orgKind: { region: ["region"], municipality: ["kommun"], private: ["privat", "privat vårdgivare"] },
  role: {
    registrar: ["registrator"],
    manager: ["chef", "berörd chef"],
    mas: ["mas"],
    mar: ["mar"],
    ma: ["ma"],
    sas: ["sas"],
    coordinator: ["samordnare", "patientsäkerhetssamordnare", "avvikelsesamordnare"],
    mailbox: ["funktionsbrevlåda", "brevlåda"],
  },
};

/** A word as compared: no diacritics (å→a, ä→a, ö→o, é→e), lower case, `_`, `-` and runs of spaces as one space. */
export function foldWord(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_-]+/g, " ")
    .trim();
}

/** The group a list of codes belongs to (by identity), if it is one of the lists above. */
export function groupOfList(list: readonly string[]): CodeGroup | undefined {
  return (Object.keys(LISTS) as CodeGroup[]).find((g) => LISTS[g] === list);
}

/** The code for what a user typed: the code itself or one of its Swedish words, folded. */
export function codeFromWord<T extends string>(list: readonly T[], value: string, group: CodeGroup | undefined = groupOfList(list)): T | undefined {
  const v = foldWord(value);
  const direct = list.find((c) => foldWord(c) === v);
  if (direct) return direct;
  if (!group) return undefined;
  for (const code of list) {
    if ((WORDS[group][code] ?? []).some((w) => foldWord(w) === v)) return code;
  }
  return undefined;
}

/** The Swedish word shown for a code (as typed, with å/ä/ö). */
export function swedishWord(group: CodeGroup, code: string): string {
  return WORDS[group][code]?.[0] ?? code;
}

/**
 * The codes of a list with their Swedish word beside them where it differs: "in, out (ut)". Used by help and
 * error messages.
 */
export function codesWithWords(list: readonly string[], separator = ", "): string {
  const group = groupOfList(list);
  return list
    .map((code) => {
      const word = group ? swedishWord(group, code) : code;
      return word === code ? code : `${code} (${word})`;
    })
    .join(separator);
}
