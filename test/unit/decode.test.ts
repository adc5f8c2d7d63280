import { decodeMessage, NON_FINITE_MARKER, replaceNonFiniteTokens } from '../../src/decode/decodeMessage';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('decodeMessage', () => {
  const rejected: Array<[string, Buffer | null, string]> = [
    ['null value (tombstone)', null, 'invalid_json'],
    ['empty value', Buffer.alloc(0), 'invalid_json'],
    ['not JSON', buf('hello'), 'invalid_json'],
    ['truncated JSON', buf('{"algorithm_name":"a","x":'), 'invalid_json'],
    ['invalid bytes', Buffer.from([0xff, 0xfe, 0x00]), 'invalid_json'],
    ['JSON array', buf('[1,2]'), 'not_object'],
    ['JSON string', buf('"x"'), 'not_object'],
    ['JSON null', buf('null'), 'not_object'],
    ['JSON number', buf('42'), 'not_object'],
    ['no algorithm_name', buf('{"duration_milliseconds":1}'), 'missing_field'],
    ['empty algorithm_name', buf('{"algorithm_name":""}'), 'missing_field'],
    ['numeric algorithm_name', buf('{"algorithm_name":5}'), 'missing_field'],
    ['too large', buf(JSON.stringify({ algorithm_name: 'a', pad: 'x'.repeat(200) })), 'too_large'],
  ];
  it.each(rejected)('rejects %s', (_id, value, reason) => {
    const r = decodeMessage(value, 100);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('accepts a message exactly at the size limit', () => {
    const text = JSON.stringify({ algorithm_name: 'a' });
    expect(decodeMessage(buf(text), text.length).ok).toBe(true);
  });

  it('decodes invalid UTF-8 inside strings as U+FFFD and keeps the message', () => {
    const bytes = Buffer.concat([buf('{"algorithm_name":"a'), Buffer.from([0xc3, 0x28]), buf('","x":1}')]);
    const r = decodeMessage(bytes, 1000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.record.algorithm_name).toContain('\ufffd');
      expect(r.record.x).toBe(1);
    }
  });

  it('salvages Python NaN/Infinity tokens as markers, keeping the other values', () => {
    const r = decodeMessage(buf('{"algorithm_name":"a","x":NaN,"y":-Infinity,"z":Infinity,"w":2,"s":"NaN"}'), 1000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.record).toEqual({ algorithm_name: 'a', x: NON_FINITE_MARKER, y: NON_FINITE_MARKER, z: NON_FINITE_MARKER, w: 2, s: 'NaN' });
    }
  });
});

describe('replaceNonFiniteTokens', () => {
  it.each([
    ['{"a":NaN}', `{"a":${JSON.stringify(NON_FINITE_MARKER)}}`],
    ['[Infinity,-Infinity]', `[${JSON.stringify(NON_FINITE_MARKER)},${JSON.stringify(NON_FINITE_MARKER)}]`],
    ['{"NaN":"Infinity \\" NaN"}', undefined],
    ['{"a":NaNx}', undefined],
    ['{"a":xNaN}', undefined],
  ])('%s', (input, expected) => {
    expect(replaceNonFiniteTokens(input)).toBe(expected);
  });
});
