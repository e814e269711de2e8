// One line for each problem `audit verify`, `check` and `doctor` can find, and the JSON form that carries it.

import type { AuditProblem } from "../store/audit.js";
import type { CheckProblem } from "../store/protection.js";
import { isMessageKey, type MessageKey, type Translate } from "../i18n/index.js";

/** One line for an audit problem. */
export function auditProblemText(t: Translate, p: AuditProblem): string {
  const list = (ids: number[]) => (ids.length > 3 ? `${ids[0]}–${ids[ids.length - 1]}` : ids.join(", "));
  switch (p.kind) {
    case "edited":
      return t("protection.audit.edited", { id: p.id });
    case "deleted":
      return t(p.ids.length === 1 ? "protection.audit.deletedOne" : "protection.audit.deleted", { ids: list(p.ids) });
    case "inserted":
      return t("protection.audit.inserted", { id: p.id });
    case "reordered":
      return t("protection.audit.reordered", { a: p.ids[0], b: p.ids[1] });
    case "renumbered":
      return t("protection.audit.renumbered", { ids: list(p.ids), offset: p.offset > 0 ? `+${p.offset}` : String(p.offset) });
    case "head":
      return t(p.reason === "missing" ? "protection.audit.headMissing" : "protection.audit.headInvalid");
    case "empty":
      return t("protection.audit.empty");
    case "unrecorded": {
      const names = p.examples.join(", ") + (p.count > p.examples.length ? ", …" : "");
      return p.what === "case"
        ? t("protection.audit.unrecordedCases", { cases: names, n: p.count })
        : t("protection.audit.unrecordedDocuments", { documents: names, n: p.count });
    }
  }
}

export function checkProblemText(t: Translate, p: CheckProblem): string {
  switch (p.kind) {
    case "integrity":
      return t("protection.check.integrity", { detail: p.detail });
    case "foreign-key":
      return t("protection.check.foreignKey", { table: p.table, rowid: p.rowid ?? "?", parent: p.parent });
    case "audit":
      return t("protection.check.audit", { problem: auditProblemText(t, p.problem) });
    case "file-missing":
      return t("protection.check.fileMissing", { hash: p.hash.slice(0, 12), documents: p.documents.join(", ") || "–" });
    case "file-changed":
      return t("protection.check.fileChanged", { hash: p.hash.slice(0, 12), documents: p.documents.join(", ") || "–" });
    case "file-not-erased":
      return t("protection.check.fileNotErased", { hash: p.hash.slice(0, 12) });
    case "key":
      return isMessageKey(p.key) ? t(p.key as MessageKey, p.params) : p.key;
    case "key-mode":
      return t("protection.check.keyMode", { file: p.file, mode: p.mode });
    case "home-mode":
      return t("protection.check.homeMode", { dir: p.dir, mode: p.mode });
  }
}

/** JSON form of a problem: its data plus the one-line message. */
export function withMessage<P extends object>(p: P, message: string): P & { message: string } {
  return { ...p, message };
}
