import { DatagramPacker } from '../../src/sink/datagramPacker';
import { formatLine, formatServiceCheck } from '../../src/sink/lineFormat';

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

describe('formatServiceCheck', () => {
  it('puts the message last and keeps it on one line', () => {
    expect(formatServiceCheck('algorithmia.can_connect', 2, 'topic:t', 'broken\nline|m:x')).toBe('_sc|algorithmia.can_connect|2|#topic:t|m:broken line m_x');
    expect(formatServiceCheck('algorithmia.can_connect', 0, 'topic:t')).toBe('_sc|algorithmia.can_connect|0|#topic:t');
  });
});

describe('DatagramPacker', () => {
  it('packs lines into datagrams no larger than the limit', () => {
    const p = new DatagramPacker(20);
    for (const l of ['aaaaa', 'bbbbb', 'ccccc', 'ddddd']) expect(p.add(l)).toBe(true);
    const d = p.take();
    expect(d).toEqual(['aaaaa\nbbbbb\nccccc', 'ddddd']);
    for (const x of d) expect(Buffer.byteLength(x)).toBeLessThanOrEqual(20);
  });

  it('refuses a line that cannot fit alone, counting bytes not characters', () => {
    const p = new DatagramPacker(10);
    expect(p.add('ü'.repeat(6))).toBe(false); // 12 bytes
    expect(p.add('ü'.repeat(5))).toBe(true); // 10 bytes
    expect(p.take()).toEqual(['ü'.repeat(5)]);
    expect(p.take()).toEqual([]);
  });

  it('appends the origin-detection suffix to every line', () => {
    const p = new DatagramPacker(100, '|c:abc');
    p.add('m:1|d');
    p.add('n:1|d');
    expect(p.take()).toEqual(['m:1|d|c:abc\nn:1|d|c:abc']);
  });
});
