// Does the envelope window of templates/letters/common.json take every address of the directory? The letter
// refuses an address that does not fit when a packet is made; this finds them all beforehand (`avvik doctor`):
// the window setting itself, and each organisation post may go to (every one but our own and its units) with
// the address block a packet to it would print.

import { FailedError } from "../core/errors.js";
import type { Store } from "../store/store.js";
import { postal } from "./model.js";
import { addressFit, letterGeometry, type LetterGeometry } from "./packet.js";
import { archiveDocument } from "./pdf.js";
import { texts, type WindowSetting } from "./texts.js";

export interface WindowReport {
  window: WindowSetting;
  /** The window setting cannot be used (no address is checked then). */
  error: FailedError | null;
  /** How many organisations' address blocks were measured. */
  checked: number;
  /** The block with the most lines that fits, and the size it is set at. */
  longest: { org: string; lines: number; size: number } | null;
  /** Each address that does not fit: the refusal a packet to it would get. */
  misfits: FailedError[];
}

export async function checkWindow(store: Store): Promise<WindowReport> {
  const window = texts(store.home).common.window;
  let g: LetterGeometry;
  try {
    g = letterGeometry(window);
  } catch (e) {
    if (e instanceof FailedError) return { window, error: e, checked: 0, longest: null, misfits: [] };
    throw e;
  }
  const orgs = await store.orgs.list();
  const own = new Set(orgs.filter((o) => o.self).map((o) => o.id));
  const targets: typeof orgs = [];
  for (const o of orgs) if (!own.has(o.id) && !own.has((await store.orgs.topOf(o)).id)) targets.push(o);
  // A document only to measure with (the fonts and sizes a letter uses); it is never written.
  const doc = await archiveDocument({ size: "A4", font: "" } as PDFKit.PDFDocumentOptions);
  const misfits: FailedError[] = [];
  let longest: WindowReport["longest"] = null;
  for (const org of targets) {
    const p = await postal(store, org);
    try {
      const size = addressFit(doc, { name: org.name, lines: p.lines, hasAddress: p.hasAddress, org }, g);
      if (!longest || p.lines.length > longest.lines) longest = { org: `${org.name} (${org.id})`, lines: p.lines.length, size };
    } catch (e) {
      if (e instanceof FailedError) misfits.push(e);
      else throw e;
    }
  }
  return { window, error: null, checked: targets.length, longest, misfits };
}
