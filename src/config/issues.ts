/**
 * Problems found in a config file, in the user's terms: key paths as written in conf.yaml
 * (`instances[0].sasl.mechanism`) and values as they would read them, never a mapping's contents
 * or a secret. Every stage of loading adds to one `Issues`; the caller throws them all at once.
 */

export type Json = Record<string, unknown>;

/** The key path of the document itself. */
export const TOP = 'top level';

/** `["instances", 0, "sasl"]` -> `instances[0].sasl`; odd keys are quoted: `metric_types["a.b"]`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? TOP : out;
}

/** The `got` part of a message. Mappings and lists are not printed: they could hold secrets. */
export function describeValue(v: unknown, secret = false): string {
  if (secret) return '***';
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 76)}..."` : s;
  }
  return String(v);
}

/** Where a problem is listed: -1 for top level and init_config, the instance index, ENV_ORDER for the environment. */
export const ENV_ORDER = Infinity;

/** The listing order of a problem at `segments`. */
export function orderOf(segments: readonly (string | number)[]): number {
  return segments[0] === 'instances' && typeof segments[1] === 'number' ? segments[1] : -1;
}

interface Issue {
  order: number;
  /** A secret that cannot be read (SECRET_UNAVAILABLE), not a mistake in the file. */
  secret: boolean;
  text: string;
}

/** Every problem found, each once, listed top level first, then instance by instance, then the environment. */
export class Issues {
  private readonly list: Issue[] = [];
  add(order: number, text: string, secret = false): void {
    if (!this.list.some((i) => i.text === text)) this.list.push({ order, secret, text });
  }
  /** True when some problem is a mistake in the file or the environment (CONFIG_INVALID). */
  get invalid(): boolean {
    return this.list.some((i) => !i.secret);
  }
  get any(): boolean {
    return this.list.length > 0;
  }
  texts(): string[] {
    return [...this.list].sort((a, b) => a.order - b.order).map((i) => i.text);
  }
}
