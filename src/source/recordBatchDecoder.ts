/**
 * Kafka record batches (message format v2) decoded for kafkajs's fetch path, to the same
 * records kafkajs 2.2.4's own decoder (`protocol/recordBatch/v0/decoder.js`) returns.
 *
 * Why: kafkajs decodes each record through a fresh Decoder, 64-bit varints and offsets as
 * BigInt-backed Longs and a string parse of the batch's first offset and timestamp per record.
 * On a backlog that is the largest share of the main thread's work after the drift tracker.
 * Here a batch's records are read in one pass over its bytes, with plain numbers wherever they
 * are exact.
 *
 * Same output, or kafkajs's own: a batch whose offsets or timestamps do not fit a double
 * exactly, a record whose fields do not end where its length says, or a codec that returns
 * something other than a Buffer is decoded again by kafkajs's decoder, from the batch's start.
 * The unit tests compare both decoders record for record.
 *
 * Installed in place of kafkajs's module (installRecordBatchDecoder) only for the kafkajs
 * version it was written against, and only before kafkajs's fetch decoding has loaded it.
 */

/** The part of kafkajs's protocol Decoder this module uses. */
export interface KafkaDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readAll(): Buffer;
  slice(size: number): KafkaDecoder;
  forward(size: number): void;
}

export type BatchDecoder = (fetchDecoder: KafkaDecoder) => Promise<{ records: unknown[] }>;

interface Codec {
  decompress(buffer: Buffer): Promise<Buffer | Uint8Array>;
}

/** The kafkajs version whose decoder this one reproduces. */
export const KAFKAJS_VERSION = '2.2.4';
const SRC = 'kafkajs/src/protocol/';
const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
/** Offsets and timestamps below this add a 32-bit or 49-bit delta exactly as doubles. */
const EXACT = 2 ** 52;

/** Thrown inside a batch to hand it to kafkajs's decoder. */
const NOT_FAST = Symbol('not fast');

/**
 * A batch decoder with kafkajs's contract, falling back to `original` (kafkajs's) for the
 * batches it does not decode itself.
 */
export function createRecordBatchDecoder(original: BatchDecoder): BatchDecoder {
  const { KafkaJSPartialMessageError } = require('kafkajs/src/errors') as { KafkaJSPartialMessageError: new (msg: string) => Error };
  const { lookupCodecByAttributes } = require(`${SRC}message/compression`) as { lookupCodecByAttributes(a: number): Codec | null };
  const TimestampTypes = require(`${SRC}timestampTypes`) as { LOG_APPEND_TIME: number; CREATE_TIME: number };

  return async (fetchDecoder) => {
    const start = fetchDecoder.offset;
    const firstOffset = fetchDecoder.readInt64().toString();
    const length = fetchDecoder.readInt32();
    const decoder = fetchDecoder.slice(length);
    fetchDecoder.forward(length);
    if (Buffer.byteLength(decoder.buffer) < length) {
      throw new KafkaJSPartialMessageError(`Tried to decode a partial record batch: remainingBytes(${Buffer.byteLength(decoder.buffer)}) < recordBatchLength(${length})`);
    }
    const partitionLeaderEpoch = decoder.readInt32();
    const magicByte = decoder.readInt8();
    decoder.readInt32(); // CRC: kafkajs does not check it either
    const attributes = decoder.readInt16();
    const lastOffsetDelta = decoder.readInt32();
    const firstTimestamp = decoder.readInt64().toString();
    const maxTimestamp = decoder.readInt64().toString();
    const producerId = decoder.readInt64().toString();
    const producerEpoch = decoder.readInt16();
    const firstSequence = decoder.readInt32();
    const inTransaction = (attributes & TRANSACTIONAL_FLAG_MASK) > 0;
    const isControlBatch = (attributes & CONTROL_FLAG_MASK) > 0;
    const timestampType = (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? TimestampTypes.LOG_APPEND_TIME : TimestampTypes.CREATE_TIME;
    const codec = lookupCodecByAttributes(attributes);
    const recordContext = {
      firstOffset,
      firstTimestamp,
      partitionLeaderEpoch,
      inTransaction,
      isControlBatch,
      lastOffsetDelta,
      producerId,
      producerEpoch,
      firstSequence,
      maxTimestamp,
      timestampType,
    };
    const fo = Number(firstOffset);
    const ft = Number(firstTimestamp);
    const again = () => {
      fetchDecoder.offset = start;
      return original(fetchDecoder);
    };
    if (!(Math.abs(fo) < EXACT && Math.abs(ft) < EXACT)) return again();

    let bytes: Buffer;
    let count: number;
    let pos: number;
    if (codec) {
      count = decoder.readInt32();
      if (count <= 0) return { ...recordContext, records: [] };
      const out = await codec.decompress(decoder.readAll());
      if (!Buffer.isBuffer(out)) return again();
      bytes = out;
      pos = 0;
    } else {
      count = decoder.readInt32();
      if (count === -1) return { ...recordContext, records: [] };
      bytes = decoder.buffer;
      pos = decoder.offset;
    }
    const batchContext = { ...recordContext, magicByte };
    const appendTime = timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : undefined;
    try {
      const records = decodeRecords(bytes, pos, count, fo, ft, appendTime, magicByte, isControlBatch, batchContext);
      return { ...recordContext, records };
    } catch (err) {
      if (err === NOT_FAST) return again();
      throw err;
    }
  };
}

function decodeRecords(
  buf: Buffer,
  start: number,
  count: number,
  firstOffset: number,
  firstTimestamp: number,
  appendTime: string | undefined,
  magicByte: number,
  isControlRecord: boolean,
  batchContext: object,
): unknown[] {
  const records = new Array<unknown>(count);
  let p = start;
  // kafkajs's readVarInt, bounded by `end`.
  const varint = (end: number): number => {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      if (p >= end || shift > 28) throw NOT_FAST;
      b = buf[p++];
      result += (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    return (result >>> 1) ^ -(result & 1);
  };
  // A zigzag varlong of at most 7 bytes (|value| < 2^48): exact as a double.
  const varlong = (end: number): number => {
    let result = 0;
    let scale = 1;
    let b: number;
    do {
      if (p >= end || scale > 2 ** 42) throw NOT_FAST;
      b = buf[p++];
      result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b >= 0x80);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  };
  const bytes = (end: number): Buffer | null => {
    const n = varint(end);
    if (n === -1) return null;
    if (n < 0 || p + n > end) throw NOT_FAST;
    const out = buf.subarray(p, p + n);
    p += n;
    return out;
  };
  for (let i = 0; i < count; i++) {
    const length = varint(buf.length);
    const end = p + length;
    if (length < 0 || end > buf.length || p >= end) throw NOT_FAST;
    const attributes = buf.readInt8(p++);
    const timestampDelta = varlong(end);
    const offsetDelta = varint(end);
    const key = bytes(end);
    const value = bytes(end);
    const headerCount = varint(end);
    let headers: Record<string, unknown> = {};
    if (headerCount !== 0 && headerCount !== -1) {
      if (headerCount < 0) throw NOT_FAST;
      const pairs: Array<{ key: string; value: Buffer | null }> = [];
      for (let h = 0; h < headerCount; h++) {
        const k = bytes(end);
        pairs.push({ key: k === null ? (null as unknown as string) : k.toString('utf8'), value: bytes(end) });
      }
      headers = pairs.reduce<Record<string, unknown>>((obj, { key, value }) => {
        const had = obj[key];
        // A literal with a computed key, as kafkajs builds it: `__proto__` stays an own key.
        return { ...obj, [key]: had === undefined ? value : Array.isArray(had) ? had.concat([value]) : [had, value] };
      }, {});
    }
    if (p !== end) throw NOT_FAST;
    records[i] = {
      magicByte,
      attributes,
      timestamp: appendTime ?? String(firstTimestamp + timestampDelta),
      offset: String(firstOffset + offsetDelta),
      key,
      value,
      headers,
      isControlRecord,
      batchContext,
    };
  }
  return records;
}

/**
 * Puts the decoder in place of kafkajs's record batch decoder. Returns why not when it cannot:
 * another kafkajs version, a module cache it cannot reach (jest's), or fetch decoding that has
 * already loaded kafkajs's decoder.
 */
export function installRecordBatchDecoder(): 'installed' | 'already' | 'kafkajs version' | 'too late' | 'no module cache' {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== KAFKAJS_VERSION) return 'kafkajs version';
  const batchPath = require.resolve(`${SRC}recordBatch/v0/decoder`);
  const fetchPath = require.resolve(`${SRC}requests/fetch/v4/decodeMessages`);
  const cache = require.cache as Record<string, NodeModule | undefined> | undefined;
  if (!cache) return 'no module cache';
  const loaded = cache[batchPath];
  if (loaded && (loaded.exports as { fast?: boolean }).fast) return 'already';
  if (cache[fetchPath]) return 'too late';
  const original = require(batchPath) as BatchDecoder;
  const entry = cache[batchPath];
  if (!entry) return 'no module cache';
  entry.exports = Object.assign(createRecordBatchDecoder(original), { fast: true });
  return 'installed';
}
