// The package's METS.xml: E-ARK CSIP 2.1.0 with E-ARK SIP 2.1.0 (together Riksarkivet's FGS Paketstruktur 2.0).
// One METS document for the whole package (no representation-level METS): its file section lists every file of
// the package but METS.xml itself with size, SHA-256 and creation time, in the groups Documentation, Schemas
// and Representations/rep1 (the ERMS document and the stored files, content type citserms_v2_1), and the
// structural map points to those groups.

import { el, xmlDocument } from "./xml.js";

export const CSIP_NAMESPACE = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS";
export const SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml";
export const REPRESENTATION = "representations/rep1";

export interface MetsFile {
  /** Path relative to the package root, with "/". */
  path: string;
  mediaType: string;
  size: number;
  sha256: string;
  created: string;
  group: "Documentation" | "Schemas" | "Representations";
}

export interface MetsInput {
  packageId: string;
  label: string;
  createdAt: string;
  org: { id: string; name: string };
  software: { name: string; version: string };
  files: MetsFile[];
}

/** An xml:id from any text: letters, digits, '.', '-', '_' (others become '_'), never starting with a digit. */
function xmlId(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

export function metsXml(m: MetsInput): string {
  const groups = [
    { use: "Documentation", id: "grp-documentation", label: "Documentation" },
    { use: "Schemas", id: "grp-schemas", label: "Schemas" },
    { use: REPRESENTATION.replace(/^representations/, "Representations"), id: "grp-rep1", label: "Representations", content: true },
  ] as const;
  const used = new Set<string>();
  const fileId = (path: string): string => {
    let id = xmlId("file", path);
    for (let n = 2; used.has(id); n++) id = `${xmlId("file", path)}-${n}`;
    used.add(id);
    return id;
  };
  const fileGroups = groups.map((g) =>
    el(
      "fileGrp",
      { ID: g.id, USE: g.use, "csip:CONTENTINFORMATIONTYPE": "content" in g ? "citserms_v2_1" : undefined },
      m.files
        .filter((f) => f.group === g.label)
        .map((f) =>
          el("file", { ID: fileId(f.path), MIMETYPE: f.mediaType, SIZE: f.size, CREATED: f.created, CHECKSUM: f.sha256, CHECKSUMTYPE: "SHA-256" }, [
            el("FLocat", { LOCTYPE: "URL", "xlink:type": "simple", "xlink:href": f.path }),
          ]),
        ),
    ),
  );
  const root = el(
    "mets",
    {
      xmlns: "http://www.loc.gov/METS/",
      "xmlns:xlink": "http://www.w3.org/1999/xlink",
      "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "xmlns:csip": CSIP_NAMESPACE,
      "xsi:schemaLocation": `http://www.loc.gov/METS/ schemas/mets.xsd http://www.w3.org/1999/xlink schemas/xlink.xsd ${CSIP_NAMESPACE} schemas/DILCISExtensionMETS.xsd`,
      OBJID: m.packageId,
      LABEL: m.label,
      TYPE: "Datasets",
      "csip:CONTENTINFORMATIONTYPE": "citserms_v2_1",
      PROFILE: SIP_PROFILE,
    },
    [
      el("metsHdr", { CREATEDATE: m.createdAt, RECORDSTATUS: "NEW", "csip:OAISPACKAGETYPE": "SIP" }, [
        el("agent", { ROLE: "CREATOR", TYPE: "OTHER", OTHERTYPE: "SOFTWARE" }, [
          el("name", {}, m.software.name),
          el("note", { "csip:NOTETYPE": "SOFTWARE VERSION" }, m.software.version),
        ]),
        el("agent", { ROLE: "ARCHIVIST", TYPE: "ORGANIZATION" }, [el("name", {}, m.org.name), el("note", { "csip:NOTETYPE": "IDENTIFICATIONCODE" }, m.org.id)]),
        el("agent", { ROLE: "CREATOR", TYPE: "ORGANIZATION" }, [el("name", {}, m.org.name), el("note", { "csip:NOTETYPE": "IDENTIFICATIONCODE" }, m.org.id)]),
      ]),
      el("fileSec", { ID: "filesec" }, fileGroups),
      el("structMap", { ID: "structmap", TYPE: "PHYSICAL", LABEL: "CSIP" }, [
        el("div", { ID: "div-root", LABEL: m.packageId }, [
          el("div", { ID: "div-metadata", LABEL: "Metadata" }),
          ...groups.map((g) => el("div", { ID: `div-${g.id.slice(4)}`, LABEL: g.label }, [el("fptr", { FILEID: g.id })])),
        ]),
      ]),
    ],
  );
  return xmlDocument(root);
}
