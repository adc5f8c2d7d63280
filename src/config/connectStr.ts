/**
 * `kafka_connect_str` as one comma-separated string (`"k1:9092, k2:9092"`), as Datadog's own
 * kafka_consumer accepts it: split into the list form before schema validation, so that each
 * entry is checked as a list entry and everything after loading sees a list.
 */
import { describeValue, type Issues, type Json } from './issues';

/** The entries of a comma-separated bootstrap string, whitespace trimmed; or what is wrong with it. */
export function splitConnectStr(text: string): { list: string[] } | { error: string } {
  if (text.trim() === '') return { error: `must not be empty (got ${describeValue(text)})` };
  const list = text.split(',').map((s) => s.trim());
  const empty = list.findIndex((s) => s === '');
  if (empty >= 0) {
    return { error: `entry ${empty + 1} of ${list.length} of the comma-separated list is empty (got ${describeValue(text)})` };
  }
  return { list };
}

/**
 * Replaces, in place, each instance's string `kafka_connect_str` by its list. A string that does
 * not split cleanly stays as it is (the schema accepts any string) and its instance is returned
 * as bad, with the problem added to `issues`.
 */
export function normaliseConnectStrings(data: unknown, issues: Issues): Set<number> {
  const bad = new Set<number>();
  const instances = data !== null && typeof data === 'object' ? (data as Json).instances : undefined;
  if (!Array.isArray(instances)) return bad;
  instances.forEach((inst: unknown, i) => {
    if (inst === null || typeof inst !== 'object' || Array.isArray(inst)) return;
    const value = (inst as Json).kafka_connect_str;
    if (typeof value !== 'string') return;
    const split = splitConnectStr(value);
    if ('list' in split) {
      (inst as Json).kafka_connect_str = split.list;
    } else {
      issues.add(i, `instances[${i}].kafka_connect_str: ${split.error}`);
      bad.add(i);
    }
  });
  return bad;
}

/** The resolved form: always a list (load.ts normalised every valid string already). */
export function connectList(value: string | readonly string[]): string[] {
  if (typeof value !== 'string') return [...value];
  const split = splitConnectStr(value);
  return 'list' in split ? split.list : [];
}
