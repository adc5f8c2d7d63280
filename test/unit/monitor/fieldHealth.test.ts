/**
 * Field health against the test's own exact counts (helpers.ts): counting by reason, the
 * tracked set across versions, the series cap shared with drift, the 1% threshold and its 2 h
 * tail, the 3x budget; and what the mapping tells the recorder.
 */
import { MessageScanner } from '../../../src/decode/scanMessage';
import { ChunkEncoder } from '../../../src/encode/chunkEncoder';
import { ObservationRecorder } from '../../../src/encode/observationRecorder';
import { CardinalityGuard } from '../../../src/map/cardinalityGuard';
import { Mapper } from '../../../src/map/mapRecord';
import { type HealthGauge, KIND_EXCLUDED, KIND_NON_FINITE, KIND_NON_NUMERIC, KIND_NULL, KIND_VALUE, missingRatio, Monitor, type MonitorOptions } from '../../../src/monitor';
import { testEncoderSetup } from '../../harness/encoderConfig';
import { exactRatio, HOUR, MIN, observations, spread, T0, type Entry, type Message } from './helpers';

const OPTS: MonitorOptions = { psi: true, fieldHealth: true, baselines: ['trailing', 'previous_version'], minSamples: 50, maxSeries: 1000 };

function run(messages: Message[], wallNowMs: number, opts: Partial<MonitorOptions> = {}): { monitor: Monitor; report: ReturnType<Monitor['report']> } {
  const monitor = new Monitor({ ...OPTS, ...opts });
  monitor.apply(observations(messages));
  return { monitor, report: monitor.report(wallNowMs) };
}

const gauge = (gauges: HealthGauge[], version: string, field: string, metric: HealthGauge['metric'], baseline?: string) =>
  gauges.filter((g) => g.version === version && g.field === field && g.metric === metric && g.baseline === baseline);

describe('missingRatio', () => {
  it.each<[string, [number, number, number, number], number | undefined]>([
    ['none missing', [100, 100, 0, 50], 0],
    ['a fifth missing', [100, 80, 0, 50], 0.2],
    ['excluded executions are left out of the count', [100, 60, 20, 50], 0.25],
    ['under min_samples counted executions: no ratio', [100, 60, 60, 50], undefined],
    ['no executions: no ratio', [0, 0, 0, 1], undefined],
    ['all missing', [10, 0, 0, 10], 1],
  ])('%s', (_name, [executions, usable, excluded, min], expected) => {
    expect(missingRatio(executions, usable, excluded, min)).toBe(expected);
  });
});

describe('field health counting', () => {
  const from = T0 + 23 * HOUR;
  const to = T0 + 24 * HOUR;
  // x: 6 in 10 usable, then one each of null, a string, a non-finite number; the tenth is absent
  // or excluded in turn. y: always usable.
  const pick = (i: number): Record<string, Entry> => {
    const r = i % 10;
    const x: Entry = r < 6 ? 'usable' : r === 6 ? 'null' : r === 7 ? 'non_numeric' : r === 8 ? 'non_finite' : i % 20 === 9 ? 'absent' : 'excluded';
    return { x, y: 'usable' };
  };
  const messages = spread('1', from, to, 1000, pick);

  it('reports the missing ratio of the current window, and the missing values by reason', () => {
    const { report } = run(messages, to);
    const gauges = report.health?.gauges ?? [];
    const expected = exactRatio(messages, '1', 'x', from, to);
    expect(expected).toBeCloseTo(350 / 950, 12);
    expect(gauge(gauges, '1', 'x', 'missing_ratio')).toEqual([{ algorithmName: 'algo', version: '1', owner: 'owner', field: 'x', metric: 'missing_ratio', value: expected }]);
    // no trailing day yet, no previous version: no change
    expect(gauges.filter((g) => g.metric === 'missing_ratio_change')).toEqual([]);
    // a stable, always-present field costs nothing
    expect(gauges.filter((g) => g.field === 'y')).toEqual([]);
    expect(report.health?.invalid).toEqual([
      { algorithmName: 'algo', version: '1', owner: 'owner', field: 'x', reason: 'null', count: 100 },
      { algorithmName: 'algo', version: '1', owner: 'owner', field: 'x', reason: 'non_numeric', count: 100 },
      { algorithmName: 'algo', version: '1', owner: 'owner', field: 'x', reason: 'non_finite', count: 100 },
    ]);
    expect(report.trackedSeries).toBe(2);
  });

  it('counts invalid values per report interval', () => {
    const monitor = new Monitor(OPTS);
    monitor.apply(observations(messages));
    expect(monitor.report(to).health?.invalid.map((c) => c.count)).toEqual([100, 100, 100]);
    expect(monitor.report(to + MIN).health?.invalid).toEqual([]);
    monitor.apply(observations(spread('1', to, to + MIN, 10, (i) => ({ x: i < 3 ? 'null' : 'usable' }))));
    expect(monitor.report(to + 2 * MIN).health?.invalid).toEqual([expect.objectContaining({ field: 'x', reason: 'null', count: 3 })]);
  });

  it('needs min_samples executions in the window', () => {
    const few = spread('1', from, to, 40, pick);
    expect(run(few, to).report.health?.gauges).toEqual([]);
    // 40 executions, 2 of them excluded: 38 counted
    expect(run(few, to, { minSamples: 39 }).report.health?.gauges).toEqual([]);
    expect(run(few, to, { minSamples: 38 }).report.health?.gauges).toHaveLength(1);
  });

  it('runs with drift off (drift.enabled: false turns PSI off only)', () => {
    const { report, monitor } = run(messages, to, { psi: false });
    expect(monitor.drift).toBeUndefined();
    expect(report.scores).toEqual([]);
    expect(gauge(report.health?.gauges ?? [], '1', 'x', 'missing_ratio')[0]?.value).toBe(exactRatio(messages, '1', 'x', from, to));
  });
});

describe('what the mapping tells the recorder', () => {
  it('every field of an observed message: usable, or missing and why, or excluded (dropped on purpose)', () => {
    const setup = testEncoderSetup({ metric_denylist: ['^secret_'] });
    const recorder = new ObservationRecorder(true);
    const mapper = new Mapper({ ...setup.mapping, allow: [], deny: [/^secret_/] }, new CardinalityGuard(setup.limits), recorder);
    const encoder = new ChunkEncoder(mapper, setup.encoder, new MessageScanner({ requestId: false, sessionId: false, time: true }), recorder);
    const message = '{"algorithm_name":"a","algorithm_version":"1","duration_milliseconds":5,"u":1,"n":null,"s":"text","o":{"k":1},"big":1e400,"secret_x":1,"secret_y":null,"quality.score":2,"!!":3}';
    const bare = '{"algorithm_name":"a","algorithm_version":"1","nan":NaN,"u":2}';
    const chunk = encoder.encode([Buffer.from(message), Buffer.from(bare)], Date.UTC(2026, 0, 1));
    const o = chunk.observations;
    expect(o).toBeDefined();
    if (!o) return;
    const entries = Array.from(o.valueField, (f, i) => [o.fields[f], o.valueKind[i]]);
    expect(entries).toEqual([
      ['u', KIND_VALUE],
      ['n', KIND_NULL],
      ['s', KIND_NON_NUMERIC],
      ['o', KIND_NON_NUMERIC],
      ['big', KIND_NON_FINITE],
      ['secret_x', KIND_EXCLUDED],
      ['secret_y', KIND_EXCLUDED],
      ['quality.score', KIND_EXCLUDED],
      ['nan', KIND_NON_FINITE],
      ['u', KIND_VALUE],
    ]);
    expect(Array.from(o.messageEnd)).toEqual([8, 10]);
    // the forwarder's counter keeps its reasons: a null is non_numeric there, also in a denied field
    expect(Object.fromEntries(chunk.dropped)).toEqual({ non_numeric: 4, non_finite: 2, denied: 1, reserved: 1, bad_name: 1 });
  });

  it('only values when field health is off (drift alone)', () => {
    const setup = testEncoderSetup({ drift: { field_health: false } });
    expect(setup.monitor?.fieldHealth).toBe(false);
    const recorder = new ObservationRecorder(false);
    const mapper = new Mapper({ ...setup.mapping, allow: [], deny: [] }, new CardinalityGuard(setup.limits), recorder);
    const encoder = new ChunkEncoder(mapper, setup.encoder, undefined, recorder);
    const o = encoder.encode([Buffer.from(JSON.stringify({ algorithm_name: 'a', u: 1, n: null, s: 'x' }))], T0).observations;
    expect(o && Array.from(o.valueKind)).toEqual([KIND_VALUE]);
  });

  it('no monitoring at all when drift and field health are both off', () => {
    expect(testEncoderSetup({ drift: { enabled: false, field_health: false } }).monitor).toBeUndefined();
    expect(testEncoderSetup({ drift: { enabled: false } }).monitor).toEqual(expect.objectContaining({ psi: false, fieldHealth: true }));
  });
});

describe('the tracked set across versions', () => {
  // v1: a always, b missing 1 in 10 (null); v2 starts later: a, no b at all, c always a string
  // (never usable anywhere), d usable half the time (v1 never had it).
  const v1 = spread('1', T0, T0 + HOUR, 400, (i) => ({ a: 'usable', b: i % 10 === 3 ? 'null' : 'usable' }));
  const v2 = spread('2', T0 + 2 * HOUR, T0 + 3 * HOUR, 400, (i) => ({ a: 'usable', c: 'non_numeric', d: i % 2 === 0 ? 'usable' : 'absent' }));
  const all = [...v1, ...v2];

  it("a field the new version no longer sends is tracked and 100% missing, against the previous version's ratio", () => {
    const { report, monitor } = run(all, T0 + 3 * HOUR);
    const gauges = report.health?.gauges ?? [];
    const win = [T0 + 2 * HOUR, T0 + 3 * HOUR] as const;
    expect(gauge(gauges, '2', 'b', 'missing_ratio')[0]?.value).toBe(1);
    const prevRatio = exactRatio(all, '1', 'b', T0 - 23 * HOUR, T0 + HOUR);
    expect(prevRatio).toBeCloseTo(0.1, 12);
    expect(gauge(gauges, '2', 'b', 'missing_ratio_change', 'previous_version')).toEqual([
      expect.objectContaining({ value: exactRatio(all, '2', 'b', ...win) - prevRatio, baselineVersion: '1' }),
    ]);
    // d: missing half the time, but the previous version never had it: no change against it
    expect(gauge(gauges, '2', 'd', 'missing_ratio')[0]?.value).toBe(exactRatio(all, '2', 'd', ...win));
    expect(gauges.filter((g) => g.field === 'd' && g.metric === 'missing_ratio_change')).toEqual([]);
    // c never had a usable value: not tracked, nothing sent, not even its invalid values
    expect(gauges.concat().filter((g) => g.field === 'c')).toEqual([]);
    expect(report.health?.invalid.filter((c) => c.field === 'c')).toEqual([]);
    // a: present everywhere: nothing
    expect(gauges.filter((g) => g.field === 'a')).toEqual([]);
    // v1 (newest message 2 h old) is not reported; v1 tracks a, b; v2 tracks a, b, d
    expect(gauges.every((g) => g.version === '2')).toBe(true);
    expect(report.trackedSeries).toBe(5);
    expect(monitor.drift?.trackedSeries).toBe(4); // drift: only fields with values (v2's b has none)
  });

  it('no change against a previous version that only inherited the field (it never had a value of it)', () => {
    const v3 = spread('3', T0 + 3 * HOUR, T0 + 4 * HOUR, 400, (i) => ({ a: 'usable', b: i % 2 === 0 ? 'usable' : 'null' }));
    const { report } = run([...all, ...v3], T0 + 4 * HOUR);
    const gauges = report.health?.gauges ?? [];
    // v2 tracks b (from v1) without a value of it: v3's b is not compared with v2
    expect(gauge(gauges, '3', 'b', 'missing_ratio')[0]?.value).toBe(0.5);
    expect(gauges.filter((g) => g.version === '3' && g.field === 'b' && g.metric === 'missing_ratio_change')).toEqual([]);
  });

  it('a null in a field the previous version had is counted by reason from the first one', () => {
    const nulls = spread('2', T0 + 2 * HOUR, T0 + 3 * HOUR, 400, (i) => ({ a: 'usable', b: i % 4 === 0 ? 'null' : 'absent' }));
    const { report } = run([...v1, ...nulls], T0 + 3 * HOUR);
    expect(report.health?.invalid.filter((c) => c.version === '2')).toEqual([expect.objectContaining({ field: 'b', reason: 'null', count: 100 })]);
  });
});

describe('the series cap (drift.max_series), shared with drift', () => {
  it('counts every tracked series once, refuses new ones beyond it, and drift tracks no series field health refused', () => {
    const fields = (i: number): Record<string, Entry> => Object.fromEntries(Array.from({ length: 6 }, (_, f) => [`f${f}`, i % 5 === f % 5 ? 'null' : 'usable'] as const));
    const messages = [...spread('1', T0, T0 + HOUR, 300, fields), ...spread('2', T0 + 90 * MIN, T0 + 2 * HOUR, 300, (i) => ({ f0: i % 2 === 0 ? 'usable' : 'null' }))];
    const { report, monitor } = run(messages, T0 + 2 * HOUR, { maxSeries: 3, minSamples: 10 });
    expect(report.trackedSeries).toBe(3);
    expect(monitor.drift?.trackedSeries).toBe(3);
    // the first message's usable fields come first (f0 and f5 are null in it): f1, f2, f3; untracked:
    // the usable values of f0, f4, f5 (v1) and of f0 (v2: over the cap)
    const usable = (v: string, f: string) => messages.filter((m) => m.version === v && m.fields[f] === 'usable').length;
    expect(report.untracked).toBe(usable('1', 'f0') + usable('1', 'f4') + usable('1', 'f5') + usable('2', 'f0'));
    expect(new Set((report.health?.gauges ?? []).map((g) => `${g.version}/${g.field}`))).toEqual(new Set(['1/f1', '1/f2', '1/f3']));
  });
});

describe('healthy fields cost nothing', () => {
  const opts = { baselines: ['previous_version' as const], minSamples: 10 };
  it('gauges while a ratio is at least 1%, then for 2 h after both fell below (real values), then none', () => {
    const monitor = new Monitor({ ...OPTS, ...opts });
    // one hour with 5% missing, reported at its end
    monitor.apply(observations(spread('1', T0, T0 + HOUR, 1000, (i) => ({ x: i % 20 === 0 ? 'null' : 'usable' }))));
    let wall = T0 + HOUR;
    const ratio = () => gauge(monitor.report(wall).health?.gauges ?? [], '1', 'x', 'missing_ratio')[0]?.value;
    expect(ratio()).toBeCloseTo(0.05, 12);
    const above = wall;
    // then only clean executions, a batch every 5 minutes; the window slides past the missing ones
    const clean = (t: number) => monitor.apply(observations(spread('1', t, t + 5 * MIN, 100, () => ({ x: 'usable' }))));
    const seen: Array<[number, number | undefined]> = [];
    for (let t = T0 + HOUR; t < T0 + 4 * HOUR; t += 5 * MIN) {
      clean(t);
      wall = t + 5 * MIN;
      seen.push([wall, ratio()]);
    }
    // the current window of 12 slots is clean from T0 + 2 h on: the last report above 1% is the
    // one whose window still holds enough of the first hour's misses
    const lastAbove = Math.max(above, ...seen.filter(([, r]) => r !== undefined && r >= 0.01).map(([w]) => w));
    expect(lastAbove).toBeGreaterThan(above);
    for (const [w, r] of seen) {
      if (w - lastAbove < 2 * HOUR) expect(r).toBeDefined();
      else expect(r).toBeUndefined();
    }
    // the tail sent real values, down to 0
    expect(seen.some(([, r]) => r === 0)).toBe(true);
    expect(seen.filter(([, r]) => r === undefined).length).toBeGreaterThan(0);
  });

  it('a field at 0.99% missing sends nothing, at 1% it sends', () => {
    const at = (missingPer10k: number) =>
      run(spread('1', T0, T0 + HOUR, 10_000, (i) => ({ x: i < missingPer10k ? 'null' : 'usable' })), T0 + HOUR, opts).report.health?.gauges ?? [];
    expect(at(99)).toEqual([]);
    expect(at(100)).toHaveLength(1);
  });
});

describe('the gauge budget', () => {
  it('never more gauge series than 3 x the tracked series (every field missing, both baselines)', () => {
    const F = 8;
    const fields = (i: number): Record<string, Entry> => Object.fromEntries(Array.from({ length: F }, (_, f) => [`f${f}`, (i + f) % 3 === 0 ? 'non_numeric' : 'usable'] as const));
    const messages = [...spread('1', T0, T0 + 27 * HOUR, 27 * 200, fields), ...spread('2', T0 + HOUR, T0 + 27 * HOUR, 26 * 200, fields)];
    const { report } = run(messages, T0 + 27 * HOUR);
    const gauges = report.health?.gauges ?? [];
    expect(report.trackedSeries).toBe(2 * F);
    // v2: ratio + trailing + previous version; v1: ratio + trailing
    expect(gauges).toHaveLength(5 * F);
    expect(gauges.length).toBeLessThanOrEqual(3 * report.trackedSeries);
    const win = [T0 + 26 * HOUR, T0 + 27 * HOUR] as const;
    const cur = exactRatio(messages, '2', 'f1', ...win);
    expect(gauge(gauges, '2', 'f1', 'missing_ratio')[0]?.value).toBe(cur);
    expect(gauge(gauges, '2', 'f1', 'missing_ratio_change', 'trailing')[0]?.value).toBeCloseTo(cur - exactRatio(messages, '2', 'f1', T0 + 2 * HOUR, T0 + 26 * HOUR), 12);
    expect(gauge(gauges, '2', 'f1', 'missing_ratio_change', 'previous_version')[0]?.value).toBeCloseTo(cur - exactRatio(messages, '1', 'f1', T0 + 3 * HOUR, T0 + 27 * HOUR), 12);
  });
});
