import { DatagramPacker } from '../../src/sink/datagramPacker';
import { formatLine, formatServiceCheck, formatValue } from '../../src/sink/lineFormat';
import { SeriesPacker } from '../../src/sink/seriesPacker';

describe('formatLine', () => {
  it.each([
    [['m', 1, 'distribution', 'a:b', undefined], 'm:1|d|#a:b'],
    [['m', 0.25, 'gauge', '', undefined], 'm:0.25|g'],
    [['m', 3, 'count', 'a:b', 1700000000], 'm:3|c|#a:b|T1700000000'],
    [['m', 2, 'histogram', 'x:y,z:w', undefined], 'm:2|h|#x:y,z:w'],
  ] as const)('%j', (args, expected) => {
    expect(formatLine(...(args as unknown as Parameters<typeof formatLine>))).toBe(expected);
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [7, '7'],
    [-2000, '-2000'],
    [0.2, '0.2'],
    [-0.5, '-0.5'],
    [0.000001, '0.000001'],
    [123.456789, '123.456789'],
    [0.1 + 0.2, '0.30000000000000004'], // more than six decimals: the shortest round trip
    [1.5e-7, '1.5e-7'],
    [1e21, '1e+21'],
    [8999999999.999998, String(8999999999.999998)],
    [Number.MAX_VALUE, String(Number.MAX_VALUE)],
  ])('%p -> %s', (x, expected) => {
    expect(formatValue(x)).toBe(expected);
  });

  // Deterministic PRNG (mulberry32): numbers of every magnitude and decimal count.
  let seed = 20261125;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const samples: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const magnitude = 10 ** Math.floor(rand() * 24 - 10);
    const decimals = Math.floor(rand() * 9);
    const raw = (rand() - 0.5) * magnitude;
    samples.push(i % 2 === 0 ? raw : Math.round(raw * 10 ** decimals) / 10 ** decimals);
  }

  it('parses back to exactly the same double, in a grammar DogStatsD parses', () => {
    const bad = samples.filter((x) => {
      const text = formatValue(x);
      return Number(text) !== x || !/^-?\d+(\.\d+)?(e[+-]\d+)?$/.test(text);
    });
    expect(bad).toEqual([]);
  });

  it('is as short as the shortest round trip for values of up to six decimals', () => {
    const longer = samples.filter((x) => Math.abs(x) < 1e9 && Math.abs(x) >= 1e-6 && formatValue(x).length > String(x).length);
    expect(longer).toEqual([]);
  });
});

describe('formatServiceCheck', () => {
  it('puts the message last and keeps it on one line', () => {
    expect(formatServiceCheck('algorithmia.can_connect', 2, 'topic:t', 'broken\nline|m:x')).toBe('_sc|algorithmia.can_connect|2|#topic:t|m:broken line m_x');
    expect(formatServiceCheck('algorithmia.can_connect', 0, 'topic:t')).toBe('_sc|algorithmia.can_connect|0|#topic:t');
  });
});

/** Datagrams as text (the packer hands out bytes). */
const texts = (datagrams: readonly Buffer[]) => datagrams.map((d) => d.toString('utf8'));

describe('DatagramPacker', () => {
  it('packs lines into datagrams no larger than the limit', () => {
    const p = new DatagramPacker(20);
    for (const l of ['aaaaa', 'bbbbb', 'ccccc', 'ddddd']) expect(p.add(l)).toBe(true);
    const d = texts(p.take());
    expect(d).toEqual(['aaaaa\nbbbbb\nccccc', 'ddddd']);
    for (const x of d) expect(Buffer.byteLength(x)).toBeLessThanOrEqual(20);
  });

  it('refuses a line that cannot fit alone, counting bytes not characters', () => {
    const p = new DatagramPacker(10);
    expect(p.add('ü'.repeat(6))).toBe(false); // 12 bytes
    expect(p.add('ü'.repeat(5))).toBe(true); // 10 bytes
    expect(texts(p.take())).toEqual(['ü'.repeat(5)]);
    expect(p.take()).toEqual([]);
  });

  it('appends the origin-detection suffix to every line', () => {
    const p = new DatagramPacker(100, '|c:abc');
    p.add('m:1|d');
    p.add('n:1|d');
    expect(texts(p.take())).toEqual(['m:1|d|c:abc\nn:1|d|c:abc']);
  });

  it('hands out the datagrams back to back from the start of a buffer of their own, and starts a new one', () => {
    const p = new DatagramPacker(12);
    for (let i = 0; i < 50; i++) p.add(`m:${i}|d`); // more than the first buffer holds
    const first = p.take();
    expect(first.length).toBeGreaterThan(10);
    const buffer = first[0].buffer;
    let pos = 0;
    for (const d of first) {
      expect(d.buffer).toBe(buffer);
      expect(d.byteOffset).toBe(pos);
      pos += d.length;
    }
    expect(texts(first).join('\n').split('\n')).toEqual(Array.from({ length: 50 }, (_, i) => `m:${i}|d`));
    // a transfer may detach the old buffer: the next datagrams live in a new one
    p.add('n:1|d');
    const second = p.take();
    expect(second[0].buffer).not.toBe(buffer);
    expect(texts(first)[0]).toBe('m:0|d\nm:1|d');
  });

  it('reuses a buffer given back once its datagrams were sent, and only one big enough', () => {
    const p = new DatagramPacker(12);
    for (let i = 0; i < 50; i++) p.add(`m:${i}|d`);
    const sent = p.take()[0].buffer as ArrayBuffer;
    p.recycle(new ArrayBuffer(8)); // too small for a chunk: ignored
    p.recycle(sent);
    p.add('x:1|d');
    p.take(); // was written in the buffer made at the first take
    p.add('y:2|d');
    const reused = p.take();
    expect(reused[0].buffer).toBe(sent);
    expect(texts(reused)).toEqual(['y:2|d']);
  });
});

describe('SeriesPacker (DogStatsD 1.1 value packing)', () => {
  /** Drains into a packer of `max`-byte datagrams; the lines, without the suffix. */
  const drain = (p: SeriesPacker, max: number, suffix = '') => {
    const packer = new DatagramPacker(max, suffix);
    const refused = p.drain(packer);
    const datagrams = texts(packer.take());
    for (const d of datagrams) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(max);
    const lines = datagrams.flatMap((d) => d.split('\n')).map((l) => {
      expect(l.endsWith(suffix)).toBe(true);
      return l.slice(0, l.length - suffix.length);
    });
    return { lines, refused };
  };

  it('packs the values of one series into one line, keeping series apart', () => {
    const p = new SeriesPacker();
    p.add('a', 1, 'distribution', 't:1');
    p.add('b', 2, 'distribution', 't:1');
    p.add('a', 3, 'distribution', 't:1');
    p.add('a', 4, 'distribution', 't:2');
    p.add('a', 5, 'gauge', 't:1');
    expect(p.values).toBe(5);
    expect(drain(p, 1000).lines).toEqual(['a:1:3|d|#t:1', 'b:2|d|#t:1', 'a:5|g|#t:1', 'a:4|d|#t:2']);
    expect(p.values).toBe(0);
    expect(drain(p, 1000).lines).toEqual([]);
  });

  it('splits a long series into lines that fit, never losing a value', () => {
    const p = new SeriesPacker();
    for (let i = 0; i < 100; i++) p.add('metric', 1000 + i, 'distribution', 'k:v');
    const { lines, refused } = drain(p, 60, '|c:abc');
    expect(refused).toBe(0);
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(Buffer.byteLength(l) + 6).toBeLessThanOrEqual(60);
    // greedy: every line but the last had no room for one more value (':10xx', 5 bytes)
    for (const l of lines.slice(0, -1)) expect(Buffer.byteLength(l) + 6 + 5).toBeGreaterThan(60);
    const values = lines.flatMap((l) => l.slice('metric:'.length, l.indexOf('|')).split(':').map(Number));
    expect(values).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
  });

  it('writes non-ASCII names and tags as UTF-8, beside ASCII lines in one datagram', () => {
    const p = new SeriesPacker();
    p.add('m', 0.5, 'distribution', 'a:b');
    p.add('n', 1, 'gauge', 'owner:müller,algo:日本');
    p.add('é', 2, 'count', '');
    expect(drain(p, 1000).lines).toEqual(['m:0.5|d|#a:b', 'n:1|g|#owner:müller,algo:日本', 'é:2|c']);
  });

  it('reports values whose line cannot fit even alone', () => {
    const p = new SeriesPacker();
    p.add('m', 1, 'distribution', 'x'.repeat(100));
    p.add('m', 2, 'distribution', 'x'.repeat(100));
    p.add('n', 3, 'distribution', 'y');
    expect(drain(p, 50)).toEqual({ lines: ['n:3|d|#y'], refused: 2 });
  });
});
