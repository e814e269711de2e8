// Every measure of the printed documents in one place (PDF points: 72 per inch; 1 mm = 2.8346 pt).

export const MM = 72 / 25.4;
export const mm = (v: number): number => v * MM;

/** A4 portrait. */
export const PAGE = { size: "A4" as const, width: 595.28, height: 841.89 };

export const MARGIN = { top: mm(20), bottom: mm(25), left: mm(25), right: mm(20) };
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

export { FONT } from "./fonts.js";
export const SIZE = { title: 15, heading: 11.5, body: 10, small: 8.5, footer: 8 } as const;
export const LINE_GAP = 2;
export const GREY = "#555555";
export const RULE = "#999999";

/** The sender block and the date/reference block above the window. */
export const SENDER_TOP = mm(15);
export const REFERENCE_COLUMN_X = mm(118);
/** With a right-hand (H2) window the reference block starts here, under the sender block. */
export const H2_REFERENCE_TOP = mm(40);

/** The first line of the letter text below the window. */
export const LETTER_BODY_TOP = mm(100);

/**
 * The QR code on the reply form. Its payload is the diary number alone (version 1, 21 × 21 modules, error
 * correction Q), so at this size a module is about 1.2 mm: 4.9 pixels at 100 dpi and on a standard fax's 98 dpi
 * rows, where the former code (30 mm, "Referens: …", version 2, M) had 0.9 mm and failed about half the time.
 */
export const QR_SIZE = mm(36);
/** The diary number printed again under the code, in large digits that OCR reads well. */
export const QR_NUMBER_SIZE = 17;
/** The square kept free for the code at the top right of the reply form (room for a larger code). */
export const QR_RESERVE = mm(45);

/** Footer: diary number on the left, "Sida i av n" on the right. */
export const FOOTER_Y = PAGE.height - mm(14);

/** Ruled writing lines on forms and in the analysis document. */
export const WRITING_LINE = mm(7.5);
