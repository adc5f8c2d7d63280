import { decodeMessage, replaceNonFiniteTokens } from '../../src/decode/decodeMessage';

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

  it('salvages Python NaN/Infinity tokens as null, naming the top-level keys that held one', () => {
    const r = decodeMessage(buf('{"algorithm_name":"a","x":NaN,"y":-Infinity,"z":Infinity,"w":2,"s":"NaN","n":{"deep":NaN}}'), 1000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.record).toEqual({ algorithm_name: 'a', x: null, y: null, z: null, w: 2, s: 'NaN', n: { deep: null } });
      expect([...(r.nonFinite ?? [])].sort()).toEqual(['x', 'y', 'z']);
    }
  });

  it.each([
    ['NaN as the algorithm name', '{"algorithm_name":NaN,"duration_milliseconds":1}', 'missing_field'],
    ['NaN in key position', '{"algorithm_name":"a","duration_milliseconds":1,NaN:1}', 'invalid_json'],
    ['NaN as the whole message', 'NaN', 'not_object'],
  ])('a bare token never becomes a name or key: %s', (_id, text, reason) => {
    const r = decodeMessage(buf(text), 1000);
    expect(r.ok ? 'accepted' : r.reason).toBe(reason);
  });

  it('keeps a NaN version out of the tags (it is null after salvage)', () => {
    const r = decodeMessage(buf('{"algorithm_name":"a","algorithm_version":NaN,"x":1}'), 1000);
    expect(r.ok && r.record.algorithm_version).toBeNull();
  });
});

describe('replaceNonFiniteTokens', () => {
  it.each([
    ['{"a":NaN}', '{"a":null}', ['a']],
    ['{"a":[Infinity,-Infinity],"b":-Infinity}', '{"a":[null,null],"b":null}', ['b']],
    ['{"we\\"ird":NaN}', '{"we\\"ird":null}', ['we"ird']],
    ['{"NaN":"Infinity \\" NaN"}', undefined, []],
    ['{"a":NaNx}', undefined, []],
    ['{"a":xNaN}', undefined, []],
  ])('%s', (input, text, keys) => {
    const r = replaceNonFiniteTokens(input);
    expect(r?.text).toBe(text);
    expect([...(r?.topLevelKeys ?? [])]).toEqual(keys);
  });
});
