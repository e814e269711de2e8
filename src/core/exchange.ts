// The exchange format: a case (or the answer to one) travelling from one provider's register to another's,
// carried as a JSON file embedded in a readable PDF. Documented in docs/exchange/.
// Pure: building, canonical form, checksum, the bytes a signature covers, and validation. Hashing and
// signature checking are passed in so core stays free of I/O and crypto drivers.

import { AREAS, KINDS, ORG_KINDS, SEVERITIES, isCode, type Area, type Kind, type OrgKind, type Severity } from "./codes.js";
import { parseIsoDate } from "./dates.js";
import { PAYLOAD_LIMITS, parseUntrustedJson } from "./untrustedJson.js";

export const EXCHANGE_FORMAT = "avvik-exchange";
/** Version 2: every file is signed with the sender's Ed25519 key (docs/exchange/signing.md). Version 1 was unsigned. */
export const EXCHANGE_VERSION = 2;
export const SIGNATURE_ALGORITHM = "Ed25519";
export const EXCHANGE_FILE_NAME = "avvik-exchange.json";

export interface ExchangeParty {
  orgId: string;
  name: string;
  kind: OrgKind;
}

export interface ExchangeCase {
  /** The sender's diary number of the case. */
  diaryNumber: string;
  eventDate: string;
  discoveredDate: string;
  /** The answer is due on this day, by the sender's agreement; the recipient keeps it. */
  dueDate: string;
  kind: Kind;
  area: Area;
  severity: Severity | null;
  summary: string;
  description: string | null;
  unit: { id: string; name: string } | null;
  refs: Array<{ system: string; id: string }>;
  /** Only when exported with --with-personal-data. */
  persons?: Array<{ pnr: string; name: string | null }>;
}

export interface ExchangeAnswer {
  /** The case this answers: the original sender's organisation and diary number. */
  inReplyTo: { orgId: string; diaryNumber: string };
  causes: string | null;
  actions: string | null;
  followUp: string | null;
  answeredOn: string;
}

export interface ExchangePayload {
  format: typeof EXCHANGE_FORMAT;
  version: number;
  type: "case" | "answer";
  createdAt: string;
  sender: ExchangeParty;
  recipient: ExchangeParty;
  case: ExchangeCase;
  answer?: ExchangeAnswer;
  /** "sha256:<hex>" of the canonical JSON of every other field but `signature`. */
  checksum: string;
  /** The sender's Ed25519 signature over `signedText(payload)`: every field, the checksum included. */
  signature: ExchangeSignature;
}

export interface ExchangeSignature {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** The raw 32-byte public key, base64: shown as a fingerprint when the recipient has no key for the sender. */
  publicKey: string;
  /** The 64-byte signature, base64. */
  value: string;
}

/** A payload before it is signed. */
export type SealedPayload = Omit<ExchangePayload, "signature">;

/** JSON with object keys sorted at every level and no white space: the form the checksum covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export type Sha256 = (text: string) => string;

export function sealPayload(body: Omit<ExchangePayload, "checksum" | "signature">, sha256: Sha256): SealedPayload {
  return { ...body, checksum: `sha256:${sha256(canonicalJson(body))}` };
}

/**
 * The text a signature covers: the canonical JSON of the payload without `signature` (so with the checksum,
 * the sender, the recipient, the case with its due date, and the answer). The recipient computes it from the
 * very values it then records, so nothing it uses lies outside what was verified.
 */
export function signedText(payload: SealedPayload | ExchangePayload): string {
  const { signature: _s, ...rest } = payload as ExchangePayload;
  return canonicalJson(rest);
}

/**
 * A public key's fingerprint for people to compare by phone: the first 16 bytes of the SHA-256 of the raw
 * 32-byte key, as upper-case hex in eight groups of four ("AB12 CD34 …").
 */
export function formatFingerprint(sha256HexOfRawKey: string): string {
  return sha256HexOfRawKey.slice(0, 32).toUpperCase().match(/.{4}/g)!.join(" ");
}

export type ExchangeProblem =
  | { problem: "not-json" }
  | { problem: "too-large" }
  | { problem: "too-deep" }
  | { problem: "not-exchange" }
  | { problem: "version"; version: unknown }
  | { problem: "checksum" }
  | { problem: "unsigned" }
  | { problem: "field"; field: string };

function str(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= 10_000;
}

function optStr(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "string" && v.length <= 10_000);
}

/** Standard base64 (with padding) of exactly `bytes` bytes. */
function base64Of(v: unknown, bytes: number): boolean {
  const pad = (3 - (bytes % 3)) % 3;
  const chars = 4 * Math.ceil(bytes / 3) - pad;
  return typeof v === "string" && new RegExp(`^[A-Za-z0-9+/]{${chars}}={${pad}}$`).test(v);
}

function date(v: unknown): boolean {
  return typeof v === "string" && parseIsoDate(v) !== undefined;
}

function party(v: unknown): boolean {
  const p = v as ExchangeParty;
  return typeof p === "object" && p !== null && str(p.orgId) && str(p.name) && isCode(ORG_KINDS, p.kind);
}

/** Parses and checks a payload: the format, a version we read, the checksum, and every field we use. */
export function openPayload(text: string, sha256: Sha256): ExchangePayload | ExchangeProblem {
  const parsed = parseUntrustedJson(text, PAYLOAD_LIMITS);
  if ("problem" in parsed) return parsed;
  const p = parsed.value as ExchangePayload;
  if (typeof p !== "object" || p === null || p.format !== EXCHANGE_FORMAT) return { problem: "not-exchange" };
  // Version 1 files carried only a checksum, which anyone can recompute after changing the content.
  if (p.version === 1) return { problem: "unsigned" };
  if (p.version !== EXCHANGE_VERSION) return { problem: "version", version: p.version };
  const { checksum, signature, ...body } = p;
  if (typeof checksum !== "string" || checksum !== `sha256:${sha256(canonicalJson(body))}`) return { problem: "checksum" };
  if (signature === undefined || signature === null) return { problem: "unsigned" };
  const checks: Array<[string, boolean]> = [
    [
      "signature",
      typeof signature === "object" &&
        signature.algorithm === SIGNATURE_ALGORITHM &&
        base64Of(signature.publicKey, 32) &&
        base64Of(signature.value, 64),
    ],
    ["type", p.type === "case" || p.type === "answer"],
    ["createdAt", str(p.createdAt)],
    ["sender", party(p.sender)],
    ["recipient", party(p.recipient)],
    ["case", typeof p.case === "object" && p.case !== null],
  ];
  const c = p.case ?? ({} as ExchangeCase);
  checks.push(
    ["case.diaryNumber", str(c.diaryNumber)],
    ["case.eventDate", date(c.eventDate)],
    ["case.discoveredDate", date(c.discoveredDate)],
    ["case.dueDate", date(c.dueDate)],
    ["case.kind", isCode(KINDS, c.kind)],
    ["case.area", isCode(AREAS, c.area)],
    ["case.severity", c.severity === null || c.severity === undefined || isCode(SEVERITIES, c.severity)],
    ["case.summary", str(c.summary)],
    ["case.description", optStr(c.description)],
    ["case.refs", Array.isArray(c.refs) && c.refs.every((r) => str(r?.system) && str(r?.id))],
    ["case.persons", c.persons === undefined || (Array.isArray(c.persons) && c.persons.every((x) => str(x?.pnr) && optStr(x?.name)))],
  );
  if (p.type === "answer") {
    const a = p.answer ?? ({} as ExchangeAnswer);
    checks.push(
      ["answer.inReplyTo", str(a.inReplyTo?.orgId) && str(a.inReplyTo?.diaryNumber)],
      ["answer.causes", optStr(a.causes)],
      ["answer.actions", optStr(a.actions)],
      ["answer.followUp", optStr(a.followUp)],
      ["answer.answeredOn", date(a.answeredOn)],
    );
  }
  const bad = checks.find(([, ok]) => !ok);
  if (bad) return { problem: "field", field: bad[0] };
  return p;
}

export function isPayload(v: ExchangePayload | ExchangeProblem): v is ExchangePayload {
  return "format" in v;
}
