// The coordinator's comments for the board report (`stats --pdf FILE --comments NOTES`): plain text or a small
// Markdown subset, parsed into blocks the report draws. Headings (#, ##, ###), paragraphs (lines joined until
// an empty line), bulleted lists (-, *, +) and numbered lists (1. or 1)), **bold** and *emphasis* marks dropped
// (the text is kept). Anything else is text. Pure: the CLI reads the file and checks it first.

export type CommentBlock =
  | { type: "heading"; level: 1 | 2 | 3; text: string }
  | { type: "paragraph"; text: string }
  | { type: "list"; ordered: boolean; items: string[] };

/** The largest comments file taken (bytes): a few pages of text, never a document of its own. */
export const MAX_COMMENTS_BYTES = 64 * 1024;

/** Inline marks dropped: **bold**, __bold__, *em*, _em_, `code`, [text](link) → text (link). */
function inline(s: string): string {
  return s
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1 ($2)")
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? "")
    .replace(/(^|[\s(])\*(\S(?:.*?\S)?)\*(?=$|[\s.,;:!?)])/g, "$1$2")
    .replace(/(^|[\s(])_(\S(?:.*?\S)?)_(?=$|[\s.,;:!?)])/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

export function parseComments(text: string): CommentBlock[] {
  const lines = text.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n").split("\n");
  const blocks: CommentBlock[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ type: "paragraph", text: inline(paragraph.join(" ")) });
    paragraph = [];
    if (list) blocks.push({ type: "list", ordered: list.ordered, items: list.items.map(inline) });
    list = null;
  };
  for (const raw of lines) {
    const line = raw.replace(/\t/g, "    ");
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      const level = Math.min(3, h[1]!.length) as 1 | 2 | 3;
      const t = inline(h[2]!);
      if (t) blocks.push({ type: "heading", level, text: t });
      continue;
    }
    // Setext headings: a line of === or --- under a paragraph line.
    if (/^\s{0,3}(=+|-+)\s*$/.test(line) && paragraph.length === 1 && !list) {
      blocks.push({ type: "heading", level: line.trim().startsWith("=") ? 1 : 2, text: inline(paragraph[0]!) });
      paragraph = [];
      continue;
    }
    const item = /^\s{0,3}([-*+]|\d{1,3}[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1]!);
      if (paragraph.length) {
        blocks.push({ type: "paragraph", text: inline(paragraph.join(" ")) });
        paragraph = [];
      }
      if (list && list.ordered !== ordered) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[2]!);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // a continuation of the last item
      list.items[list.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    if (list) flush();
    paragraph.push(line.trim());
  }
  flush();
  return blocks.filter((b) => (b.type === "list" ? b.items.some((i) => i.length > 0) : b.text.length > 0));
}
