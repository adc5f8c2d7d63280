/**
 * The fast byte scanner against JSON.parse: whatever the scanner returns must be exactly what
 * the JSON.parse path gives (it may give up, never differ). Tables of cases, exact numbers, a
 * seeded mutation fuzz, the key table filling up, and whole chunks encoded both ways.
 */
import { decodeMessage } from '../../src/decode/decodeMessage';
import { emptyMessageFields, fieldsOfRecord, type MessageFields } from '../../src/decode/messageFields';
import { MessageScanner, type ScanOptions } from '../../src/decode/scanMessage';
import { createChunkEncoder, type EncoderSetup } from '../../src/encode/chunkEncoder';
import { InsightsGenerator } from '../../scripts/insightsGenerator';
import { generateHostileCorpus, mulberry32 } from '../harness/hostileCorpus';

const ALL: ScanOptions = { requestId: true, sessionId: true, time: true };

/** A MessageFields, with its reused arrays cut to this message's fields. */
type Snapshot = Omit<MessageFields, 'count' | 'keys' | 'kinds' | 'numbers' | 'nonFinite'> & {
  nonFinite: string[] | undefined;
  fields: Array<[string, number, number]>;
};

function snapshot(f: MessageFields): Snapshot {
  const fields: Array<[string, number, number]> = [];
  for (let k = 0; k < f.count; k++) fields.push([f.keys[k], f.kinds[k], f.numbers[k]]);
  return {
    algorithmName: f.algorithmName,
    version: f.version,
    owner: f.owner,
    requestId: f.requestId,
    sessionId: f.sessionId,
    time: f.time,
    nonFinite: f.nonFinite ? [...f.nonFinite].sort() : undefined,
    fields,
  };
}

/** What the JSON.parse path makes of the bytes; undefined when it rejects the message. */
function reference(bytes: Buffer): Snapshot | undefined {
  const decoded = decodeMessage(bytes, Number.MAX_SAFE_INTEGER);
  return decoded.ok ? snapshot(fieldsOfRecord(decoded.record, decoded.nonFinite, emptyMessageFields())) : undefined;
}

function scan(scanner: MessageScanner, bytes: Buffer): Snapshot | undefined {
  const f = scanner.scan(bytes, 0, bytes.length);
  return f ? snapshot(f) : undefined;
}

/** Object.is on numbers (toEqual treats 0 and -0 alike): the exact double, sign of zero included. */
function expectSame(actual: Snapshot, expected: Snapshot | undefined, text: string): void {
  if (expected === undefined) throw new Error(`the scanner accepted what JSON.parse rejects: ${text}`);
  expect(actual).toEqual(expected);
  actual.fields.forEach(([, , n], k) => {
    if (!Object.is(n, expected.fields[k][2])) throw new Error(`value ${k} of ${text}: ${n} != ${expected.fields[k][2]}`);
  });
}

const buf = (s: string) => Buffer.from(s, 'utf8');
const SAMPLE =
  '{\n  "risk_score": 0.2,\n  "duration_milliseconds": 8,\n  "algorithm_version": "1.0.6",\n  "session_id": "rses-f28bb94a-5556-4aeb-a6d2-89493626bf4f",\n  "time": "2021-02-20T00:21:54.867231",\n  "algorithm_name": "credit_card_approval",\n  "request_id": "req-9f5345b4-a1cd-431c-a43a-bd2a06f4a6f4",\n  "algorithm_owner": "asli"\n}';

describe('MessageScanner', () => {
  it.each([
    ['the Insights sample message', SAMPLE],
    ['booleans, null and a string as values', '{"algorithm_name":"a","t":true,"f":false,"n":null,"s":"text","x":-1.5e3}'],
    ['non-string operational values', '{"algorithm_name":"a","algorithm_version":2.5,"algorithm_owner":null,"request_id":7,"time":false}'],
    ['escapes and UTF-8 in a skipped string', '{"algorithm_name":"a","note":"tab\\t quote\\" \\u00e9 ü","x":1}'],
    ['whitespace everywhere', ' \t\r\n{ "algorithm_name" : "a" , "x" : 1 } \n'],
    ['an empty key and __proto__', '{"algorithm_name":"a","":1,"__proto__":2}'],
    ['the timestamp field, ignored', '{"algorithm_name":"a","timestamp":"whatever","x":1}'],
  ])('takes the fast path on %s, with the result of JSON.parse', (_id, text) => {
    const got = scan(new MessageScanner(ALL), buf(text));
    expect(got).toBeDefined();
    expectSame(got as Snapshot, reference(buf(text)), text);
  });

  it.each([
    ['a repeated key', '{"algorithm_name":"a","x":1,"x":"s"}'],
    ['a repeated operational key', '{"algorithm_name":"a","algorithm_name":"b","x":1}'],
    ['an integer-like key (listed first by JSON.parse)', '{"algorithm_name":"a","x":1,"7":2}'],
    ['a nested object', '{"algorithm_name":"a","x":{"y":1}}'],
    ['an array', '{"algorithm_name":"a","x":[1]}'],
    ['an escaped key', '{"algorithm_name":"a","\\u0078":1}'],
    ['a non-ASCII key', '{"algorithm_name":"a","é":1}'],
    ['an escaped algorithm name', '{"algorithm_name":"a\\u0062","x":1}'],
    ['a non-ASCII algorithm name', '{"algorithm_name":"ü","x":1}'],
    ['a NaN token', '{"algorithm_name":"a","x":NaN}'],
    ['a byte order mark', '\ufeff{"algorithm_name":"a","x":1}'],
    ['no algorithm_name', '{"x":1}'],
    ['an empty algorithm_name', '{"algorithm_name":"","x":1}'],
    ['a numeric algorithm_name', '{"algorithm_name":5}'],
    ['an empty object', '{}'],
    ['an array message', '[1,2]'],
    ['trailing text', '{"algorithm_name":"a"} x'],
    ['two objects', '{"algorithm_name":"a"}{}'],
    ['a trailing comma', '{"algorithm_name":"a","x":1,}'],
    ['a leading zero', '{"algorithm_name":"a","x":01}'],
    ['a bare dot', '{"algorithm_name":"a","x":1.}'],
    ['an exponent without digits', '{"algorithm_name":"a","x":1e}'],
    ['a plus sign', '{"algorithm_name":"a","x":+1}'],
    ['a raw control character', '{"algorithm_name":"a","s":"a\u0001b"}'],
    ['a bad escape', '{"algorithm_name":"a","s":"\\x41"}'],
    ['a short \\u escape', '{"algorithm_name":"a","s":"\\u12"}'],
    ['a truncated literal', '{"algorithm_name":"a","x":tru}'],
    ['a truncated message', '{"algorithm_name":"a","x":1'],
    ['single quotes', "{'algorithm_name':'a'}"],
  ])('gives up on %s (JSON.parse decides)', (_id, text) => {
    expect(scan(new MessageScanner(ALL), buf(text))).toBeUndefined();
  });

  it('reads every number exactly as JSON.parse does', () => {
    const rand = mulberry32(99);
    const texts = [
      '0', '-0', '0.0', '-0.0', '0e5', '1', '-1', '1e400', '-1e400', '1e-400', '5e-324', '4.9e-324',
      '2.2250738585072014e-308', '1.7976931348623157e308', '9007199254740991', '9007199254740993',
      '123456789012345678901234567890', '0.1e1', '1E+2', '1e-22', '1e22', '1e23', '3.0000000000000004',
      '0.30000000000000004', '100000000000000000000000.5', '0.000001', '12.5e-3', '1e00000000000000000001',
    ];
    for (let k = 0; k < 3000; k++) {
      const x = (rand() - 0.5) * Math.pow(10, Math.floor(rand() * 40) - 20);
      const digits = Math.floor(rand() * 17);
      texts.push(String(x), x.toFixed(Math.min(digits, 20)), x.toExponential(digits), x.toPrecision(1 + digits), String(Math.floor(rand() * 1e6) / 1e6));
    }
    const scanner = new MessageScanner(ALL);
    let checked = 0;
    for (const t of texts) {
      const text = `{"algorithm_name":"a","v":${t}}`;
      let expected: number;
      try {
        expected = (JSON.parse(text) as { v: number }).v;
      } catch {
        expect(scanner.scan(buf(text), 0, text.length)).toBeUndefined(); // e.g. toFixed's "1e+21"
        continue;
      }
      const got = scanner.scan(buf(text), 0, text.length);
      if (!got || !Object.is(got.numbers[0], expected)) throw new Error(`${t}: got ${got?.numbers[0]}, JSON.parse ${expected}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(14_000);
  });

  it('never differs from JSON.parse on 30,000 mutated messages (seeded)', () => {
    const rand = mulberry32(20261125);
    const gen = new InsightsGenerator({ seed: 3 });
    const bases: Buffer[] = [buf(SAMPLE)];
    for (let k = 0; k < 100; k++) bases.push(gen.next());
    for (const m of generateHostileCorpus({ seed: 5, size: 300 }).messages) if (m.value && m.value.length < 4096) bases.push(m.value);
    const alphabet = Buffer.from('{}[]":,\\ \t\n0123456789-+.eEtrufalsnx_é\u0000');
    const scanner = new MessageScanner(ALL);
    let accepted = 0;
    let gaveUp = 0;
    for (let k = 0; k < 30_000; k++) {
      let bytes = Buffer.from(bases[Math.floor(rand() * bases.length)]);
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (bytes.length + 1));
        const byte = alphabet[Math.floor(rand() * alphabet.length)];
        const op = Math.floor(rand() * 4);
        if (op === 0) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        else if (op === 1) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
        else if (op === 2 && at < bytes.length) bytes[at] = byte;
        else {
          // repeat a slice: repeated keys, doubled separators
          const len = Math.floor(rand() * 24);
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + len), bytes.subarray(at)]);
        }
      }
      const got = scan(scanner, bytes);
      if (got === undefined) gaveUp++;
      else {
        accepted++;
        expectSame(got, reference(bytes), bytes.toString('latin1'));
      }
    }
    // both sides of the comparison were exercised
    expect(accepted).toBeGreaterThan(5_000);
    expect(gaveUp).toBeGreaterThan(5_000);
  });

  it('still catches repeated keys when its key table fills up and starts over', () => {
    const scanner = new MessageScanner(ALL);
    let accepted = 0;
    for (let m = 0; m < 300; m++) {
      const fields = Array.from({ length: 100 }, (_, k) => `"k${m}_${k}":${k}`);
      // the repeated key comes after a hundred new ones: some messages cross the table's limit
      const text = `{"algorithm_name":"a","dup":1,${fields.join(',')},"dup":"s"}`;
      expect(scan(scanner, buf(text))).toBeUndefined();
      const clean = `{"algorithm_name":"a",${fields.join(',')}}`;
      const got = scan(scanner, buf(clean));
      if (got) {
        accepted++;
        expectSame(got, reference(buf(clean)), clean);
      }
    }
    expect(accepted).toBeGreaterThan(250);
  });

  it('never predicts a key of a cleared key table (its repeat marks are stale)', () => {
    const scanner = new MessageScanner(ALL);
    const a = '{"algorithm_name":"a","x":1,"y":2}';
    expect(scan(scanner, buf(a))).toBeDefined(); // remembers the keys of "a" in order
    // another algorithm fills the key table past its limit: the table starts over
    for (let m = 0; m < 25; m++) {
      const fields = Array.from({ length: 1000 }, (_, k) => `"f${m}_${k}":1`);
      scan(scanner, buf(`{"algorithm_name":"filler",${fields.join(',')}}`));
    }
    // the keys of "a" come again, then one of them repeats: JSON.parse keeps only the last x
    const repeated = '{"algorithm_name":"a","x":1,"y":2,"x":3}';
    expect(scan(scanner, buf(repeated))).toBeUndefined();
    expectSame(scan(scanner, buf(a)) as Snapshot, reference(buf(a)), a);
  });

  it('returns request_id, session_id and time only when asked to', () => {
    const got = scan(new MessageScanner({ requestId: false, sessionId: false, time: true }), buf(SAMPLE)) as Snapshot;
    expect([got.requestId, got.sessionId, got.time]).toEqual([undefined, undefined, '2021-02-20T00:21:54.867231']);
  });

  it('reads a message inside a larger buffer without looking past its end', () => {
    const text = '{"algorithm_name":"a","x":12';
    const bytes = buf(text + '3}');
    // the message ends where the buffer says, even if the bytes after it would complete it
    expect(new MessageScanner(ALL).scan(bytes, 0, text.length)).toBeUndefined();
    expect(new MessageScanner(ALL).scan(bytes, 0, bytes.length)?.numbers[0]).toBe(123);
  });
});

describe('ChunkEncoder with and without the scanner', () => {
  const setup = (fastDecode: boolean, useMessageTime: boolean): EncoderSetup => ({
    mapping: {
      prefix: 'algorithmia.',
      defaultType: 'distribution',
      types: { risk_count: 'count', gauge_x: 'gauge' },
      tagRequestId: true,
      tagSessionId: false,
      useMessageTime,
      allow: [],
      deny: ['^debug_'],
      staticTags: ['env:test'],
      maxAgeSeconds: 3600,
    },
    limits: { maxAlgorithms: 50, maxNamesPerAlgorithm: 30, maxVersionsPerAlgorithm: 5, windowMs: 3_600_000 },
    encoder: { maxMessageBytes: 256 * 1024, maxDatagramBytes: 1432, lineSuffix: '', packValues: true, fastDecode },
  });

  it.each([true, false])('gives the same chunks on the hostile corpus and generated traffic (message time %s)', (useMessageTime) => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const values = generateHostileCorpus({ seed: 20261125, size: 1500 }).messages.map((m) => m.value);
    const gen = new InsightsGenerator({ seed: 11, baseTimeMs: now - 60_000 });
    for (let k = 0; k < 1500; k++) values.push(gen.next());
    const fast = createChunkEncoder(setup(true, useMessageTime));
    const slow = createChunkEncoder(setup(false, useMessageTime));
    let datagrams = 0;
    for (let start = 0; start < values.length; start += 250) {
      const chunk = values.slice(start, start + 250);
      const lengths = Int32Array.from(chunk, (v) => (v === null ? -1 : v.length));
      const packed = Buffer.concat(chunk.filter((v): v is Buffer => v !== null));
      const expected = slow.encode(chunk, now);
      expect(fast.encodePacked(packed, lengths, now)).toEqual(expected);
      datagrams += expected.datagrams.length;
    }
    expect(datagrams).toBeGreaterThan(100);
  });
});
