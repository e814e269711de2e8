// Secrecy in the public register (offentlighets- och sekretesslagen, OSL, ch. 5): an entry's subject and party
// may be left out of the public register where that protects secrecy, and the ground is marked instead.
// The ground is public, so it may only cite the law: a chapter and a section of OSL, nothing else (no name,
// no personnummer, no free text that could reveal what the secrecy protects).

import { RefusedError, UsageError } from "./errors.js";
import { findPersonalNumbers } from "./personnummer.js";

/** `--secret none` lifts a marking. */
export const NO_SECRECY = "none";

const MAX_GROUND = 200;

// One citation: "25 kap. 1 §", "26 kap 1 a §", "21 kap. 7 § första stycket", "25 kap. 1 § 2 st. 3 p."
const ORDINAL = "(?:första|andra|tredje|fjärde|femte|sjätte|sjunde|\\d{1,2})";
const CITATION = `\\d{1,2}\\s*kap\\.?\\s*\\d{1,3}\\s*(?:[a-f]\\s*)?§(?:\\s*${ORDINAL}\\s*(?:st\\.?|stycket))?(?:\\s*(?:\\d{1,2}\\s*)?(?:p\\.?|punkten))?`;
const LAW = "(?:OSL|offentlighets-\\s*och\\s*sekretesslagen(?:\\s*\\(2009:400\\))?)";
const GROUND = new RegExp(
  `^(?:(?:sekretess\\s+)?enligt\\s+)?${CITATION}(?:\\s*(?:,|och|samt)\\s*${CITATION})*(?:\\s*,?\\s*${LAW})?$`,
  "iu",
);

/**
 * The secrecy ground as it will be recorded (spaces collapsed), or null for `none`. Refuses an empty ground
 * (exit 2), one holding a personnummer, and one that does not cite a chapter and section of OSL (exit 1).
 */
export function parseSecrecyGround(text: string, flag: string, today: string): string | null {
  const ground = text.normalize("NFC").replace(/\s+/gu, " ").trim();
  if (ground === "") throw new UsageError("usage.secrecyEmpty", { flag });
  if (ground.toLowerCase() === NO_SECRECY) return null;
  if (findPersonalNumbers(ground, today).length > 0) throw new RefusedError("error.personalNumberInText", { field: flag });
  if (ground.length > MAX_GROUND || !GROUND.test(ground)) throw new RefusedError("error.secrecyGround", { flag, ground: ground.slice(0, 80) });
  return ground;
}
