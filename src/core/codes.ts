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
