import { datagramLines, parseLine } from '../harness/dogstatsdGrammar';

const N200 = 'a' + 'b'.repeat(199);
const T200 = 'k:' + 'v'.repeat(198);

describe('DogStatsD grammar (test oracle): accepted lines', () => {
  it.each([
    ['algorithmia.duration_milliseconds:8|d|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli', { name: 'algorithmia.duration_milliseconds', values: [8], type: 'd', tags: ['algorithm_name:credit_card_approval', 'algorithm_version:1.0.6', 'algorithm_owner:asli'] }],
    ['a:1|c', { name: 'a', values: [1], type: 'c', tags: [] }],
    ['a.b_c:-0.5|g', { name: 'a.b_c', values: [-0.5], type: 'g' }],
    ['a:1e+21|g', { values: [1e21] }],
    ['a:1.2345678901234568e+29|d', { values: [1.2345678901234568e29] }],
    ['a:5e-324|d', { values: [5e-324] }],
    ['a:.5|h', { values: [0.5], type: 'h' }],
    ['a:1.|ms', { values: [1], type: 'ms' }],
    ['a:1|s', { type: 's' }],
    ['a:1:2:3.5|d|#x:y', { values: [1, 2, 3.5], tags: ['x:y'] }],
    ['a:1|c|@0.5|#t', { sampleRate: 0.5, tags: ['t'] }],
    ['a:1|g|#t|T1700000000', { timestamp: 1700000000 }],
    ['a:1|g|T1700000000|#t', { timestamp: 1700000000, tags: ['t'] }],
    ['a:1|d|#t|c:ci-1234', { container: 'ci-1234' }],
    ['a:1|d|#t|card:low', { cardinality: 'low' }],
    ['a:1|d|e:it-false,cn-x', { externalData: 'it-false,cn-x' }],
    [`${N200}:1|d`, { name: N200 }],
    [`a:1|d|#${T200}`, { tags: [T200] }],
    [`a:1|d|#k:${'é'.repeat(198)}`, { tags: [`k:${'é'.repeat(198)}`] }],
    ['a:1|d|#algorithm_name:日本語,version:1.0-rc/2', { tags: ['algorithm_name:日本語', 'version:1.0-rc/2'] }],
    ['a:1|d|#a:b:c,::', { tags: ['a:b:c', '::'] }],
    ['datadog.dogstatsd.client.bytes_sent:1234|c|#client:nodejs,client_version:17.1.1,client_transport:uds', { name: 'datadog.dogstatsd.client.bytes_sent' }],
  ])('%j', (line, expected) => {
    const r = parseLine(line);
    if (!r.ok) throw new Error(r.error);
    expect(r.line).toMatchObject({ kind: 'metric', ...expected });
  });

  it.each([
    ['_sc|algorithmia.can_connect|0|#topic:insights,consumer_group:g', { name: 'algorithmia.can_connect', status: 0, tags: ['topic:insights', 'consumer_group:g'] }],
    ['_sc|algorithmia.can_connect|2|#topic:t|m:Kafka unavailable: connect ECONNREFUSED 127.0.0.1:9092', { status: 2, message: 'Kafka unavailable: connect ECONNREFUSED 127.0.0.1:9092' }],
    ['_sc|x|3|d:1700000000|h:host-1|#a|m:', { status: 3, timestamp: 1700000000, hostname: 'host-1', message: '' }],
    ['_sc|x|1', { status: 1, tags: [] }],
  ])('%j', (line, expected) => {
    const r = parseLine(line);
    if (!r.ok) throw new Error(r.error);
    expect(r.line).toMatchObject({ kind: 'service_check', ...expected });
  });
});

describe('DogStatsD grammar (test oracle): rejected lines', () => {
  it.each([
    // injection and framing
    ['a:1|d|#x:y\nb:2|c', /control character/],
    ['a:1|d|#x:y\rb:2|c', /control character/],
    ['a:1|d|#x\u0000y', /control character/],
    ['a:1|d|#x:y|#z', /tags field twice/],
    ['a:1|d|#x:y|b:2|c', /unknown field/],
    ['', /empty line/],
    ['_e{5,4}:title|text', /unexpected event/],
    // names
    ['1a:1|d', /invalid name/],
    ['_a:1|d', /invalid name/],
    ['a b:1|d', /invalid name/],
    ['a-b:1|d', /invalid name/],
    ['a|b:1|d', /no value|invalid/],
    ['é:1|d', /invalid name/],
    [`a${'b'.repeat(200)}:1|d`, /longer than 200/],
    [':1|d', /empty name/],
    // values
    ['a:NaN|d', /invalid value/],
    ['a:nan|d', /invalid value/],
    ['a:Infinity|d', /invalid value/],
    ['a:-Infinity|g', /invalid value/],
    ['a:1e400|g', /invalid value/],
    ['a:0x10|g', /invalid value/],
    ['a:|g', /invalid value/],
    ['a:1:|d', /invalid value/],
    ['a:1 |d', /invalid value/],
    ['a:true|g', /invalid value/],
    ['a|d', /no value/],
    ['a:1', /no type/],
    // types and fields
    ['a:1|x', /invalid type/],
    ['a:1|undefined|#t', /invalid type/],
    ['a:1|D', /invalid type/],
    ['a:1|d|', /empty field/],
    ['a:1||d', /empty field/],
    ['a:1|d|@2', /sample rate/],
    ['a:1|d|@0', /sample rate/],
    ['a:1|g|Tabc', /invalid timestamp/],
    ['a:1|g|card:extreme', /invalid cardinality/],
    // tags
    ['a:1|d|#', /empty tags field/],
    ['a:1|d|#x,,y', /empty tag/],
    ['a:1|d|#x,', /empty tag/],
    ['a:1|d|#,x', /empty tag/],
    ['a:1|d|#x y', /whitespace/],
    ['a:1|d|#x\u00a0y', /whitespace/],
    ['a:1|d|#x\u2028y', /whitespace/],
    ['a:1|d|#x\ty', /control character/],
    ['a:1|d|#x#y', /'\|', ','/],
    ['a:1|d|#x\u0085y', /control character/],
    [`a:1|d|#k:${'v'.repeat(199)}`, /tag longer than 200/],
    [`a:1|d|#k:${'é'.repeat(199)}`, /tag longer than 200/],
    // service checks
    ['_sc|algorithmia.can_connect|4', /status/],
    ['_sc|algorithmia.can_connect|ok', /status/],
    ['_sc|algorithmia.can_connect', /without status/],
    ['_sc|1bad|0', /invalid name/],
    ['_sc|x|0|m:hello|#tag', /after the service check message/],
    ['_sc|x|0|m:a|b', /after the service check message/],
    ['_sc|x|0|#a b', /whitespace/],
    ['_sc|x|0|#', /empty tags field/],
    ['_sc|x|0||#a', /empty field/],
    ['_sc|x|0|z:1', /unknown service check field/],
    ['_sc|x|0|m:multi\nline', /control character/],
  ])('%j', (line, error) => {
    const r = parseLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});

describe('datagramLines', () => {
  it('splits on newlines and allows one trailing newline', () => {
    expect(datagramLines('a:1|c\nb:2|c\n')).toEqual({ lines: ['a:1|c', 'b:2|c'] });
    expect(datagramLines('a:1|c')).toEqual({ lines: ['a:1|c'] });
  });
  it('reports an empty line in the middle', () => {
    expect(datagramLines('a:1|c\n\nb:2|c').error).toMatch(/empty line/);
    expect(datagramLines('').error).toMatch(/empty line/);
  });
});
