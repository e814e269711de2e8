import type { Area, Direction, DocumentDirection, Kind, OrgKind, Role, Severity, Status } from "./codes.js";
import type { IsoDate } from "./dates.js";
import type { Risk } from "./risk.js";

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  address: string | null;
  deadlineMonths: number | null;
  /** The organisation (often one of its units) that receives its deviations by post, in both directions. */
  deviationRecipientId: string | null;
  /** True for our own organisation (the one given to `init`). */
  self: boolean;
}

export interface Contact {
  id: number;
  orgId: string;
  role: Role;
  name: string;
  email: string;
}

export interface ExternalRef {
  system: string;
  id: string;
}

export interface CaseDocument {
  number: string;
  seq: number;
  date: IsoDate;
  direction: DocumentDirection;
  party: string | null;
  subject: string;
  /** Content hash of a stored file (a packet, a scanned reply), when the document has one. */
  file: string | null;
  /** The secrecy ground (OSL) that keeps subject and party out of the public register; only when set. */
  secrecy?: string;
  /** Voided (makulerad): the entry and its number stay, marked; only when voided. */
  voided?: VoidMark;
}

export interface VoidMark {
  at: string;
  by: string;
  reason: string;
}

export interface Case {
  id: number;
  diaryNumber: string | null;
  direction: Direction;
  status: Status;
  counterpart: { id: string; name: string };
  unit: { id: string; name: string } | null;
  eventDate: IsoDate;
  discoveredDate: IsoDate;
  receivedDate: IsoDate | null;
  registeredAt: string;
  dueDate: IsoDate;
  overdue: boolean;
  daysLeft: number;
  kind: Kind;
  area: Area;
  severity: Severity | null;
  summary: string;
  description: string | null;
  causes: string | null;
  actions: string | null;
  followUp: string | null;
  assignee: { name: string; email: string; role: Role } | null;
  answeredAt: string | null;
  closedAt: string | null;
  duplicateOf: string | null;
  /** A secrecy ground (OSL) marking the whole matter: its entries are kept out of the public register. */
  secrecy: string | null;
  /** When and in which package the closed case was delivered to the e-archive. */
  archived: { at: string; package: string } | null;
  /** Probability × consequence (1–4 each); `eventAnalysisSuggested` from the configured threshold on. */
  risk: Risk & { eventAnalysisSuggested: boolean };
  /** The matter's classification code, else the organisation's default, else null. */
  classification: string | null;
  /** The code's name in the loaded scheme, if any. */
  classificationName: string | null;
  refs: ExternalRef[];
  persons: string[];
  documents?: CaseDocument[];
}

export interface DiaryEntry extends Omit<CaseDocument, "seq"> {
  caseId: number;
  diaryNumber: string;
  /** The matter's classification code (its own, else the organisation's default), when there is one. */
  classification?: string;
}

export interface AuditEvent {
  id: number;
  at: string;
  user: string;
  action: string;
  caseId: number | null;
  diaryNumber: string | null;
  details: Record<string, unknown>;
}

export interface NewCaseInput {
  direction: Direction;
  counterpartId: string;
  unitId: string | null;
  eventDate: IsoDate;
  discoveredDate: IsoDate;
  receivedDate: IsoDate | null;
  kind: Kind;
  area: Area;
  severity?: Severity | null;
  summary: string;
  description: string | null;
  refs: ExternalRef[];
  /** Overrides the deadline computed from the agreement (a case received with the sender's deadline). */
  dueDate?: IsoDate;
  /** Validated twelve-digit personnummer with optional names. */
  persons: Array<{ digits: string; name: string | null }>;
}

export interface CaseFilter {
  status?: Status;
  direction?: Direction;
  overdue?: boolean;
  dueWithin?: number;
  counterpartId?: string;
  text?: string;
  limit?: number;
}
