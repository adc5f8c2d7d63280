/**
 * The record batch decoder (src/source/recordBatchDecoder.ts) against kafkajs's own, on batches
 * kafkajs's encoder writes: the same records (every field, key order, Buffers byte for byte),
 * the same position after the batch, the same errors; and kafkajs's decoder is called only for
 * the batches the fast one hands back.
 */
import { CompressionTypes } from 'kafkajs';
import { registerCodecs } from '../../src/source/codecs';
import { createRecordBatchDecoder, installRecordBatchDecoder, KAFKAJS_VERSION, type BatchDecoder, type KafkaDecoder } from '../../src/source/recordBatchDecoder';

const SRC = 'kafkajs/src/protocol/';
const { RecordBatch } = require(`${SRC}recordBatch/v0`) as { RecordBatch(o: Record<string, unknown>): Promise<{ buffer: Buffer }> };
const Record = require(`${SRC}recordBatch/record/v0`) as (o: Record<string, unknown>) => unknown;
const Decoder = require(`${SRC}decoder`) as new (b: Buffer) => KafkaDecoder;
const kafkajsDecoder = require(`${SRC}recordBatch/v0/decoder`) as BatchDecoder;

registerCodecs();

/** Attributes sit 21 bytes into a batch (offset 8, length 4, leader epoch 4, magic 1, CRC 4). */
const ATTRIBUTES_AT = 21;
/** The record count of an uncompressed batch: after the 61-byte header. */
const COUNT_AT = 57;

interface Spec {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Record<string, unknown>;
  timestampDelta?: number;
  offsetDelta: number;
}

function records(n: number, seed = 1): Spec[] {
  let x = seed;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: Spec[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const value = r < 0.05 ? null : Buffer.from(JSON.stringify({ algorithm_name: `algo-${i % 7}`, risk_score: rand(), i }).repeat(1 + (i % 5)));
    const key = r > 0.9 ? null : r > 0.5 ? Buffer.from(`key-${i}`) : Buffer.alloc(0);
    // Deltas of every varlong width up to 7 bytes, negative ones included.
    const timestampDelta = [0, 3 * i, -i, 2 ** 20 + i, -(2 ** 35), 2 ** 47 - 1][i % 6];
    out.push({ key, value, timestampDelta, offsetDelta: i });
  }
  return out;
}

async function batch(specs: Spec[], opts: { compression?: CompressionTypes; firstOffset?: string; firstTimestamp?: number; attributes?: number } = {}): Promise<Buffer> {
  const enc = await RecordBatch({
    compression: opts.compression ?? CompressionTypes.None,
    firstOffset: opts.firstOffset ?? '1234567',
    firstTimestamp: opts.firstTimestamp ?? 1_764_547_200_000,
    maxTimestamp: (opts.firstTimestamp ?? 1_764_547_200_000) + 5000,
    lastOffsetDelta: specs.length - 1,
    records: specs.map((s) => Record({ key: null, value: null, ...s })),
  });
  const buf = Buffer.from(enc.buffer);
  if (opts.attributes) buf.writeInt16BE(buf.readInt16BE(ATTRIBUTES_AT) | opts.attributes, ATTRIBUTES_AT);
  return buf;
}

/** Buffers as hex, own keys in order (an own `__proto__` included), anything else as it is. */
function canon(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { hex: v.toString('hex') };
  if (Array.isArray(v)) return v.map(canon);
  if (v === Object.prototype) return '<Object.prototype>';
  if (typeof v === 'function') return `<function ${v.name}>`;
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, canon(x)]);
  return v;
}

async function outcome(decode: BatchDecoder, buf: Buffer, batches = 1): Promise<unknown> {
  const d = new Decoder(buf);
  const out: unknown[] = [];
  try {
    for (let i = 0; i < batches; i++) out.push(await decode(d));
  } catch (err) {
    out.push({ error: (err as Error).name, message: (err as Error).message });
  }
  out.push({ offset: d.offset });
  return canon(out);
}

/** Decodes with both; returns how many times the fast decoder handed a batch to kafkajs's. */
async function compare(buf: Buffer, batches = 1): Promise<number> {
  let fallbacks = 0;
  const fast = createRecordBatchDecoder((d) => {
    fallbacks++;
    return kafkajsDecoder(d);
  });
  const expected = await outcome(kafkajsDecoder, buf, batches);
  const actual = await outcome(fast, buf, batches);
  expect(actual).toEqual(expected);
  return fallbacks;
}

describe('record batch decoder = kafkajs 2.2.4 record batch decoder', () => {
  it('is written against the kafkajs version installed', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(KAFKAJS_VERSION);
  });

  it.each([
    ['none', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
  ])('decodes %s batches itself, to the same records', async (_name, compression) => {
    const buf = await batch(records(300), { compression });
    expect(await compare(buf)).toBe(0);
    const decoded = (await createRecordBatchDecoder(kafkajsDecoder)(new Decoder(buf))) as { records: Array<{ offset: string; value: Buffer | null }> };
    expect(decoded.records).toHaveLength(300);
    expect(decoded.records[299].offset).toBe(String(1234567 + 299));
  });

  it('decodes headers as kafkajs does: repeated keys, __proto__, toString', async () => {
    const headers = JSON.parse('{"__proto__": "p", "toString": "t", "trace": "a", "x": "1"}') as Record<string, unknown>;
    headers.trace = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')];
    const specs = records(20).map((s, i) => (i % 2 ? { ...s, headers } : s));
    for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) expect(await compare(await batch(specs, { compression }))).toBe(0);
  });

  it.each([
    ['log append time', 0x8],
    ['transactional', 0x10],
    ['control', 0x20],
  ])('keeps the batch attributes: %s', async (_name, attributes) => {
    expect(await compare(await batch(records(10), { attributes }))).toBe(0);
  });

  it('decodes batches back to back, ending where kafkajs ends', async () => {
    const bufs = await Promise.all([batch(records(5, 2)), batch(records(7, 3), { compression: CompressionTypes.GZIP, firstOffset: '1234572' }), batch(records(3, 4), { firstOffset: '1234579' })]);
    expect(await compare(Buffer.concat(bufs), 3)).toBe(0);
  });

  it('hands kafkajs the batches whose numbers a double cannot hold exactly', async () => {
    expect(await compare(await batch(records(4), { firstOffset: String(2n ** 60n) }))).toBe(1);
    expect(await compare(await batch([{ offsetDelta: 0, value: Buffer.from('v'), timestampDelta: 2 ** 50 }]))).toBe(1);
    expect(await compare(await batch(records(4), { firstTimestamp: 2 ** 53 }))).toBe(1);
  });

  it('hands kafkajs the batches it cannot read to the byte, with the same outcome', async () => {
    const good = await batch(records(6));
    // The first record one byte longer than it is: its fields end before its length says.
    const longer = Buffer.from(good);
    longer[61] += 2; // zigzag: +1 byte
    expect(await compare(longer)).toBe(1);
    // A record count beyond the records there are, and a negative one.
    const more = Buffer.from(good);
    more.writeInt32BE(9, COUNT_AT);
    expect(await compare(more)).toBe(1);
    const negative = Buffer.from(good);
    negative.writeInt32BE(-3, COUNT_AT);
    await compare(negative);
  });

  it('treats a null record array and empty compressed batches as kafkajs does', async () => {
    const good = await batch(records(3));
    const nullArray = Buffer.from(good);
    nullArray.writeInt32BE(-1, COUNT_AT);
    expect(await compare(nullArray)).toBe(0);
    expect(await compare(await batch([], { compression: CompressionTypes.GZIP }))).toBe(0);
  });

  it('throws kafkajs partial-message error for a batch cut short', async () => {
    const good = await batch(records(50));
    const cut = good.subarray(0, good.length - 100);
    await compare(cut);
    await expect(createRecordBatchDecoder(kafkajsDecoder)(new Decoder(cut))).rejects.toMatchObject({ name: 'KafkaJSPartialMessageError' });
  });

  it('installs itself in place of kafkajs decoder, once', () => {
    expect(installRecordBatchDecoder()).toBe('installed');
    expect(installRecordBatchDecoder()).toBe('already');
    const installed = require(`${SRC}recordBatch/v0/decoder`) as BatchDecoder & { fast?: boolean };
    expect(installed).not.toBe(kafkajsDecoder);
    expect(installed.fast).toBe(true);
  });
});
