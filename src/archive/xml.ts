// A small XML writer for the archive package: elements as strings, text and attributes escaped, characters
// XML 1.0 cannot carry (C0 controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) replaced
// by U+FFFD, so that text from outside (a party's name, a subject) never makes the document ill-formed.

export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = string | null | undefined | false;

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as element content. */
export function esc(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text as an attribute value (in double quotes; tabs and line breaks kept as character references). */
export function escAttr(text: string): string {
  return esc(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => ` ${k}="${escAttr(String(v))}"`)
    .join("");
}

/**
 * An element. `content` as a string is its text (escaped); as an array, its child elements (already XML;
 * empty entries are left out), each indented on a line of its own. No content: an empty element.
 */
export function el(name: string, a: Attrs = {}, content?: string | Child[]): string {
  if (content === undefined) return `<${name}${attrs(a)}/>`;
  // Line breaks in text as character references: every literal line break is then between elements, and
  // indenting the children cannot change a text.
  if (typeof content === "string") return `<${name}${attrs(a)}>${esc(content).replace(/\r/g, "&#13;").replace(/\n/g, "&#10;")}</${name}>`;
  const children = content.filter((c): c is string => typeof c === "string" && c !== "");
  if (children.length === 0) return `<${name}${attrs(a)}/>`;
  const inner = children.map((c) => c.replace(/^/gm, "  ")).join("\n");
  return `<${name}${attrs(a)}>\n${inner}\n</${name}>`;
}

/** A document: the XML declaration and the root element. */
export function xmlDocument(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
