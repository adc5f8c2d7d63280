/**
 * A decoded message as the mapper reads it: the operational fields by name, then every other
 * top-level field in the order JSON.parse's object would enumerate it. Both decoders fill one:
 * the fast byte scanner (scanMessage.ts) and JSON.parse (decodeMessage.ts, via fieldsOfRecord).
 * One instance is refilled per message, so a message costs no object of its own.
 */
import type { InsightsRecord } from './decodeMessage';

/** Platform fields that describe the execution; never sent as values. */
export const OPERATIONAL_FIELDS: ReadonlySet<string> = new Set([
  'algorithm_name',
  'algorithm_version',
  'algorithm_owner',
  'request_id',
  'session_id',
  'time',
  'timestamp',
]);

/** What a field's value is: a number (or a boolean, as 1/0), null, or anything else. */
export const VALUE_NUMBER = 0;
export const VALUE_NULL = 1;
export const VALUE_OTHER = 2;

export interface MessageFields {
  algorithmName: string;
  version: unknown;
  owner: unknown;
  requestId: unknown;
  sessionId: unknown;
  time: unknown;
  /** Entries of `keys`/`kinds`/`numbers` that belong to this message (the arrays are reused). */
  count: number;
  keys: string[];
  /** VALUE_NUMBER (`numbers` holds it; true/false as 1/0), VALUE_NULL or VALUE_OTHER. */
  kinds: number[];
  /** Only numbers, so that V8 keeps them unboxed: no allocation per value. */
  numbers: number[];
  /** Keys whose value was a bare NaN/Infinity token, now null (dropped as non_finite). */
  nonFinite: ReadonlySet<string> | undefined;
}

export function emptyMessageFields(): MessageFields {
  return { algorithmName: '', version: undefined, owner: undefined, requestId: undefined, sessionId: undefined, time: undefined, count: 0, keys: [], kinds: [], numbers: [], nonFinite: undefined };
}

/** Refills `into` from a parsed record. */
export function fieldsOfRecord(record: InsightsRecord, nonFinite: ReadonlySet<string> | undefined, into: MessageFields): MessageFields {
  into.algorithmName = record.algorithm_name;
  into.version = record.algorithm_version;
  into.owner = record.algorithm_owner;
  into.requestId = record.request_id;
  into.sessionId = record.session_id;
  into.time = record.time;
  into.nonFinite = nonFinite;
  let n = 0;
  for (const key in record) {
    if (OPERATIONAL_FIELDS.has(key)) continue;
    const value = record[key];
    into.keys[n] = key;
    if (typeof value === 'number') setValue(into, n, VALUE_NUMBER, value);
    else if (typeof value === 'boolean') setValue(into, n, VALUE_NUMBER, value ? 1 : 0);
    else setValue(into, n, value === null ? VALUE_NULL : VALUE_OTHER, 0);
    n++;
  }
  into.count = n;
  return into;
}

export function setValue(into: MessageFields, index: number, kind: number, value: number): void {
  into.kinds[index] = kind;
  into.numbers[index] = value;
}
