import type { MetricType } from '../../src/config/schema';
import type { InsightsRecord } from '../../src/decode/decodeMessage';
import { CardinalityGuard, CardinalityLimits } from '../../src/map/cardinalityGuard';
import { GuardedTag, Mapper, MappingOptions, PointSink } from '../../src/map/mapRecord';
import type { DropReason } from '../../src/telemetry/catalogue';

interface Captured {
  points: Array<{ name: string; value: number; type: MetricType; tags: string; ts?: number }>;
  drops: Partial<Record<DropReason, number>>;
  overflow: Partial<Record<GuardedTag, number>>;
}

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

function run(
  records: InsightsRecord[],
  opts: Partial<MappingOptions> = {},
  limits: CardinalityLimits = { maxAlgorithms: 1000, maxNamesPerAlgorithm: 50, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 },
  now = NOW,
  nonFinite?: ReadonlySet<string>,
): Captured {
  const mapper = new Mapper(
    {
      prefix: 'algorithmia.',
      defaultType: 'distribution',
      types: {},
      tagRequestId: false,
      tagSessionId: false,
      useMessageTime: false,
      allow: [],
      deny: [],
      staticTags: [],
      maxAgeSeconds: 3600,
      ...opts,
    },
    new CardinalityGuard(limits),
  );
  const out: Captured = { points: [], drops: {}, overflow: {} };
  const sink: PointSink = {
    point: (name, value, type, tags, ts) => out.points.push({ name, value, type, tags, ...(ts !== undefined ? { ts } : {}) }),
    drop: (reason) => (out.drops[reason] = (out.drops[reason] ?? 0) + 1),
    overflow: (tag) => (out.overflow[tag] = (out.overflow[tag] ?? 0) + 1),
  };
  for (const r of records) mapper.map(r, now, sink, nonFinite);
  return out;
}

const SAMPLE: InsightsRecord = {
  risk_score: 0.2,
  duration_milliseconds: 8,
  algorithm_version: '1.0.6',
  session_id: 'rses-f28bb94a-5556-4aeb-a6d2-89493626bf4f',
  time: '2021-02-20T00:21:54.867231',
  algorithm_name: 'credit_card_approval',
  request_id: 'req-9f5345b4-a1cd-431c-a43a-bd2a06f4a6f4',
  algorithm_owner: 'asli',
};
const SAMPLE_TAGS = 'algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli';

describe('Mapper', () => {
  it('maps the reference sample message', () => {
    const out = run([SAMPLE]);
    expect(out.points).toEqual([
      { name: 'algorithmia.risk_score', value: 0.2, type: 'distribution', tags: SAMPLE_TAGS },
      { name: 'algorithmia.duration_milliseconds', value: 8, type: 'distribution', tags: SAMPLE_TAGS },
    ]);
    expect(out.drops).toEqual({});
  });

  type Case = [string, Record<string, unknown>, Partial<MappingOptions>, Array<[string, number]>, Partial<Record<DropReason, number>>];
  const base = { algorithm_name: 'a' };
  const cases: Case[] = [
    ['booleans become 0/1', { ...base, ok: true, bad: false }, {}, [['algorithmia.ok', 1], ['algorithmia.bad', 0]], {}],
    ['strings are not values', { ...base, s: '1.5' }, {}, [], { non_numeric: 1 }],
    ['null and objects are not values', { ...base, n: null, o: { x: 1 }, arr: [1] }, {}, [], { non_numeric: 3 }],
    ['a real NUL-prefixed string is just a string', { ...base, x: '\u0000aik:non-finite' }, {}, [], { non_numeric: 1 }],
    ['fields named like Object members are ordinary fields', { ...base, constructor: 6, toString: 1, hasOwnProperty: 2 }, {}, [['algorithmia.constructor', 6], ['algorithmia.toString', 1], ['algorithmia.hasOwnProperty', 2]], {}],
    ['Infinity (1e400) is non_finite', { ...base, x: Infinity }, {}, [], { non_finite: 1 }],
    ['negative zero becomes 0', { ...base, x: -0 }, {}, [['algorithmia.x', 0]], {}],
    ['large finite numbers pass', { ...base, x: 1.7976931348623157e308 }, {}, [['algorithmia.x', 1.7976931348623157e308]], {}],
    ['names are sanitised', { ...base, 'risk score|x': 1 }, {}, [['algorithmia.risk_score_x', 1]], {}],
    ['unusable names are bad_name', { ...base, '': 1, '!!!': 2, 'a..b': 3 }, {}, [], { bad_name: 3 }],
    ['over-long names are bad_name, never truncated', { ...base, ['m'.repeat(189)]: 1, ['m'.repeat(188)]: 2 }, {}, [['algorithmia.' + 'm'.repeat(188), 2]], { bad_name: 1 }],
    ['our own namespace is reserved', { ...base, 'forwarder.messages.consumed': 1 }, {}, [], { reserved: 1 }],
    ['the drift namespace is reserved', { ...base, 'drift.psi': 0.3 }, {}, [], { reserved: 1 }],
    ['the field health namespace is reserved', { ...base, 'quality.score': 0.3, 'quality.missing_ratio': 1, quality_score: 2 }, {}, [['algorithmia.quality_score', 2]], { reserved: 2 }],
    ['the fairness namespace is reserved', { ...base, 'fairness.positive_rate': 0.3 }, {}, [], { reserved: 1 }],
    ['operational fields are tags, never values', { ...base, time: 5, timestamp: 6, request_id: 7, session_id: 8 }, {}, [], {}],
    ['denylist', { ...base, secret_x: 1, y: 2 }, { deny: [/^secret_/] }, [['algorithmia.y', 2]], { denied: 1 }],
    ['allowlist', { ...base, keep: 1, other: 2 }, { allow: [/^keep$/] }, [['algorithmia.keep', 1]], { denied: 1 }],
    ['custom prefix', { ...base, x: 1 }, { prefix: 'ml.' }, [['ml.x', 1]], {}],
  ];
  it.each(cases)('%s', (_id, record, opts, points, drops) => {
    const out = run([record as InsightsRecord], opts);
    expect(out.points.map((p) => [p.name, p.value])).toEqual(points);
    expect(out.drops).toEqual(drops);
  });

  it('counts salvaged NaN/Infinity values as non_finite, other nulls as non_numeric', () => {
    const out = run([{ ...base, x: null, y: null } as unknown as InsightsRecord], {}, undefined, NOW, new Set(['x']));
    expect(out.drops).toEqual({ non_finite: 1, non_numeric: 1 });
  });

  it('types fields named like Object members by the default type', () => {
    const out = run([{ ...base, constructor: 1, valueOf: 2 } as unknown as InsightsRecord], { types: { risk: 'gauge' } });
    expect(out.points.map((p) => p.type)).toEqual(['distribution', 'distribution']);
  });

  it('uses the per-field type and the default type', () => {
    const out = run([{ ...base, a: 1, b: 2 } as InsightsRecord], { types: { a: 'gauge' }, defaultType: 'histogram' });
    expect(out.points.map((p) => [p.name, p.type])).toEqual([['algorithmia.a', 'gauge'], ['algorithmia.b', 'histogram']]);
  });

  it('tags with static tags and, only when asked, request_id and session_id', () => {
    expect(run([SAMPLE], { staticTags: ['env:prod', 'team:ml'] }).points[0].tags).toBe(`${SAMPLE_TAGS},env:prod,team:ml`);
    const withIds = run([SAMPLE], { tagRequestId: true, tagSessionId: true }).points[0].tags;
    expect(withIds).toBe(`${SAMPLE_TAGS},request_id:req-9f5345b4-a1cd-431c-a43a-bd2a06f4a6f4,session_id:rses-f28bb94a-5556-4aeb-a6d2-89493626bf4f`);
  });

  it('omits missing operational tags and sanitises hostile ones', () => {
    const out = run([{ algorithm_name: 'a|b,c', algorithm_owner: 'x y#z', v: 1 } as InsightsRecord]);
    expect(out.points[0].tags).toBe('algorithm_name:a_b_c,algorithm_owner:x_y_z');
  });

  it('stamps gauges and counts with the message time (UTC), never distributions', () => {
    const t = '2026-11-25T11:59:00.5';
    const out = run([{ ...base, time: t, g: 1, c: 2, d: 3 } as InsightsRecord], { useMessageTime: true, types: { g: 'gauge', c: 'count' } });
    const ts = Date.UTC(2026, 10, 25, 11, 59, 0) / 1000;
    expect(out.points).toEqual([
      { name: 'algorithmia.g', value: 1, type: 'gauge', tags: 'algorithm_name:a', ts },
      { name: 'algorithmia.c', value: 2, type: 'count', tags: 'algorithm_name:a', ts },
      { name: 'algorithmia.d', value: 3, type: 'distribution', tags: 'algorithm_name:a' },
    ]);
  });

  it('drops stamped points older than an hour as too_old', () => {
    const out = run([{ ...base, time: '2026-11-25T10:59:59', g: 1 } as InsightsRecord], { useMessageTime: true, types: { g: 'gauge' } });
    expect(out.points).toEqual([]);
    expect(out.drops).toEqual({ too_old: 1 });
  });

  it('caps distinct metric names per algorithm, always keeping duration_milliseconds', () => {
    const limits = { maxAlgorithms: 1000, maxNamesPerAlgorithm: 3, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 };
    const records = Array.from({ length: 10 }, (_, i) => ({ algorithm_name: 'buggy', [`m${i}`]: i, duration_milliseconds: 1 }) as InsightsRecord);
    records.push({ algorithm_name: 'other', m9: 9 } as InsightsRecord);
    const out = run(records, {}, limits);
    const names = new Set(out.points.map((p) => p.name));
    expect([...names].sort()).toEqual(['algorithmia.duration_milliseconds', 'algorithmia.m0', 'algorithmia.m1', 'algorithmia.m2', 'algorithmia.m9']);
    expect(out.points.filter((p) => p.name === 'algorithmia.duration_milliseconds')).toHaveLength(10);
    expect(out.drops).toEqual({ cardinality: 7 });
  });

  it('tags versions over the cap as overflow, still sending the values', () => {
    const limits: CardinalityLimits = { maxAlgorithms: 1000, maxNamesPerAlgorithm: 50, maxVersionsPerAlgorithm: 2, windowMs: 3_600_000 };
    const records = ['1', '2', '3', '1'].map((v) => ({ algorithm_name: 'a', algorithm_version: v, x: 1 }) as InsightsRecord);
    const out = run(records, {}, limits);
    expect(out.points.map((p) => p.tags)).toEqual([
      'algorithm_name:a,algorithm_version:1',
      'algorithm_name:a,algorithm_version:2',
      'algorithm_name:a,algorithm_version:overflow',
      'algorithm_name:a,algorithm_version:1',
    ]);
    expect(out.overflow).toEqual({ algorithm_version: 1 });
  });

  it('tags algorithm names over the cap as overflow, still sending their values', () => {
    const limits = { maxAlgorithms: 2, maxNamesPerAlgorithm: 50, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 };
    const records = ['a', 'b', 'c', 'd', 'a'].map((n) => ({ algorithm_name: n, x: 1, y: 2 }) as InsightsRecord);
    const out = run(records, {}, limits);
    expect(out.points.map((p) => p.tags)).toEqual(['a', 'a', 'b', 'b', 'overflow', 'overflow', 'overflow', 'overflow', 'a', 'a'].map((n) => `algorithm_name:${n}`));
    expect(out.overflow).toEqual({ algorithm_name: 4 });
  });

  it('never lets two different tag triples share a cached tag string', () => {
    const out = run([
      { algorithm_name: 'tag\u0001collision', algorithm_version: 'v', x: 1 } as InsightsRecord,
      { algorithm_name: 'tag', algorithm_version: 'collision\u0001v', x: 1 } as InsightsRecord,
    ]);
    expect(out.points.map((p) => p.tags)).toEqual(['algorithm_name:tag_collision,algorithm_version:v', 'algorithm_name:tag,algorithm_version:collision_v']);
  });

  it('always sends duration_milliseconds, even when an allowlist does not name it', () => {
    const out = run([{ ...base, duration_milliseconds: 5, x: 1 } as InsightsRecord], { allow: [/^nothing$/] });
    expect(out.points.map((p) => p.name)).toEqual(['algorithmia.duration_milliseconds']);
    expect(out.drops).toEqual({ denied: 1 });
  });
});

describe('CardinalityGuard window', () => {
  it('admits a new name once an old one has aged out of the window', () => {
    const g = new CardinalityGuard({ maxAlgorithms: 1000, maxNamesPerAlgorithm: 1, maxVersionsPerAlgorithm: 1, windowMs: 1000 });
    expect(g.allowName('a', 'x', 0)).toBe(true);
    expect(g.allowName('a', 'y', 500)).toBe(false);
    expect(g.allowName('a', 'y', 1501)).toBe(true);
    expect(g.allowName('a', 'x', 1600)).toBe(false);
  });

  it('stays bounded when every message brings a new algorithm name', () => {
    const g = new CardinalityGuard({ maxAlgorithms: 100, maxNamesPerAlgorithm: 5, maxVersionsPerAlgorithm: 5, windowMs: 60_000 });
    let admitted = 0;
    for (let i = 0; i < 50_000; i++) if (g.allowAlgorithm(`algo-${i}`, i)) admitted++;
    // 100 at first, then 100 more each time the window lets the old ones go
    expect(admitted).toBeLessThan(100 * (50_000 / 60_000 + 2));
    expect((g as unknown as { algorithms: Map<string, unknown> }).algorithms.size).toBeLessThanOrEqual(201);
  });
});
