// The descriptive metadata of an archive package: CITS ERMS (DILCIS Board; in Sweden FGS Ärendehantering 2.0),
// valid against the official ERMS.xsd (version 2.1.2; the elements used here are valid against ERMS_v3.xsd too:
// test/e2e/archive.test.ts validates against both). Each closed case is an aggregation of type caseFile, each
// diary document of it a record; a stored file is the record's appendix, its path relative to this document.
// Texts are Swedish (the archive is Swedish); codes are the schema's.

import type { Case, CaseDocument } from "../core/types.js";
import { tSv, type MessageKey } from "../i18n/index.js";
import { el, xmlDocument, type Child } from "./xml.js";

export const ERMS_NAMESPACE = "https://DILCIS.eu/XML/ERMS";

/** A stored file of a record, as it lies in the package. */
export interface PackedFile {
  /** Path relative to the ERMS document (inside the representation's data folder). */
  path: string;
  /** The file's name in the package. */
  name: string;
  mediaType: string;
  /** "PDF/A-2b" when the file declares PDF/A conformance (documents avvik made), else e.g. "PDF". */
  format: string;
  /** True for a file received from outside (a scanned reply), kept exactly as it came. */
  asReceived: boolean;
}

export interface ErmsRecord {
  doc: CaseDocument;
  /** When the entry was diarised (the register's own timestamp). */
  diarisedAt: string;
  file?: PackedFile;
  /** Why a document's file is not in the package: it may hold personal data, or it was erased by a purge. */
  withheld?: { reason: "personal" } | { reason: "purged"; at: string };
}

export interface ErmsCase {
  c: Case;
  /** The classification (diary plan / Klassa): its code, and its name when the loaded scheme has one. */
  classification: { code: string; name: string | null } | null;
  /** Only with --with-personal-data: the persons concerned, in clear. */
  persons?: Array<{ pnr: string; name: string | null }>;
  /** The case's actions (åtgärder); the owner (a person) only with --with-personal-data. */
  actions: Array<{ text: string; due: string; doneAt: string | null; owner: string | null }>;
  records: ErmsRecord[];
}

export interface ErmsInput {
  packageId: string;
  createdAt: string;
  org: { id: string; name: string };
  software: { name: string; version: string };
  withPersonalData: boolean;
  cases: ErmsCase[];
  /** Where the schema lies, relative to the ERMS document (for xsi:schemaLocation). */
  schemaLocation: string;
}

/** xs:dateTime from a date (YYYY-MM-DD, taken as its start) or a timestamp as the register keeps them. */
function dateTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value;
}

function date(type: string, value: string | null | undefined, other?: string): Child {
  if (!value) return null;
  return el("date", { dateType: type, otherDateType: other }, dateTime(value));
}

function agent(type: string, name: string | null | undefined, extra: { other?: string; organisation?: string; unit?: string; id?: { type: string; value: string }; role?: string } = {}): Child {
  if (!name) return null;
  return el("agent", { agentType: type, otherAgentType: extra.other }, [
    el("name", {}, name),
    extra.organisation ? el("organisation", {}, extra.organisation) : null,
    extra.unit ? el("unitName", {}, extra.unit) : null,
    extra.id ? el("idNumber", { idNumberType: extra.id.type }, extra.id.value) : null,
    extra.role ? el("role", {}, extra.role) : null,
  ]);
}

function restriction(ground: string | null | undefined): Child {
  if (!ground) return null;
  return el("restriction", { restrictionType: "confidential" }, [
    el("explanatoryText", {}, tSv("archive.erms.secrecy")),
    el("regulation", {}, ground),
  ]);
}

const DIRECTION = { in: "incoming", out: "outgoing", internal: "internal_memo_without_follow-up" } as const;
const RECORD_STATUS = { in: "received", out: "expedited", internal: "closed" } as const;
const RECORD_DATE = { in: "received", out: "sent", internal: "created" } as const;

function record(r: ErmsRecord, org: ErmsInput["org"]): string {
  const d = r.doc;
  const notes: Child[] = [];
  if (d.voided) notes.push(el("note", { noteType: "voided", noteDate: dateTime(d.voided.at) }, tSv("archive.erms.voided", { at: d.voided.at.slice(0, 10), by: d.voided.by, reason: d.voided.reason })));
  if (r.withheld?.reason === "personal") notes.push(el("note", { noteType: "file" }, tSv("archive.erms.withheld")));
  if (r.withheld?.reason === "purged") notes.push(el("note", { noteType: "file" }, tSv("archive.erms.purged", { date: r.withheld.at.slice(0, 10) })));
  if (r.file) notes.push(el("note", { noteType: "file" }, tSv(r.file.asReceived ? "archive.erms.asReceived" : "archive.erms.generated", { format: r.file.format })));
  const [sender, receiver] = d.direction === "in" ? [d.party, org.name] : d.direction === "out" ? [org.name, d.party] : [org.name, null];
  return el("record", { systemIdentifier: `document:${d.number}`, recordType: tSv(`direction.${d.direction}` as MessageKey) }, [
    el("objectId", {}, d.number),
    el("title", {}, d.subject),
    el("status", { value: d.voided ? "obliterated" : RECORD_STATUS[d.direction] }),
    el("runningNumber", {}, String(d.seq)),
    restriction(d.secrecy),
    el("direction", { directionDefinition: DIRECTION[d.direction] }),
    el("agents", {}, [agent("sender", sender), agent(d.direction === "out" ? "recipient" : "receiver", receiver)]),
    el("dates", {}, [date(RECORD_DATE[d.direction], d.date), date("captured", r.diarisedAt)]),
    notes.length ? el("notes", {}, notes) : null,
    r.file
      ? el("additionalInformation", {}, [
          el("appendix", { disposable: false, name: r.file.name, description: tSv(r.file.asReceived ? "archive.erms.asReceived" : "archive.erms.generated", { format: r.file.format }), fileFormat: r.file.format, path: r.file.path }),
        ])
      : null,
  ]);
}

function aggregation(e: ErmsCase, org: ErmsInput["org"]): string {
  const c = e.c;
  const notes: Child[] = [
    c.causes ? el("note", { noteType: "causes" }, `${tSv("archive.erms.causes")}: ${c.causes}`) : null,
    c.actions ? el("note", { noteType: "actions" }, `${tSv("archive.erms.actions")}: ${c.actions}`) : null,
    c.followUp ? el("note", { noteType: "follow_up" }, `${tSv("archive.erms.followUp")}: ${c.followUp}`) : null,
  ].filter(Boolean);
  const agents: Child[] = [
    agent("creator", org.name, { id: { type: "organisation", value: org.id } }),
    agent("counterpart", c.counterpart.name, { organisation: c.counterpart.name, id: { type: "organisation", value: c.counterpart.id } }),
    c.unit ? agent("other", c.unit.name, { other: tSv("archive.erms.unit"), id: { type: "organisation", value: c.unit.id } }) : null,
  ];
  if (e.persons) {
    if (c.assignee) agents.push(agent("responsible_person", c.assignee.name, { role: tSv(`role.${c.assignee.role}` as MessageKey) }));
    for (const p of e.persons) agents.push(agent("other", p.name ?? tSv("archive.erms.personNoName"), { other: tSv("archive.erms.person"), id: { type: "personnummer", value: p.pnr } }));
  }
  return el("aggregation", { systemIdentifier: `case:${c.id}`, aggregationType: "caseFile" }, [
    el("objectId", {}, c.diaryNumber ?? String(c.id)),
    ...c.refs.map((r) => el("extraId", { extraIdType: r.system }, r.id)),
    e.classification ? el("classification", { classificationCode: e.classification.code }, e.classification.name ?? e.classification.code) : null,
    el("keywords", {}, [
      el("keyword", {}, tSv(`kind.${c.kind}` as MessageKey)),
      el("keyword", {}, tSv(`area.${c.area}` as MessageKey)),
      c.severity ? el("keyword", {}, tSv("archive.erms.severity", { severity: tSv(`severity.${c.severity}` as MessageKey) })) : null,
      el("keyword", {}, tSv(c.direction === "in" ? "archive.erms.caseIn" : "archive.erms.caseOut")),
    ]),
    el("title", {}, c.summary),
    el("status", { value: "closed" }),
    restriction(c.secrecy),
    el("agents", {}, agents),
    c.description ? el("description", {}, c.description) : null,
    el("dates", {}, [
      date("created", c.registeredAt),
      date("originated", c.eventDate),
      date("other", c.discoveredDate, "discovered"),
      date("received", c.receivedDate),
      date("decision_deadline", c.dueDate),
      date("other", c.answeredAt, "answered"),
      date("closed", c.closedAt),
    ]),
    ...e.actions.map((a) =>
      el("action", {}, [
        el("actionText", {}, a.text),
        el("actionDue", {}, a.due),
        a.doneAt ? el("dates", {}, [el("actionDate", { dateType: "finished" }, dateTime(a.doneAt))]) : null,
        a.owner ? el("agents", {}, [agent("responsible_person", a.owner)]) : null,
      ]),
    ),
    notes.length ? el("notes", {}, notes) : null,
    ...e.records.map((r) => record(r, org)),
  ]);
}

/** The ERMS document of a package. */
export function ermsXml(input: ErmsInput): string {
  const root = el(
    "erms",
    {
      xmlns: ERMS_NAMESPACE,
      "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "xsi:schemaLocation": `${ERMS_NAMESPACE} ${input.schemaLocation}`,
    },
    [
      el("control", {}, [
        el("identification", { identificationType: "package" }, input.packageId),
        el("dates", {}, [date("created", input.createdAt)]),
        el("maintenanceInformation", {}, [
          el("maintenanceStatus", { value: "new" }),
          el("maintenanceAgency", {}, [el("agencyCode", { type: "organisation" }, input.org.id), el("agencyName", {}, input.org.name)]),
          el("maintenanceHistory", {}, [
            el("maintenanceEvent", {}, [
              el("eventType", { value: "created" }),
              el("eventDateTime", {}, dateTime(input.createdAt)),
              agent("creator", `${input.software.name} ${input.software.version}`),
            ]),
          ]),
        ]),
      ]),
      el("aggregations", {}, input.cases.map((c) => aggregation(c, input.org))),
    ],
  );
  return xmlDocument(root);
}
