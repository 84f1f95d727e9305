/**
 * Every string a report shows that came from a program, an export, a plan, a policy pack or AWS is
 * data, never markup or a command, for whoever reads the report: a terminal (control characters
 * shown, not executed), a CI runner's log (no line of ours starts a workflow command, no `##[`
 * command inside one), Markdown on a pull request (no raw HTML, no link or image, no line break out
 * of a table cell) and XML (no character XML 1.0 cannot carry). JSON-based formats need nothing more
 * than JSON.stringify, which escapes control characters itself.
 */

/** C0 controls, DEL, C1 controls, and the Unicode line separators and bidirectional overrides that reorder or break what is shown. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A character code as text: `\x1b` below 0x80, `\u009b` above. */
function shownCode(code: number): string {
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** A control character as text: `\n`, `\r`, `\t`, `\x1b`, `\u009b`, `\u202e`. */
function shown(character: string): string {
  return NAMED[character] ?? shownCode(character.charCodeAt(0));
}

/** The text with every control character shown as an escape instead of acting on the terminal or the layout. */
export function visibleControls(text: string): string {
  return text.replace(CONTROL, shown);
}

/**
 * Text for a terminal or a CI log: controls shown, and the runner's legacy `##[command]` form,
 * which GitHub's runner reads anywhere in a line, broken up (`#\x23[`).
 */
export function terminalText(text: string): string {
  return visibleControls(text).replace(/##\[/g, "#\\x23[");
}

/**
 * A line of ours that would start a workflow command (`::name::`, leading blanks or colour codes
 * allowed, as GitHub's runner trims them) shows its first colon escaped instead.
 */
export function withoutWorkflowCommand(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/^((?:\s|\u001b\[[0-9;]*m)*):(?=:)/, "$1\\x3a");
}

/** A deep copy of `value` with every string passed through `map` (numbers, booleans and keys left alone). */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  const walk = (member: unknown): unknown => {
    if (typeof member === "string") return map(member);
    if (Array.isArray(member)) return member.map(walk);
    if (member !== null && typeof member === "object") {
      const copy: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(member)) copy[key] = walk(inner);
      return copy;
    }
    return member;
  };
  return walk(value) as T;
}

/** Markdown punctuation that could start emphasis, a link or image, code, strikethrough or a table cell. */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]|~]/g;

/**
 * Inline Markdown text (a table cell): no HTML (`<`, `>`, `&` as entities), no link, image,
 * emphasis or code (their punctuation backslash-escaped), URLs not turned into links, line breaks
 * kept inside the cell as `<br>` (ours), other controls shown.
 */
export function markdownText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      visibleControls(
        line
          .replace(/&/g, "&amp;")
          .replace(/</g, "&lt;")
          .replace(/>/g, "&gt;")
          .replace(MARKDOWN_PUNCTUATION, "\\$&")
          // GitHub links bare URLs and www. names; an escaped colon or dot shows the same, unlinked.
          .replace(/:\/\//g, "\\://")
          .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`),
      ),
    )
    .join("<br>");
}

/** A Markdown code span: the text literal, on one line (controls shown), and safe inside a table cell. */
export function markdownCode(text: string): string {
  return text ? `\`${visibleControls(text).replace(/`/g, "'").replace(/\|/g, "\\|")}\`` : "";
}

/** What XML 1.0 cannot carry: C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates. */
const NOT_IN_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * XML 1.0 text or attribute value: escaped, with what XML 1.0 cannot carry (C0 controls other than
 * tab, newline and carriage return, U+FFFE, U+FFFF, lone surrogates) shown as `\x..`/`\u....`, and
 * tab, newline and carriage return as character references, so attribute values keep them.
 */
export function xmlText(text: string): string {
  return text
    .replace(NOT_IN_XML, (character) => shownCode(character.charCodeAt(0)))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

/**
 * A relative path as a URI reference (a SARIF artifact location, a Markdown link): each segment
 * percent-encoded, so `#`, `?`, `%`, spaces and parentheses in folder or file names stay part of the
 * path instead of starting a fragment or a query or ending a link.
 */
export function relativeUri(file: string): string {
  return file
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}
