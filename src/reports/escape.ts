/**
 * Escaping for the HTML and XML reports. Every string in a report may come from a kernel module
 * (its name, its error messages), so every string is escaped before it is written.
 */

/**
 * Characters that XML 1.0 forbids anywhere in a document (§2.2 `Char`): C0 controls other than
 * tab, LF and CR; lone surrogates; U+FFFE and U+FFFF. HTML treats most of them as parse errors
 * too, so both escapers replace them. The `u` flag makes lone surrogates match as code points.
 */
const ILLEGAL_XML_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Replaces every character illegal in XML 1.0 (e.g. `\u0000`) with U+FFFD, so the reader still sees that something was there. */
export function replaceIllegalXmlChars(s: string): string {
  return s.replace(ILLEGAL_XML_CHARS, '\uFFFD');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `&apos;` is XML's own entity; `&#39;` would do as well, but this reads better in junit.xml. */
const XML_ENTITIES: Readonly<Record<string, string>> = { ...HTML_ENTITIES, "'": '&apos;' };

/** Escapes text for HTML element content and quoted attribute values (`& < > " '`), replacing illegal control characters. */
export function escapeHtml(s: string): string {
  return replaceIllegalXmlChars(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * Escapes text for XML element content: `& < > " '` become entities (so `]]>` cannot appear) and
 * characters illegal in XML 1.0 become U+FFFD.
 */
export function escapeXml(s: string): string {
  return replaceIllegalXmlChars(s).replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

/**
 * Escapes text for a double-quoted XML attribute value: like `escapeXml`, and tab, LF and CR
 * become character references, because a parser would otherwise normalise them to spaces.
 */
export function escapeXmlAttribute(s: string): string {
  return escapeXml(s).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
