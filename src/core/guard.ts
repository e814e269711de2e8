import { RefusedError } from "./errors.js";
import { findPersonalNumbers } from "./personnummer.js";

/** Refuses text that holds a valid personnummer or samordningsnummer (register entries, summaries, e-mails). */
export function assertNoPersonalNumber(text: string, field: string, today: string): void {
  if (findPersonalNumbers(text, today).length > 0) throw new RefusedError("error.personalNumberInText", { field });
}
