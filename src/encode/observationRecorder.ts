/**
 * The encoder's side of model monitoring: it records the observation stream of each chunk
 * (monitor/observations.ts): every observed message with its version and monitoring time (its
 * `time`, else the Kafka timestamp, else its arrival), every value the mapping emits, and, for
 * field health, every field that held no usable value and why, as a few flat arrays. The
 * signals themselves live on the main thread (monitorFeed.ts): the encoder is the busier thread
 * of the two, and the recording costs a fraction of what the signals do per value.
 */
import type { MessageFields } from '../decode/messageFields';
import { driftMessageTime } from '../drift';
import type { MissingReason } from '../map/dropReasons';
import type { ValueObserver } from '../map/mapRecord';
import { KIND_GROUP_NUMBER, KIND_GROUP_STRING, KIND_OF_REASON, KIND_OUTCOME, KIND_VALUE, type Observations } from '../monitor';

export { observationBuffers, type Observations } from '../monitor';

export class ObservationRecorder implements ValueObserver {
  /** The Kafka timestamp of the message being mapped (NaN: none), and the chunk's arrival time. */
  recordTimestamp = NaN;
  arrivalMs = 0;
  /** name -> version -> owner -> index, for this chunk. */
  private readonly versionIds = new Map<string, Map<string, Map<string, number>>>();
  private versions: string[] = [];
  private readonly fieldIds = new Map<string, number>();
  private fields: string[] = [];
  /** String group values of this chunk (fairness), each once. */
  private readonly stringIds = new Map<string, number>();
  private strings: string[] = [];
  /**
   * Per version of the chunk, the field and field index last seen at each position of its
   * messages: an algorithm sends its fields in the same order each time, so a value's field
   * is found by one comparison instead of a lookup.
   */
  private byPosition: Array<{ fields: string[]; ids: number[] }> = [];
  private position = 0;
  private current: { fields: string[]; ids: number[] } = { fields: [], ids: [] };
  private messageVersion = new Int32Array(2048);
  private messageTime = new Float64Array(2048);
  private messageEnd = new Int32Array(2048);
  private messages = 0;
  private valueField = new Int32Array(16384);
  private values = new Float64Array(16384);
  private count = 0;
  private valueKind = new Uint8Array(16384);
  /** Buffers of observations already applied, given back (recycle) to carry the next chunks'. */
  private spare: ArrayBuffer[] = [];

  /** `tracksMissing`: record the fields with no usable value too (field health). */
  constructor(readonly tracksMissing = false) {}

  message(fields: MessageFields): boolean {
    const time = driftMessageTime(typeof fields.time === 'string' ? fields.time : undefined, this.recordTimestamp, this.arrivalMs, this.arrivalMs);
    if (!Number.isFinite(time)) return false;
    const version = fields.version === undefined || fields.version === null ? '' : String(fields.version);
    const owner = fields.owner === undefined || fields.owner === null ? '' : String(fields.owner);
    const m = this.messages;
    if (m > 0) this.messageEnd[m - 1] = this.count;
    if (m === this.messageTime.length) this.growMessages();
    const id = this.versionId(fields.algorithmName, version, owner);
    this.messageVersion[m] = id;
    this.messageTime[m] = time;
    this.current = this.byPosition[id] ??= { fields: [], ids: [] };
    this.position = 0;
    this.messages = m + 1;
    return true;
  }

  value(field: string, value: number): void {
    this.entry(field, KIND_VALUE, value);
  }

  missing(field: string, reason: MissingReason): void {
    this.entry(field, KIND_OF_REASON[reason], NaN);
  }

  /** Fairness: a group value, a number or a string (kept once per chunk). */
  group(field: string, value: string | number): void {
    if (typeof value === 'number') {
      this.entry(field, KIND_GROUP_NUMBER, value);
      return;
    }
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.stringIds.set(value, id);
    }
    this.entry(field, KIND_GROUP_STRING, id);
  }

  /** Fairness: an outcome (NaN: not usable). */
  outcome(field: string, value: number): void {
    this.entry(field, KIND_OUTCOME, value);
  }

  private entry(field: string, kind: number, value: number): void {
    const at = this.position++;
    const current = this.current;
    let id: number;
    if (current.fields[at] === field) id = current.ids[at];
    else {
      id = this.fieldId(field);
      current.fields[at] = field;
      current.ids[at] = id;
    }
    if (this.count === this.values.length) this.growValues();
    this.valueField[this.count] = id;
    this.valueKind[this.count] = kind;
    this.values[this.count++] = value;
  }

  /** The chunk's observations (undefined: none), and a fresh start for the next chunk. */
  take(): Observations | undefined {
    const n = this.messages;
    if (n === 0) return undefined;
    this.messageEnd[n - 1] = this.count;
    const taken: Observations = {
      versions: this.versions,
      fields: this.fields,
      messageVersion: this.copy(this.messageVersion, n, Int32Array),
      messageTime: this.copy(this.messageTime, n, Float64Array),
      messageEnd: this.copy(this.messageEnd, n, Int32Array),
      valueField: this.copy(this.valueField, this.count, Int32Array),
      valueKind: this.copy(this.valueKind, this.count, Uint8Array),
      values: this.copy(this.values, this.count, Float64Array),
    };
    if (this.strings.length > 0) {
      taken.strings = this.strings;
      this.strings = [];
      this.stringIds.clear();
    }
    this.versionIds.clear();
    this.versions = [];
    this.fieldIds.clear();
    this.fields = [];
    this.byPosition = [];
    this.messages = 0;
    this.count = 0;
    return taken;
  }

  /**
   * The buffers of observations the tracker has applied: they carry later chunks' observations
   * instead of new ones (each chunk's would otherwise wait for a collection to be freed).
   */
  recycle(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) if (this.spare.length < SPARE_BUFFERS && b.byteLength > 0) this.spare.push(b);
  }

  /** The first n items of `from`, in a spare buffer large enough, or a new one. */
  private copy<T extends Int32Array | Float64Array | Uint8Array>(from: T, n: number, make: { new (b: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T {
    const bytes = n * make.BYTES_PER_ELEMENT;
    const i = this.spare.findIndex((b) => b.byteLength >= bytes);
    // New buffers are a power of two (at least 4 KiB), so that they fit the chunks that follow.
    const buffer = i >= 0 ? this.spare.splice(i, 1)[0] : new ArrayBuffer(Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1)))));
    const out = new make(buffer, 0, n);
    out.set(from.subarray(0, n));
    return out;
  }

  private fieldId(field: string): number {
    let id = this.fieldIds.get(field);
    if (id === undefined) {
      id = this.fields.length;
      this.fields.push(field);
      this.fieldIds.set(field, id);
    }
    return id;
  }

  private versionId(name: string, version: string, owner: string): number {
    let byVersion = this.versionIds.get(name);
    if (byVersion === undefined) this.versionIds.set(name, (byVersion = new Map()));
    let byOwner = byVersion.get(version);
    if (byOwner === undefined) byVersion.set(version, (byOwner = new Map()));
    let id = byOwner.get(owner);
    if (id === undefined) {
      id = this.versions.length / 3;
      this.versions.push(name, version, owner);
      byOwner.set(owner, id);
    }
    return id;
  }

  private growMessages(): void {
    const size = this.messageTime.length * 2;
    this.messageVersion = grown(this.messageVersion, new Int32Array(size));
    this.messageTime = grown(this.messageTime, new Float64Array(size));
    this.messageEnd = grown(this.messageEnd, new Int32Array(size));
  }

  private growValues(): void {
    const size = this.values.length * 2;
    this.valueField = grown(this.valueField, new Int32Array(size));
    this.valueKind = grown(this.valueKind, new Uint8Array(size));
    this.values = grown(this.values, new Float64Array(size));
  }
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Spare buffers a recorder keeps: a few chunks' worth (6 arrays each). */
const SPARE_BUFFERS = 24;
