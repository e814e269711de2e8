// How long free text may be wherever it enters the register (a flag, a prompt, a directory file, an import).

/** A description, an answer, a reason: paragraphs of text. */
export const MAX_TEXT = 4000;
/** A name, a title, a subject: one line. */
export const MAX_SHORT_TEXT = 300;
