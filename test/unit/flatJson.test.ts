/**
 * The decoder's flat-object fast path against JSON.parse, the judge: whatever it accepts must
 * parse to exactly what JSON.parse gives, with each number's source text; everything else must
 * fall through to JSON.parse.
 */
import { InsightsGenerator } from '../../bench/generator';
import { parseFlatJson } from '../../src/decode/flatJson';
import { generateHostileCorpus } from '../harness/hostileCorpus';

function agreesWithJsonParse(text: string): { accepted: boolean; problem?: string } {
  const fast = parseFlatJson(text);
  if (!fast) return { accepted: false };
  let expected: unknown;
  try {
    expected = JSON.parse(text);
  } catch (err) {
    return { accepted: true, problem: `accepted text JSON.parse rejects: ${(err as Error).message}` };
  }
  const a = JSON.stringify(Object.entries(fast.record));
  const b = JSON.stringify(Object.entries(expected as object));
  if (a !== b) return { accepted: true, problem: `differs: ${a.slice(0, 200)} vs ${b.slice(0, 200)}` };
  for (const [k, v] of Object.entries(fast.record)) {
    const t = fast.numberTexts[k];
    if (typeof v === 'number' ? Number(t) !== v && !(Number.isNaN(Number(t)) && Number.isNaN(v)) : t !== undefined) {
      return { accepted: true, problem: `number text of ${k}: ${t} for ${String(v)}` };
    }
  }
  return { accepted: true };
}

describe('parseFlatJson', () => {
  it.each([
    ['{}'],
    [' { "a" : 1 , "b":"x", "c":true, "d":false, "e":null } \n'],
    ['{"algorithm_name":"a","x":-0.5,"y":1e+21,"z":0,"w":-0,"v":1E-7,"big":1e400,"long":0.1000000000000000055511151231257827}'],
    ['{"a":1,"a":"dup","b":"x","b":2}'],
    ['{"":1,"constructor":2,"toString":"s","hasOwnProperty":3}'],
    ['{"ключ":"значение","emoji 😀":1.25}'],
  ])('agrees with JSON.parse on %s', (text) => {
    expect(agreesWithJsonParse(text)).toEqual({ accepted: true });
  });

  it.each([
    ['nested object', '{"a":{"b":1}}'],
    ['array value', '{"a":[1]}'],
    ['escape in a string', '{"a":"x\\"y"}'],
    ['escape in a key', '{"a\\u0041":1}'],
    ['NaN token', '{"a":NaN}'],
    ['__proto__ key', '{"__proto__":1}'],
    ['not an object', '[1,2]'],
    ['trailing garbage', '{"a":1} x'],
    ['trailing comma', '{"a":1,}'],
    ['leading zero', '{"a":01}'],
    ['bare dot', '{"a":1.}'],
    ['plus sign', '{"a":+1}'],
    ['exponent without digits', '{"a":1e}'],
    ['control character in a string', '{"a":"x\ty"}'],
    ['unterminated', '{"a":1'],
    ['single quotes', "{'a':1}"],
    ['truthy prefix', '{"a":trueish}'],
  ])('leaves %s to JSON.parse', (_id, text) => {
    expect(parseFlatJson(text)).toBeUndefined();
  });

  it('never disagrees with JSON.parse on the hostile corpus and on realistic messages', () => {
    const corpus = generateHostileCorpus({ seed: 7, size: 1500 });
    const gen = new InsightsGenerator({ seed: 3 });
    const texts = [
      ...corpus.messages.map((m) => (m.value ? m.value.toString('utf8') : '')),
      ...Array.from({ length: 2000 }, () => JSON.stringify(gen.nextRecord())),
    ];
    let accepted = 0;
    const problems: string[] = [];
    for (const t of texts) {
      const r = agreesWithJsonParse(t);
      if (r.accepted) accepted++;
      if (r.problem) problems.push(r.problem);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(2000); // the fast path does serve the common shape
  });
});
