/**
 * Fairness (issue 24): the pure rules by table, then the whole path a message takes (config ->
 * mapping -> observation stream -> fairness signal -> report -> state file), each reported
 * value against the test's own exact count of its generated data.
 */
import { ConfigError } from '../../../src/errors';
import { parseConfig } from '../../../src/config/load';
import { createChunkEncoder, type EncodedChunk } from '../../../src/encode/chunkEncoder';
import { encoderSetup } from '../../../src/encode/encoderSetup';
import { disparateImpact, type FairnessGauge, isPositive, Monitor, type MonitorOptions, positiveRate } from '../../../src/monitor';
import { fairnessLine } from '../../../src/runtime/monitorLines';
import { HOUR, T0 } from './helpers';

const CONF = '/tmp/fairness-test/conf.yaml';

describe('fairness: the rules', () => {
  it.each<[string, number, 'above' | 'below', number, boolean]>([
    ['true (1) above the default 0.5', 1, 'above', 0.5, true],
    ['false (0) above the default 0.5', 0, 'above', 0.5, false],
    ['a score equal to the threshold is not above it', 0.5, 'above', 0.5, false],
    ['a score above', 0.71, 'above', 0.7, true],
    ['a risk below', 0.19, 'below', 0.2, true],
    ['a risk equal is not below', 0.2, 'below', 0.2, false],
    ['true is not below 0.5', 1, 'below', 0.5, false],
    ['false is below 0.5', 0, 'below', 0.5, true],
    ['NaN is never positive (above)', NaN, 'above', 0.5, false],
    ['NaN is never positive (below)', NaN, 'below', 0.5, false],
  ])('%s', (_id, value, positive, threshold, expected) => {
    expect(isPositive(value, positive, threshold)).toBe(expected);
  });

  it.each<[string, number, number, number, number | undefined]>([
    ['a rate', 45, 100, 100, 0.45],
    ['under the minimum: nothing', 45, 99, 100, undefined],
    ['at the minimum', 0, 100, 100, 0],
    ['no executions, minimum 1', 0, 0, 1, undefined],
    ['every one positive', 7, 7, 1, 1],
  ])('positive rate: %s', (_id, positives, executions, min, expected) => {
    expect(positiveRate(positives, executions, min)).toBe(expected);
  });

  it.each<[string, number | undefined, number | undefined, number | undefined]>([
    ['a ratio', 0.3, 0.45, 0.3 / 0.45],
    ['above 1', 0.6, 0.45, 0.6 / 0.45],
    ['the reference rate 0: nothing', 0.3, 0, undefined],
    ['the group without a rate', undefined, 0.45, undefined],
    ['the reference without a rate', 0.3, undefined, undefined],
    ['a group rate of 0', 0, 0.45, 0],
  ])('disparate impact: %s', (_id, rate, ref, expected) => {
    expect(disparateImpact(rate, ref)).toBe(expected);
  });
});

/** One instance with the fairness section given (YAML lines under `fairness:`). */
function config(fairness: string[], extra: string[] = []): string {
  return ['instances:', '  - kafka_connect_str: [localhost:9092]', '    topic: t', '    worker_thread: false', ...extra.map((l) => `    ${l}`), '    fairness:', ...fairness.map((l) => `      ${l}`)].join('\n') + '\n';
}

function failure(text: string): string {
  try {
    parseConfig(text, CONF, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

const CHECK = ['- name: by_band', '  outcome: approved', '  group_field: band', '  groups: [a, b, c]', '  reference_group: b'];

describe('fairness: configuration', () => {
  it('resolves a check with its defaults', () => {
    const inst = parseConfig(config(CHECK), CONF, {}).instances[0];
    expect(inst.fairness).toEqual([{ name: 'by_band', outcome: 'approved', positive: 'above', threshold: 0.5, groupField: 'band', groups: ['a', 'b', 'c'], referenceGroup: 'b', minGroupExecutions: 1000 }]);
  });

  it('resolves positive_below, numbers and algorithms', () => {
    const inst = parseConfig(config(['- name: n', '  outcome: risk', '  positive_below: 0.2', '  group_field: code', '  groups: [1, 2]', '  reference_group: 2', '  min_group_executions: 5', '  algorithms: [x]']), CONF, {}).instances[0];
    expect(inst.fairness).toEqual([{ name: 'n', outcome: 'risk', positive: 'below', threshold: 0.2, groupField: 'code', groups: [1, 2], referenceGroup: 2, minGroupExecutions: 5, algorithms: ['x'] }]);
  });

  it('no section: no checks', () => {
    expect(parseConfig('instances:\n  - kafka_connect_str: [localhost:9092]\n    topic: t\n', CONF, {}).instances[0].fairness).toEqual([]);
  });

  const P = 'instances[0].fairness[0]';
  it.each<[string, string[], string]>([
    ['the reference not among the groups', [...CHECK.slice(0, 4), '  reference_group: z'], `${P}.reference_group: must be one of groups (got "z")`],
    ['two group values equal', [...CHECK.slice(0, 3), '  groups: [a, b, a]', '  reference_group: b'], `${P}.groups[2]: the same value as ${P}.groups[0]`],
    ['two values equal once sanitised as tags', [...CHECK.slice(0, 3), '  groups: ["a b", "a_b"]', '  reference_group: a_b'], `${P}.groups[1]: the same tag value as ${P}.groups[0] once sanitised, group:a_b`],
    ['a string and a number that read the same', [...CHECK.slice(0, 3), '  groups: ["1", 1]', '  reference_group: 1'], `${P}.groups[1]: reads the same as ${P}.groups[0] (got 1 and "1")`],
    ['a listed value other', [...CHECK.slice(0, 3), '  groups: [a, other]', '  reference_group: a'], `${P}.groups[1]: other is the group of the values not listed`],
    ['more than 10 groups', [...CHECK.slice(0, 3), '  groups: [a, b, c, d, e, f, g, h, i, j, k]', '  reference_group: b'], `${P}.groups`],
    ['an outcome that is also the group field', [...CHECK.slice(0, 2), '  group_field: approved', ...CHECK.slice(3)], `${P}.group_field: must differ from outcome (got "approved")`],
    ['both positive_above and positive_below', [...CHECK, '  positive_above: 0.5', '  positive_below: 0.5'], `${P}: set only one of positive_above, positive_below`],
    ['two checks with one name', [...CHECK, ...CHECK], 'instances[0].fairness[1].name: the same name as instances[0].fairness[0].name (got "by_band")'],
  ])('rejects %s, with its key path', (_id, lines, expected) => {
    expect(failure(config(lines))).toContain(expected);
  });
});

interface Exec {
  algo?: string;
  version?: string;
  group?: unknown;
  outcome?: unknown;
  t: number;
}

/** The daemon's own encoder (mapping + recorder) and a Monitor, from a config. */
function pipeline(text: string) {
  const inst = parseConfig(text, CONF, {}).instances[0];
  const setup = encoderSetup(inst, { lineSuffix: '' });
  const opts = setup.monitor as MonitorOptions;
  return { inst, opts, encoder: createChunkEncoder(setup), monitor: new Monitor(opts) };
}

function encode(p: ReturnType<typeof pipeline>, execs: Exec[], nowMs: number): EncodedChunk {
  const values = execs.map((e) => {
    const rec: Record<string, unknown> = { algorithm_name: e.algo ?? 'loans', algorithm_version: e.version ?? '1.0.0', algorithm_owner: 'o', time: new Date(e.t).toISOString(), score: 1 };
    if (e.group !== undefined) rec.band = e.group;
    if (e.outcome !== undefined) rec.approved = e.outcome;
    return Buffer.from(JSON.stringify(rec));
  });
  const chunk = p.encoder.encode(values, nowMs);
  if (chunk.observations) p.monitor.apply(chunk.observations);
  return chunk;
}

/** The test's own counts: per group (listed value as text, or other) its executions and positives. */
function exact(execs: Exec[], groups: string[], positive: (o: unknown) => boolean): Map<string, { n: number; p: number }> {
  const out = new Map<string, { n: number; p: number }>();
  for (const e of execs) {
    if (e.group === undefined || e.group === null || (typeof e.outcome !== 'number' && typeof e.outcome !== 'boolean')) continue;
    const g = groups.includes(String(e.group)) ? String(e.group) : 'other';
    const c = out.get(g) ?? { n: 0, p: 0 };
    c.n++;
    if (positive(e.outcome)) c.p++;
    out.set(g, c);
  }
  return out;
}

/** Deterministic executions of `group` at a known positive rate (k of every n positive), inside one hour. */
function groupExecs(group: unknown, count: number, rate: number, start: number, outcome: (p: boolean, i: number) => unknown = (p) => p): Exec[] {
  return Array.from({ length: count }, (_, i) => ({ group, outcome: outcome(Math.floor(((i + 1) * rate)) > Math.floor(i * rate), i), t: start + ((i * 7919) % 3_000_000) }));
}

const byKey = (gauges: FairnessGauge[]) => new Map(gauges.map((g) => [`${g.metric}|${g.group}`, g.value]));

describe('fairness: from messages to the report', () => {
  const NOW = T0 + HOUR;
  const START = T0 + 5 * 60_000; // all in the window ending with the newest slot
  const text = config([...CHECK.slice(0, 4), '  reference_group: b', '  min_group_executions: 100']);

  function run(execs: Exec[], t = text) {
    const p = pipeline(t);
    const chunk = encode(p, execs, NOW);
    return { p, chunk, report: p.monitor.report(NOW) };
  }

  const DATA: Exec[] = [
    ...groupExecs('a', 400, 0.3, START),
    ...groupExecs('b', 500, 0.45, START),
    ...groupExecs('c', 300, 0.44, START, (p, i) => (p ? 0.9 : i % 2 === 0 ? 0.1 : false)),
    ...groupExecs('zz', 150, 0.2, START),
    ...groupExecs('yy', 50, 0.5, START),
    ...groupExecs(7, 20, 0.5, START),
  ];

  it('sends each group rate, its executions and its ratio, equal to the exact ones; other collects the unlisted values', () => {
    const { report } = run(DATA);
    const want = exact(DATA, ['a', 'b', 'c'], (o) => Number(o) > 0.5);
    const got = byKey(report.fairness!.gauges);
    const ref = want.get('b')!.p / want.get('b')!.n;
    for (const g of ['a', 'b', 'c', 'other']) {
      const c = want.get(g)!;
      expect(got.get(`positive_rate|${g}`)).toBe(c.p / c.n);
      expect(got.get(`executions|${g}`)).toBe(c.n);
      if (g !== 'b') expect(got.get(`disparate_impact|${g}`)).toBe(c.p / c.n / ref);
    }
    expect(want.get('other')!.n).toBe(220);
    expect(got.has('disparate_impact|b')).toBe(false);
    expect(report.fairness!.gauges).toHaveLength(4 * 2 + 3);
    expect(report.fairness!.skipped).toEqual([]);
  });

  it('a group under the minimum sends nothing, and no ratio is sent while the reference is under it', () => {
    const data = [...groupExecs('a', 99, 0.3, START), ...groupExecs('b', 100, 0.45, START), ...groupExecs('c', 100, 0.44, START)];
    const got = byKey(run(data).report.fairness!.gauges);
    expect([...got.keys()].filter((k) => k.endsWith('|a'))).toEqual([]);
    expect(got.get('executions|c')).toBe(100);
    const few = byKey(run([...groupExecs('a', 100, 0.3, START), ...groupExecs('b', 99, 0.45, START)]).report.fairness!.gauges);
    expect([...few.keys()].sort()).toEqual(['executions|a', 'positive_rate|a']);
  });

  it('no ratio while the reference rate is 0', () => {
    const got = byKey(run([...groupExecs('a', 100, 0.3, START), ...groupExecs('b', 100, 0, START)]).report.fairness!.gauges);
    expect(got.get('positive_rate|b')).toBe(0);
    expect(got.has('disparate_impact|a')).toBe(false);
  });

  it('positive_below on a risk score, numeric group values (a message "2" is the listed 2)', () => {
    const t = config(['- name: risk', '  outcome: approved', '  positive_below: 0.2', '  group_field: band', '  groups: [1, 2]', '  reference_group: 2', '  min_group_executions: 10']);
    const risk = (p: boolean, i: number) => (p ? (i % 5) / 100 : 0.2 + (i % 3) / 10);
    const data = [...groupExecs(1, 60, 0.25, START, risk), ...groupExecs(2, 40, 0.5, START, risk), ...groupExecs('2', 40, 0.5, START, risk), ...groupExecs(3, 30, 0.1, START, risk)];
    const got = byKey(run(data, t).report.fairness!.gauges);
    const want = exact(data, ['1', '2'], (o) => Number(o) < 0.2);
    expect(want.get('2')!.n).toBe(80);
    for (const g of ['1', '2', 'other']) expect(got.get(`positive_rate|${g}`)).toBe(want.get(g)!.p / want.get(g)!.n);
    expect(got.get('disparate_impact|1')).toBe(want.get('1')!.p / want.get('1')!.n / (want.get('2')!.p / want.get('2')!.n));
  });

  it('leaves out, by reason, executions without an outcome, with an unusable one, or without a group', () => {
    const data: Exec[] = [
      ...groupExecs('a', 3, 1, START, () => undefined),
      ...groupExecs('a', 4, 1, START, () => 'yes'),
      ...groupExecs('a', 2, 1, START, () => null),
      ...groupExecs(undefined, 5, 1, START),
      ...groupExecs(null, 6, 1, START),
      ...groupExecs({ nested: 1 }, 1, 1, START),
      ...groupExecs('b', 10, 1, START),
    ];
    const { report } = run(data, config([...CHECK, '  min_group_executions: 1']));
    expect(report.fairness!.skipped).toEqual([
      { reason: 'outcome_missing', count: 3 },
      { reason: 'outcome_unusable', count: 6 },
      { reason: 'group_missing', count: 12 },
    ]);
    expect(byKey(report.fairness!.gauges).get('executions|b')).toBe(10);
  });

  it('the group field is the check\'s alone: not a metric, not a non_numeric drop; for other algorithms a numeric one stays a metric', () => {
    const t = config([...CHECK, '  algorithms: [loans]']);
    const p = pipeline(t);
    const chunk = encode(p, [{ group: 'a', outcome: true, t: START }, { group: 3, outcome: false, t: START }, { algo: 'other_algo', group: 4, outcome: 1, t: START }, { algo: 'other_algo', group: 'x', outcome: 1, t: START }], NOW);
    const lines = Buffer.concat(chunk.datagrams).toString();
    expect(lines).not.toMatch(/algorithmia\.band:[^\n]*algorithm_name:loans/);
    expect(lines).toMatch(/algorithmia\.band:4\|d\|#algorithm_name:other_algo/);
    expect(lines).toMatch(/algorithmia\.approved:1:0\|d\|#algorithm_name:loans/); // the outcome stays a metric
    expect(lines).not.toContain('group:');
    expect(chunk.dropped).toEqual([['non_numeric', 1]]); // other_algo's string band only
  });

  it('sends the lines with the check tags; the group tag only from the listed values or other', () => {
    const { report } = run(DATA);
    const lines = report.fairness!.gauges.map((g) => fairnessLine(g, ['env:test']));
    expect(lines).toContain(`algorithmia.fairness.executions:220|g|#algorithm_name:loans,algorithm_version:1.0.0,algorithm_owner:o,check:by_band,outcome:approved,group_field:band,group:other,env:test`);
    expect(lines.join('\n')).not.toMatch(/group:(zz|yy|7)\b/);
  });

  it('the state file round trip reports the same values; a changed check drops its counts', () => {
    const { p, report } = run(DATA);
    const bytes = p.monitor.snapshot();
    const again = Monitor.restore(bytes, p.opts);
    if (!again.ok) throw new Error(again.reason);
    expect(again.monitor.report(NOW).fairness!.gauges).toEqual(report.fairness!.gauges);
    // min_group_executions decides only what is sent: the counts stay
    const lower = pipeline(config([...CHECK, '  min_group_executions: 10'])).opts;
    const kept = Monitor.restore(bytes, lower);
    expect(kept.ok && kept.monitor.report(NOW).fairness!.gauges.length).toBe(11);
    for (const changed of [[...CHECK.slice(0, 4), '  reference_group: a', '  min_group_executions: 100'], [...CHECK, '  positive_above: 0.6', '  min_group_executions: 100'], [...CHECK.slice(0, 3), '  groups: [a, b]', '  reference_group: b', '  min_group_executions: 100']]) {
      const r = Monitor.restore(bytes, pipeline(config(changed)).opts);
      if (!r.ok) throw new Error(r.reason);
      expect(r.monitor.report(NOW).fairness!.gauges).toEqual([]);
    }
  });

  it('fairness alone (drift and field health off) runs on the clock and the state', () => {
    const t = config([...CHECK, '  min_group_executions: 100'], ['drift: {enabled: false, field_health: false}']);
    const { p, report } = run(DATA, t);
    expect(p.opts.psi || p.opts.fieldHealth).toBe(false);
    expect(report.fairness!.gauges).toHaveLength(11);
    const r = Monitor.restore(p.monitor.snapshot(), p.opts);
    expect(r.ok && r.monitor.report(NOW).fairness!.gauges).toEqual(report.fairness!.gauges);
  });

  it('only the current window counts: an execution 2 hours before the newest is out', () => {
    const data = [...groupExecs('b', 100, 0.5, START), { group: 'b', outcome: 1, t: START - 2 * HOUR }];
    const got = byKey(run(data, config([...CHECK, '  min_group_executions: 1'])).report.fairness!.gauges);
    expect(got.get('executions|b')).toBe(100);
  });
});
