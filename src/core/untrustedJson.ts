// JSON from outside (an exchange file's payload): parsed only within limits of size and nesting, so that a
// hostile file cannot exhaust memory or overflow the stack of whatever walks the parsed value (the canonical
// form of the checksum, a signature check). Pure: no I/O.

export interface JsonLimits {
  /** Characters of text at most. */
  maxChars: number;
  /** Arrays and objects nested at most this deep (a value at the top level is depth 1). */
  maxDepth: number;
}

/** Limits for an exchange payload: a real one is a few kilobytes, four levels deep. */
export const PAYLOAD_LIMITS: JsonLimits = { maxChars: 2_000_000, maxDepth: 32 };

export type UntrustedJson = { value: unknown } | { problem: "too-large" | "too-deep" | "not-json" };

/** The deepest nesting of arrays and objects in a JSON text, counted without parsing; stops past `stopAbove`. */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** Parses JSON from outside within `limits`: the size first, then the depth (one pass over the text), then JSON.parse. */
export function parseUntrustedJson(text: string, limits: JsonLimits = PAYLOAD_LIMITS): UntrustedJson {
  if (text.length > limits.maxChars) return { problem: "too-large" };
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) return { problem: "too-deep" };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { problem: "not-json" };
  }
}
