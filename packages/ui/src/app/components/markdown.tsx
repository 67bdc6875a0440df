import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "preact/hooks";

/**
 * Run notes as markdown. marked turns them into HTML and DOMPurify strips everything that could
 * run script (tags, event attributes, javascript: URLs) before the HTML reaches the page.
 */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true }), { USE_PROFILES: { html: true } }), [text]);
  return <div class="markdown" data-testid="notes" dangerouslySetInnerHTML={{ __html: html }} />;
}
