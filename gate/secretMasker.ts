/**
 * Masks secret plaintext in text keyguard writes (reports, progress, the program's forwarded
 * output, error messages), as the Pulumi CLI masks decrypted config secrets in a program's output.
 *
 * The rule, so a short secret does not eat every digit of a version or a fingerprint:
 * - A *distinctive* value (at least MIN_SUBSTRING_SECRET_LENGTH characters, and not a number or a
 *   word such as `true` or `null`) is masked wherever it occurs, inside longer text too.
 * - Any other value (`1`, `true`, `8080`, `abc`) is masked only where it stands as a whole token:
 *   the whole field, or a run of text bounded by the start or end or by a character that cannot be
 *   part of a name, number or version (anything but letters, digits, `_`, `.`, `-`, `/`, `@`, `+`).
 *   So with the secret `1`, `port 1`, `port=1` and `"1"` are masked, `keyguard@0.1.0` and a
 *   fingerprint holding the digit 1 are not.
 * Each value is also matched in its JSON-escaped form (how a message quotes a string with quotes,
 * backslashes or line breaks in it).
 */
export const SECRET_MASK = "[secret]";

/** Values at least this long (and not common, see COMMON_VALUE) are masked inside any text. */
export const MIN_SUBSTRING_SECRET_LENGTH = 6;

/** Numbers and the words config flags are made of: too common to mask inside other text. */
const COMMON_VALUE = /^(?:[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?|true|false|null|undefined|none|yes|no|on|off)$/i;

/** The characters a token of text is made of (see the rule above). */
const TOKEN_CHARACTER = /[\p{L}\p{N}_.\-/@+]/u;

/** Above this many distinctive values a text is scanned once with a prefix index, not once per value. */
const INDEXED_SCAN_THRESHOLD = 32;

export function isDistinctiveSecret(value: string): boolean {
  return value.length >= MIN_SUBSTRING_SECRET_LENGTH && !COMMON_VALUE.test(value.trim());
}

export class SecretMasker {
  /** Longest first, so a secret that contains another is masked whole. */
  private distinctive: string[] = [];
  private readonly distinctiveSet = new Set<string>();
  /** Distinctive values by their first MIN_SUBSTRING_SECRET_LENGTH characters, longest first. */
  private byPrefix: Map<string, string[]> | undefined;
  private readonly tokens = new Set<string>();
  /** `tokens`, longest first, as of the last `prepare`. */
  private tokensLongestFirst: string[] = [];
  private sorted = true;

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  /** Adds plaintext values to mask from now on. */
  add(values: Iterable<string>): void {
    for (const value of values) {
      if (value.length === 0) continue;
      const escaped = JSON.stringify(value).slice(1, -1);
      for (const form of escaped === value ? [value] : [value, escaped]) {
        if (isDistinctiveSecret(form)) {
          if (this.distinctiveSet.has(form)) continue;
          this.distinctiveSet.add(form);
          this.distinctive.push(form);
          this.sorted = false;
        } else if (!this.tokens.has(form)) {
          this.tokens.add(form);
          this.sorted = false;
        }
      }
    }
  }

  get size(): number {
    return this.distinctiveSet.size + this.tokens.size;
  }

  mask(text: string): string {
    if (text.length === 0 || this.size === 0) return text;
    this.prepare();
    let result = this.maskDistinctive(text);
    if (this.tokens.size > 0) result = this.maskTokens(result);
    return result;
  }

  /** Sorts what `add` added, once, rather than on every `mask`: a masker sees every line keyguard writes. */
  private prepare(): void {
    if (this.sorted) return;
    this.distinctive.sort((a, b) => b.length - a.length);
    this.tokensLongestFirst = [...this.tokens].sort((a, b) => b.length - a.length);
    this.byPrefix = undefined;
    if (this.distinctive.length > INDEXED_SCAN_THRESHOLD) {
      this.byPrefix = new Map();
      for (const value of this.distinctive) {
        const prefix = value.slice(0, MIN_SUBSTRING_SECRET_LENGTH);
        const list = this.byPrefix.get(prefix);
        if (list) list.push(value);
        else this.byPrefix.set(prefix, [value]);
      }
    }
    this.sorted = true;
  }

  private maskDistinctive(text: string): string {
    if (this.distinctive.length === 0 || text.length < MIN_SUBSTRING_SECRET_LENGTH) return text;
    if (!this.byPrefix) {
      let result = text;
      for (const secret of this.distinctive)
        if (result.includes(secret)) result = result.split(secret).join(SECRET_MASK);
      return result;
    }
    // One pass over the text whatever the number of secrets (an export with --show-secrets holds
    // one per resource): at each position only the secrets that start with the next characters.
    let result = "";
    let copiedUpTo = 0;
    for (let index = 0; index + MIN_SUBSTRING_SECRET_LENGTH <= text.length;) {
      const candidates = this.byPrefix.get(text.slice(index, index + MIN_SUBSTRING_SECRET_LENGTH));
      const match = candidates?.find((secret) => text.startsWith(secret, index));
      if (match === undefined) {
        index++;
        continue;
      }
      result += text.slice(copiedUpTo, index) + SECRET_MASK;
      index += match.length;
      copiedUpTo = index;
    }
    return copiedUpTo === 0 ? text : result + text.slice(copiedUpTo);
  }

  private maskTokens(text: string): string {
    let result = text;
    for (const token of this.tokensLongestFirst) {
      let from = 0;
      for (;;) {
        const index = result.indexOf(token, from);
        if (index < 0) break;
        const end = index + token.length;
        const standsAlone =
          (index === 0 || !TOKEN_CHARACTER.test(result[index - 1])) &&
          (end === result.length || !TOKEN_CHARACTER.test(result[end]));
        if (standsAlone) {
          result = result.slice(0, index) + SECRET_MASK + result.slice(end);
          from = index + SECRET_MASK.length;
        } else {
          from = index + 1;
        }
      }
    }
    return result;
  }
}

/** The strings a report or a message could show for a secret value: each leaf, and an object or list whole as JSON. */
export function secretStrings(value: unknown, into: Set<string> = new Set()): Set<string> {
  collect(value, into, 0);
  return into;
}

/** Deep enough for any real value; a deeper one is masked by its leaves down to here and whole. */
const MAX_COLLECT_DEPTH = 64;

function collect(value: unknown, into: Set<string>, depth: number): void {
  if (value === null || value === undefined) return;
  if (typeof value === "string") {
    if (value.length > 0) into.add(value);
    return;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    into.add(String(value));
    return;
  }
  if (typeof value !== "object" || depth > MAX_COLLECT_DEPTH) return;
  // The value may also be quoted whole (a policy or a program printing JSON).
  if (!Array.isArray(value) || value.length > 0) into.add(JSON.stringify(value));
  for (const member of Object.values(value)) collect(member, into, depth + 1);
}

export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A stream that masks every secret the masker knows at the time of each write. */
export function maskingStream(stream: TextStream, masker: SecretMasker): TextStream {
  return {
    write: (text: string) => stream.write(masker.mask(text)),
    get isTTY() {
      return stream.isTTY;
    },
  };
}
