/**
 * The fast path of decoding: reads the fields the mapper needs straight from the message bytes,
 * without building a string of the message or an object of it (JSON.parse's garbage was most
 * of the encoder's GC). Keys and tag values are interned, skipped strings are only validated,
 * and numbers are read digit by digit.
 *
 * It accepts only what it can vouch for and gives up (returns undefined) on everything else:
 * then decodeMessage's JSON.parse path decides, with its exact reasons. So the result is the
 * one JSON.parse would give, or no result. It gives up on: anything but an object at the top;
 * any syntax error; a backslash or a non-ASCII byte in a key or in a string it must return; a
 * key starting with a digit (JSON.parse's object would list integer keys first); a repeated
 * key (JSON.parse keeps the last value, in the first one's place); a nested object or array;
 * a missing or non-string algorithm_name. Messages as Insights writes them take the fast path.
 */
import type { MessageFields } from './messageFields';
import { type ByteCursor, isStringAt, readNumber, readPlainString, skipSpace, skipString } from './jsonBytes';
import { emptyMessageFields, VALUE_NULL, VALUE_NUMBER, VALUE_OTHER } from './messageFields';

const enum Role {
  Metric,
  Name,
  Version,
  Owner,
  RequestId,
  SessionId,
  Time,
  /** `timestamp`: operational, never a value. */
  Ignored,
  /** A key the fast path does not handle. */
  GiveUp,
}

const ROLES: ReadonlyMap<string, Role> = new Map([
  ['algorithm_name', Role.Name],
  ['algorithm_version', Role.Version],
  ['algorithm_owner', Role.Owner],
  ['request_id', Role.RequestId],
  ['session_id', Role.SessionId],
  ['time', Role.Time],
  ['timestamp', Role.Ignored],
]);

/** Entries chained by a 30-bit hash of their bytes; `entries` counts them all, chains included. */
interface InternTable {
  byHash: Map<number, Interned>;
  entries: number;
}

interface Interned {
  text: string;
  /** `text` as bytes, for comparing (faster than charCodeAt). */
  bytes: Uint8Array;
  role: Role;
  /** The key that followed this one last time: messages of one algorithm repeat their key order. */
  follower: Interned | undefined;
  /** On an algorithm name: the keys of its last message, in order (the likely keys of the next). */
  template: Interned[] | undefined;
  /** The key table's generation when this was made: keys of a cleared table are never predicted. */
  generation: number;
  /** The message in which the key was last seen (repeated keys give up). */
  seenIn: number;
  next: Interned | undefined;
}

/** Per table: enough for every key and tag value of a busy topic, bounded for a hostile one. */
const INTERN_LIMIT = 20_000;

export interface ScanOptions {
  /** Return these strings too (only needed for tags and message time). */
  requestId: boolean;
  sessionId: boolean;
  time: boolean;
}

export class MessageScanner implements ByteCursor {
  private readonly keys: InternTable = { byHash: new Map(), entries: 0 };
  private readonly tagValues: InternTable = { byHash: new Map(), entries: 0 };
  private message = 0;
  private readonly out: MessageFields = emptyMessageFields();
  /** Set by the byte readers (ByteCursor): where the last token ended, and the last plain string's hash. */
  pos = 0;
  hash = 0;
  /** The first key of the last message: where the prediction of keys starts. */
  private firstKey: Interned | undefined;
  /** The keys of the message being read, in order. */
  private readonly sequence: Interned[] = [];
  /** Bumped when the key table is cleared. */
  private generation = 0;

  constructor(private readonly want: ScanOptions) {}

  /** The fields of the message in `b[start, end)`, or undefined: decode it with JSON.parse. */
  scan(b: Buffer, start: number, end: number): MessageFields | undefined {
    const out = this.out;
    out.algorithmName = '';
    out.version = undefined;
    out.owner = undefined;
    out.requestId = undefined;
    out.sessionId = undefined;
    out.time = undefined;
    out.nonFinite = undefined;
    out.count = 0;
    if (++this.message > 0x3fffffff) this.restartStamps();
    const message = this.message;
    let name: unknown;
    let nameEntry: Interned | undefined;
    let template: Interned[] | undefined;
    let index = 0;
    let previous: Interned | undefined;
    let predicted = this.firstKey;
    const generation = this.generation;

    let i = skipSpace(b, start, end);
    if (i >= end || b[i] !== 0x7b /* { */) return undefined;
    i = skipSpace(b, i + 1, end);
    if (i >= end || b[i] === 0x7d /* } */) return undefined; // no algorithm_name
    for (;;) {
      // key
      if (b[i] !== 0x22 /* " */) return undefined;
      let key: Interned | undefined;
      if (template !== undefined && index < template.length) predicted = template[index];
      if (predicted !== undefined && predicted.generation === generation && isStringAt(b, i + 1, end, predicted.bytes)) {
        key = predicted;
        i += predicted.bytes.length + 2;
      } else {
        if (!readPlainString(this, b, i + 1, end)) return undefined;
        key = this.intern(this.keys, b, i + 1, this.pos, true);
        i = this.pos + 1;
      }
      if (key === undefined || key.role === Role.GiveUp || key.seenIn === message) return undefined;
      key.seenIn = message;
      if (previous === undefined) this.firstKey = key;
      else previous.follower = key;
      previous = key;
      predicted = key.follower;
      this.sequence[index++] = key;
      i = skipSpace(b, i, end);
      if (i >= end || b[i] !== 0x3a /* : */) return undefined;
      i = skipSpace(b, i + 1, end);
      if (i >= end) return undefined;

      // value: metric fields keep a kind and a number; operational ones the JSON value
      const c = b[i];
      const role = key.role;
      let kind = VALUE_NUMBER;
      let num = 0;
      let value: unknown;
      if (c === 0x22) {
        kind = VALUE_OTHER;
        if (role === Role.Name || role === Role.Version || role === Role.Owner) {
          if (!readPlainString(this, b, i + 1, end)) return undefined;
          const entry = this.intern(this.tagValues, b, i + 1, this.pos, false) as Interned;
          value = entry.text;
          if (role === Role.Name) {
            nameEntry = entry;
            template = entry.template;
          }
        } else if ((role === Role.RequestId && this.want.requestId) || (role === Role.SessionId && this.want.sessionId) || (role === Role.Time && this.want.time)) {
          if (!readPlainString(this, b, i + 1, end)) return undefined;
          value = b.toString('latin1', i + 1, this.pos);
        } else if (!skipString(this, b, i + 1, end)) return undefined;
        i = this.pos + 1;
      } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
        num = readNumber(this, b, i, end);
        if (Number.isNaN(num)) return undefined;
        if (role !== Role.Metric) value = num;
        i = this.pos;
      } else if (c === 0x74 /* t */ && i + 3 < end && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) {
        num = 1;
        value = true;
        i += 4;
      } else if (c === 0x66 /* f */ && i + 4 < end && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) {
        value = false;
        i += 5;
      } else if (c === 0x6e /* n */ && i + 3 < end && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c) {
        kind = VALUE_NULL;
        value = null;
        i += 4;
      } else return undefined; // nested, or not JSON

      switch (role) {
        case Role.Metric: {
          const n = out.count++;
          out.keys[n] = key.text;
          out.kinds[n] = kind;
          out.numbers[n] = num;
          break;
        }
        case Role.Name:
          name = value;
          break;
        case Role.Version:
          out.version = value;
          break;
        case Role.Owner:
          out.owner = value;
          break;
        case Role.RequestId:
          out.requestId = value;
          break;
        case Role.SessionId:
          out.sessionId = value;
          break;
        case Role.Time:
          out.time = value;
          break;
        default:
          break;
      }

      i = skipSpace(b, i, end);
      if (i >= end) return undefined;
      if (b[i] === 0x2c /* , */) {
        i = skipSpace(b, i + 1, end);
        if (i >= end) return undefined;
        continue;
      }
      if (b[i] !== 0x7d) return undefined;
      break;
    }
    if (skipSpace(b, i + 1, end) !== end) return undefined;
    if (typeof name !== 'string' || name.length === 0) return undefined;
    out.algorithmName = name;
    if (nameEntry !== undefined) {
      // this algorithm's key order, the prediction for its next message
      let t = nameEntry.template;
      if (t === undefined || t.length !== index) t = nameEntry.template = new Array<Interned>(index);
      for (let k = 0; k < index; k++) t[k] = this.sequence[k];
    }
    return out;
  }

  /** The string of `b[start, end)` (plain ASCII, hashed by readPlainString) from `table`. */
  private intern(table: InternTable, b: Buffer, start: number, end: number, isKey: boolean): Interned | undefined {
    const hash = this.hash;
    const length = end - start;
    for (let e = table.byHash.get(hash); e !== undefined; e = e.next) {
      const bytes = e.bytes;
      if (bytes.length !== length) continue;
      let k = 0;
      while (k < length && bytes[k] === b[start + k]) k++;
      if (k === length) return e;
    }
    const text = b.toString('latin1', start, end);
    let role = Role.Metric;
    let forgot = false;
    if (isKey) {
      const first = text.charCodeAt(0);
      role = first >= 0x30 && first <= 0x39 ? Role.GiveUp : (ROLES.get(text) ?? Role.Metric);
    }
    if (table.entries >= INTERN_LIMIT) {
      table.byHash.clear();
      table.entries = 0;
      // Keys of the cleared table must not come back through a prediction (their stamps are stale).
      if (isKey) this.generation++;
      forgot = true;
    }
    const entry: Interned = { text, bytes: Buffer.from(text, 'latin1'), role, follower: undefined, template: undefined, generation: this.generation, seenIn: 0, next: table.byHash.get(hash) };
    table.byHash.set(hash, entry);
    table.entries++;
    // A cleared key table forgets which keys this message already had (repeats must be caught).
    return forgot && isKey ? undefined : entry;
  }

  private restartStamps(): void {
    this.message = 1;
    this.keys.byHash.clear();
    this.keys.entries = 0;
    this.generation++;
  }
}
