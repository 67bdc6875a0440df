import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import { useMemo } from "preact/hooks";
import { escapeHtml } from "../../escape.ts";

/** Elements markdown itself makes; none of them loads anything (no img, media, frames, forms, styles or SVG). */
const ALLOWED_TAGS = [
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "em",
  "del",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "a",
];
const ALLOWED_ATTR = ["href", "title", "align", "start"];
const LINK = /^(?:https?:|mailto:)/i;

/**
 * Notes are inert: raw HTML in them is shown as text, an image as its alt text, and only http(s)
 * and mailto links stay links (opened in a new tab without a referrer, the hook below). So nothing in a note makes
 * the browser fetch anything or run script, whatever DOMPurify's own parsing would do with markup.
 */
const notesMarkdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    image: ({ text }: Tokens.Image) => escapeHtml(text),
    checkbox: ({ checked }: Tokens.Checkbox) => (checked ? "☑ " : "☐ "),
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      if (!LINK.test(token.href.trim())) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(token.href.trim())}"${title}>${text}</a>`;
    },
  },
});

// Links in notes open in a new tab without referrer or opener (DOMPurify drops rel and target it did not set itself).
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("rel", "noopener noreferrer nofollow");
    node.setAttribute("target", "_blank");
  }
});

/** Run notes as inert markdown (above); DOMPurify still checks the result against the allowed elements and links. */
export function renderNotes(text: string): string {
  return DOMPurify.sanitize(notesMarkdown.parse(text) as string, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: LINK,
  });
}

export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderNotes(text), [text]);
  return <div class="markdown" data-testid="notes" dangerouslySetInnerHTML={{ __html: html }} />;
}
