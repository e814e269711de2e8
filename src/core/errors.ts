// Typed errors of the domain. The CLI maps them to exit codes in one place (src/cli/errors.ts).
// A message is already translated when the error is raised: core functions take the message text
// from their caller or carry a message key with parameters (see `MessageError`).

export type MessageParams = Record<string, string | number>;

/** Base class: an error that carries a catalogue key and parameters, rendered by the CLI. */
export class MessageError extends Error {
  constructor(
    readonly key: string,
    readonly params: MessageParams = {},
  ) {
    super(key);
  }
}

/** The user typed something malformed: unknown code, bad date, missing flag. Exit 2. */
export class UsageError extends MessageError {}

/** The command could not do its job: not found, refused, invalid data. Exit 1. */
export class FailedError extends MessageError {}

export class NotFoundError extends FailedError {}
export class RefusedError extends FailedError {}
export class InvalidDataError extends FailedError {}

/** A prompt was interrupted with Ctrl-C. Exit 130. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
  }
}
