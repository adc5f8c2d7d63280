/**
 * Datadog naming rules, applied to anything that came from a message.
 * Metric names: ASCII letter first, then letters, digits, `_` and `.`, at most 200 characters.
 * Tags: no `|`, `,`, `#`, whitespace or control characters, at most 200 characters in all.
 */

export const MAX_METRIC_NAME = 200;
export const MAX_TAG = 200;

// Per code point (`u`): an emoji is one character, so it becomes one `_`, not two.
const NOT_NAME_CHAR = /[^A-Za-z0-9_.]/gu;
const HAS_ALNUM = /[A-Za-z0-9]/;

/**
 * The metric-name part for a message field, or undefined when no valid name can be made
 * (empty, only symbols, empty dotted segments). Never truncates: truncation would make two
 * fields collide, so an over-long name is the caller's `bad_name` drop.
 */
export function sanitizeMetricField(field: string): string | undefined {
  const name = field.replace(NOT_NAME_CHAR, '_');
  if (!HAS_ALNUM.test(name)) return undefined;
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return undefined;
  return name;
}

/** True when a full metric name is valid on the wire (used for the prefix and in tests). */
export function isValidMetricName(name: string): boolean {
  return name.length <= MAX_METRIC_NAME && /^[A-Za-z][A-Za-z0-9_.]*$/.test(name);
}

// Letters and digits of any script, and the punctuation Datadog keeps in tags; the rest becomes `_`.
const NOT_TAG_CHAR = /[^\p{L}\p{N}_\-:./]/gu;

/**
 * `key:value` with the value made safe for the DogStatsD wire and truncated (by code point,
 * never splitting a surrogate pair) so the whole tag fits MAX_TAG. Undefined for an empty value.
 */
export function formatTag(key: string, value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'boolean') text = String(value);
  else return undefined;
  if (text.length === 0) return undefined;
  let clean = text.replace(NOT_TAG_CHAR, '_');
  const room = MAX_TAG - key.length - 1;
  if (clean.length > room) {
    const points = Array.from(clean);
    let used = 0;
    let cut = 0;
    for (const p of points) {
      if (used + p.length > room) break;
      used += p.length;
      cut++;
    }
    clean = points.slice(0, cut).join('');
  }
  return `${key}:${clean}`;
}
