/**
 * The observation stream of model monitoring: what the mapping stage saw of each message, per
 * chunk, as a few flat arrays (they cross from the encoder's worker thread and their buffers
 * are given back to carry later chunks). Every signal (drift, field health, and later fairness)
 * reads the same stream; the encoder and the runtime know the stream, not its readers.
 *
 * Per message: its version, its monitoring time, where its entries end. Per entry: a field and
 * what it held: a usable value (KIND_VALUE, in `values`), or why it held none (the other
 * kinds; `values` is NaN there). A field the message does not carry has no entry (`absent` is
 * the executions minus the rest). A new kind of entry (fairness: the raw group value, a string
 * or a number) is one more kind, with strings in a per-chunk table like `fields`.
 */
import type { MissingReason } from '../map/dropReasons';

export const KIND_VALUE = 0;
export const KIND_NULL = 1;
export const KIND_NON_NUMERIC = 2;
export const KIND_NON_FINITE = 3;
/** Dropped on purpose (denied, reserved, cardinality, too old): neither usable nor missing. */
export const KIND_EXCLUDED = 4;
/**
 * Fairness facts (not field values: drift and field health skip them). The field is the one
 * named in the message, unsanitised. A group value that is a number (in `values`), one that is
 * a string (its index in `strings`), and an outcome (in `values`; NaN: not usable).
 */
export const KIND_GROUP_NUMBER = 5;
export const KIND_GROUP_STRING = 6;
export const KIND_OUTCOME = 7;

export const KIND_OF_REASON: Readonly<Record<MissingReason, number>> = {
  null: KIND_NULL,
  non_numeric: KIND_NON_NUMERIC,
  non_finite: KIND_NON_FINITE,
  excluded: KIND_EXCLUDED,
};

/** One chunk's observations, as plain data. */
export interface Observations {
  /** Name, version and owner of each version seen, flattened: version i is [3i, 3i + 3). */
  versions: string[];
  fields: string[];
  /** Per message: its version's index, its monitoring time, and where its entries end. */
  messageVersion: Int32Array;
  messageTime: Float64Array;
  messageEnd: Int32Array;
  /** Per entry: the index of its field in `fields`, its kind, and its value (KIND_VALUE only). */
  valueField: Int32Array;
  valueKind: Uint8Array;
  values: Float64Array;
  /** String group values of the chunk (KIND_GROUP_STRING entries point here); absent: none. */
  strings?: string[];
}

/** The buffers of `o`, to transfer rather than copy, and to give back (recycle) once applied. */
export function observationBuffers(o: Observations): ArrayBuffer[] {
  return [o.messageVersion, o.messageTime, o.messageEnd, o.valueField, o.valueKind, o.values].map((a) => a.buffer as ArrayBuffer);
}
