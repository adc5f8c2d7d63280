/**
 * An independent DogStatsD line parser for tests, written from Datadog's protocol description
 * (DogStatsD datagram format, protocol v1.1-v1.3), not from the product's sanitiser: it must
 * never import from src/. It answers "would the Agent read this line as exactly one valid
 * metric or service check, with valid names and tags?".
 *
 *   metric:        <name>:<value>[:<value>...]|<type>[|@<rate>][|#<tags>][|c:<container>][|T<ts>][|e:<ext>][|card:<c>]
 *                  type in g, c, h, d, ms, s; optional fields in any order, each at most once
 *   service check: _sc|<name>|<status>[|d:<ts>][|h:<host>][|#<tags>][|m:<message>]   (m: last)
 *   event:         _e{...}   rejected here: the forwarder sends no events
 *
 * Stricter than the Agent on purpose, with Datadog's naming rules:
 * - metric and service-check names: `^[A-Za-z][A-Za-z0-9_.]*$`, at most 200 characters;
 * - values: finite decimal numbers as parseFloat reads them (`1e+21`, `-0.5`, `.5`), never
 *   NaN/Infinity/hex;
 * - tags: non-empty, at most 200 characters (Unicode code points), without `|`, `,`, `#`,
 *   whitespace or control characters;
 * - no empty field anywhere, no control character anywhere in the line (a line is one line),
 *   nothing after a service check's message.
 */

export const METRIC_TYPES = ['g', 'c', 'h', 'd', 'ms', 's'] as const;
export type DogStatsDType = (typeof METRIC_TYPES)[number];

export const MAX_NAME_LENGTH = 200;
export const MAX_TAG_LENGTH = 200;

export interface ParsedMetric {
  kind: 'metric';
  name: string;
  values: number[];
  type: DogStatsDType;
  sampleRate?: number;
  tags: string[];
  container?: string;
  timestamp?: number;
  externalData?: string;
  cardinality?: string;
}

export interface ParsedServiceCheck {
  kind: 'service_check';
  name: string;
  status: 0 | 1 | 2 | 3;
  timestamp?: number;
  hostname?: string;
  tags: string[];
  message?: string;
}

export type ParsedLine = ParsedMetric | ParsedServiceCheck;

export type ParseResult = { ok: true; line: ParsedLine } | { ok: false; error: string };

const NAME = /^[A-Za-z][A-Za-z0-9_.]*$/;
// parseFloat-compatible decimal literal: optional sign, digits with optional fraction (or a bare fraction), optional exponent.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CARDINALITIES = new Set(['none', 'low', 'orchestrator', 'high']);

const fail = (error: string): ParseResult => ({ ok: false, error });

/** Checks a metric or service-check name; returns an error string, or undefined when valid. */
export function nameError(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length > MAX_NAME_LENGTH) return `name longer than ${MAX_NAME_LENGTH} characters (${name.length})`;
  if (!NAME.test(name)) return `invalid name ${JSON.stringify(name)}`;
  return undefined;
}

/** Checks one tag; returns an error string, or undefined when valid. */
export function tagError(tag: string): string | undefined {
  if (tag.length === 0) return 'empty tag';
  const length = Array.from(tag).length;
  if (length > MAX_TAG_LENGTH) return `tag longer than ${MAX_TAG_LENGTH} characters (${length})`;
  if (/[|,#]/.test(tag)) return `tag with '|', ',' or '#': ${JSON.stringify(tag)}`;
  if (/\s/u.test(tag)) return `tag with whitespace: ${JSON.stringify(tag)}`;
  if (CONTROL.test(tag)) return `tag with a control character: ${JSON.stringify(tag)}`;
  return undefined;
}

/** A finite number as DogStatsD writes it, or undefined. */
export function parseValue(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const v = parseFloat(text);
  return Number.isFinite(v) ? v : undefined;
}

function parseTags(field: string): string[] | string {
  // field without the leading '#'
  if (field.length === 0) return 'empty tags field';
  const tags = field.split(',');
  for (const tag of tags) {
    const err = tagError(tag);
    if (err) return err;
  }
  return tags;
}

function parseTimestamp(text: string): number | undefined {
  return /^\d{1,12}$/.test(text) ? Number(text) : undefined;
}

export function parseLine(line: string): ParseResult {
  if (line.length === 0) return fail('empty line');
  if (CONTROL.test(line)) return fail(`control character in line ${JSON.stringify(line.slice(0, 80))}`);
  if (line.startsWith('_e{')) return fail('unexpected event (_e): the forwarder sends none');
  if (line.startsWith('_sc|')) return parseServiceCheck(line);
  return parseMetric(line);
}

function parseMetric(line: string): ParseResult {
  const fields = line.split('|');
  if (fields.some((f) => f.length === 0)) return fail('empty field');
  if (fields.length < 2) return fail('no type field');
  const [head, type, ...optional] = fields;
  const colon = head.indexOf(':');
  if (colon < 0) return fail('no value');
  const name = head.slice(0, colon);
  const nameErr = nameError(name);
  if (nameErr) return fail(nameErr);
  const values: number[] = [];
  for (const text of head.slice(colon + 1).split(':')) {
    const v = parseValue(text);
    if (v === undefined) return fail(`invalid value ${JSON.stringify(text)}`);
    values.push(v);
  }
  if (!(METRIC_TYPES as readonly string[]).includes(type)) return fail(`invalid type ${JSON.stringify(type)}`);
  const out: ParsedMetric = { kind: 'metric', name, values, type: type as DogStatsDType, tags: [] };
  const seen = new Set<string>();
  const once = (key: string): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const f of optional) {
    if (f.startsWith('@')) {
      if (!once('@')) return fail('sample rate twice');
      const rate = parseValue(f.slice(1));
      if (rate === undefined || rate <= 0 || rate > 1) return fail(`invalid sample rate ${JSON.stringify(f)}`);
      out.sampleRate = rate;
    } else if (f.startsWith('#')) {
      if (!once('#')) return fail('tags field twice');
      const tags = parseTags(f.slice(1));
      if (typeof tags === 'string') return fail(tags);
      out.tags = tags;
    } else if (f.startsWith('c:')) {
      if (!once('c')) return fail('container field twice');
      const id = f.slice(2);
      if (id.length === 0 || /[\s,#]/.test(id)) return fail(`invalid container id ${JSON.stringify(f)}`);
      out.container = id;
    } else if (f.startsWith('T')) {
      if (!once('T')) return fail('timestamp twice');
      const ts = parseTimestamp(f.slice(1));
      if (ts === undefined) return fail(`invalid timestamp ${JSON.stringify(f)}`);
      out.timestamp = ts;
    } else if (f.startsWith('e:')) {
      if (!once('e')) return fail('external data twice');
      if (f.length === 2) return fail('empty external data');
      out.externalData = f.slice(2);
    } else if (f.startsWith('card:')) {
      if (!once('card')) return fail('cardinality twice');
      if (!CARDINALITIES.has(f.slice(5))) return fail(`invalid cardinality ${JSON.stringify(f)}`);
      out.cardinality = f.slice(5);
    } else {
      return fail(`unknown field ${JSON.stringify(f.slice(0, 40))}`);
    }
  }
  return { ok: true, line: out };
}

function parseServiceCheck(line: string): ParseResult {
  // The message is free text but must come last: split it off first, then nothing may follow it.
  let rest = line.slice('_sc|'.length);
  let message: string | undefined;
  const m = rest.indexOf('|m:');
  if (m >= 0) {
    message = rest.slice(m + 3);
    rest = rest.slice(0, m);
    if (message.includes('|')) return fail('field after the service check message');
  }
  const fields = rest.split('|');
  if (fields.some((f) => f.length === 0)) return fail('empty field');
  if (fields.length < 2) return fail('service check without status');
  const [name, status, ...optional] = fields;
  const nameErr = nameError(name);
  if (nameErr) return fail(`service check ${nameErr}`);
  if (!/^[0-3]$/.test(status)) return fail(`invalid service check status ${JSON.stringify(status)}`);
  const out: ParsedServiceCheck = { kind: 'service_check', name, status: Number(status) as 0 | 1 | 2 | 3, tags: [] };
  const seen = new Set<string>();
  for (const f of optional) {
    const key = f.startsWith('#') ? '#' : f.slice(0, 2);
    if (seen.has(key)) return fail(`service check field ${key} twice`);
    seen.add(key);
    if (f.startsWith('d:')) {
      const ts = parseTimestamp(f.slice(2));
      if (ts === undefined) return fail(`invalid service check timestamp ${JSON.stringify(f)}`);
      out.timestamp = ts;
    } else if (f.startsWith('h:')) {
      const host = f.slice(2);
      if (host.length === 0 || /[\s,#]/.test(host)) return fail(`invalid hostname ${JSON.stringify(f)}`);
      out.hostname = host;
    } else if (f.startsWith('#')) {
      const tags = parseTags(f.slice(1));
      if (typeof tags === 'string') return fail(tags);
      out.tags = tags;
    } else {
      return fail(`unknown service check field ${JSON.stringify(f.slice(0, 40))}`);
    }
  }
  if (message !== undefined) out.message = message;
  return { ok: true, line: out };
}

/** Splits a datagram into lines as the Agent does (a trailing newline is allowed, an empty line in the middle is not). */
export function datagramLines(datagram: string): { lines: string[]; error?: string } {
  const body = datagram.endsWith('\n') ? datagram.slice(0, -1) : datagram;
  const lines = body.split('\n');
  const empty = lines.findIndex((l) => l.length === 0);
  return empty >= 0 ? { lines, error: `empty line at position ${empty} of ${lines.length}` } : { lines };
}
