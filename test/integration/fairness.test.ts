/**
 * Fairness end to end (issue 24): one hour of one version through the real broker and the real
 * check process, with three configured groups at known positive rates (0.30, 0.45 as the
 * reference, 0.44), a small configured group under the minimum and values outside `groups`. Every
 * reported rate, count and ratio against the counts this test computes from its own data; the
 * small group sends nothing; a restart from the state file reports the same values without new
 * messages.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { mulberry32 } from '../harness/hostileCorpus';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

afterAll(() => cleanUpCheckProcesses());

const MIN = 60_000;
const SLOT = 5 * MIN;
const MIN_GROUP = 200;
const isoTime = (t: number) => new Date(t).toISOString().replace('Z', '');

/** Last value of each fairness series of `metric`, keyed by its group tag. */
function byGroup(lines: string[], metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    if (!l.startsWith(`${metric}:`)) continue;
    const [head, type, tagField] = l.split('|');
    expect(type).toBe('g');
    const tags = tagField.slice(1).split(',');
    expect(tags).toEqual(expect.arrayContaining(['algorithm_name:loans', 'algorithm_version:3.1', 'check:approval_by_segment', 'outcome:approved', 'group_field:segment']));
    const group = tags.find((t) => t.startsWith('group:'))?.slice('group:'.length) as string;
    out.set(group, Number(head.slice(metric.length + 1)));
  }
  return out;
}

describe('fairness', () => {
  const { bootstrap } = sharedBroker();

  it('reports positive rates, executions and disparate impact per group as counted here, nothing for a small group, and the same after a restart', async () => {
    const random = mulberry32(20261208);
    const rates: Record<string, number> = { a: 0.3, b: 0.45, c: 0.44, d: 0.5, x: 0.6, y: 0.2 };
    const now = Date.now();
    const newest = now - MIN;
    const rows: Array<{ t: number; group: string; approved?: boolean }> = [];
    const messages: Array<{ value: string }> = [];
    for (let t = newest - 59 * MIN; t <= newest; t += 600) {
      const r = random();
      // a 30%, b 30%, c 30%, d 1% (under the minimum), outside `groups` 9%
      const group = r < 0.3 ? 'a' : r < 0.6 ? 'b' : r < 0.9 ? 'c' : r < 0.91 ? 'd' : r < 0.955 ? 'x' : 'y';
      const missingOutcome = random() < 0.01;
      const approved = random() < rates[group];
      const m: Record<string, unknown> = { algorithm_name: 'loans', algorithm_version: '3.1', algorithm_owner: 'risk', time: isoTime(t), duration_milliseconds: 7, segment: group };
      if (!missingOutcome) m.approved = approved;
      rows.push({ t, group, approved: missingOutcome ? undefined : approved });
      messages.push({ value: JSON.stringify(m) });
    }
    // The current window: the 12 five-minute slots ending with the newest message's slot.
    const lastSlot = Math.floor(newest / SLOT) * SLOT;
    const inWindow = rows.filter((r) => r.t >= lastSlot - 11 * SLOT && r.t < lastSlot + SLOT && r.approved !== undefined);
    const reported = (g: string) => (g === 'x' || g === 'y' ? 'other' : g);
    const counts = new Map<string, { n: number; positive: number }>();
    for (const r of inWindow) {
      const c = counts.get(reported(r.group)) ?? { n: 0, positive: 0 };
      c.n++;
      if (r.approved) c.positive++;
      counts.set(reported(r.group), c);
    }
    const expectedRate = new Map<string, number>();
    const expectedExecutions = new Map<string, number>();
    for (const [g, c] of counts) {
      if (c.n < MIN_GROUP) continue;
      expectedRate.set(g, c.positive / c.n);
      expectedExecutions.set(g, c.n);
    }
    const expectedRatio = new Map<string, number>();
    for (const [g, rate] of expectedRate) if (g !== 'b') expectedRatio.set(g, rate / (expectedRate.get('b') as number));
    // What the data was built to show: the small group is under the minimum, the others over it.
    expect((counts.get('d') as { n: number }).n).toBeLessThan(MIN_GROUP);
    expect([...expectedRate.keys()].sort()).toEqual(['a', 'b', 'c', 'other']);
    expect(expectedRatio.get('a')).toBeLessThan(0.8);
    const missingOutcomes = rows.filter((r) => r.approved === undefined).length;
    expect(missingOutcomes).toBeGreaterThan(0);

    const topic = uniqueName('fairness');
    await createTopic(bootstrap, topic, 3);
    await produce(bootstrap, topic, messages);
    const dsd = await DogStatsDListener.uds();
    const fairness = [{ name: 'approval_by_segment', outcome: 'approved', group_field: 'segment', groups: ['a', 'b', 'c', 'd'], reference_group: 'b', min_group_executions: MIN_GROUP }];
    const { file, dir } = writeConfig(
      testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { drift: { interval_seconds: 1, state_file: 'monitor.state' }, fairness } }),
    );
    const consumed = (lines: string[]) =>
      lines.filter((l) => l.startsWith('algorithmia.forwarder.messages.consumed:')).reduce((n, l) => n + Number(l.split('|')[0].split(':')[1]), 0);

    const first = CheckProcess.start(['run', '-c', file]);
    let after: string[];
    try {
      await dsd.waitFor((l) => consumed(l) >= messages.length, 120_000, 'every message consumed');
      const mark = dsd.lines.length;
      await dsd.waitFor((l) => l.slice(mark).filter((x) => x.startsWith('algorithmia.forwarder.drift.series_tracked:')).length >= 3, 30_000, 'reports after the backlog');
      after = dsd.lines.slice(mark);
      first.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    } finally {
      await first.stop();
    }

    expect(existsSync(join(dir, 'monitor.state'))).toBe(true);
    const rate = byGroup(after, 'algorithmia.fairness.positive_rate');
    const executions = byGroup(after, 'algorithmia.fairness.executions');
    const ratio = byGroup(after, 'algorithmia.fairness.disparate_impact');
    process.stderr.write(
      `[fairness] group: reported rate / exact, executions, ratio / exact: ${[...expectedRate]
        .map(([g, e]) => `${g} ${rate.get(g)?.toFixed(4)}/${e.toFixed(4)} n=${executions.get(g)} ${ratio.get(g)?.toFixed(4) ?? '-'}/${expectedRatio.get(g)?.toFixed(4) ?? '-'}`)
        .join('; ')}\n`,
    );
    expect([...rate.keys()].sort()).toEqual([...expectedRate.keys()].sort());
    for (const [g, e] of expectedRate) expect(rate.get(g)).toBeCloseTo(e, 9);
    expect(executions).toEqual(expectedExecutions);
    expect([...ratio.keys()].sort()).toEqual([...expectedRatio.keys()].sort());
    for (const [g, e] of expectedRatio) expect(ratio.get(g)).toBeCloseTo(e, 9);
    // The small group sends nothing, and no free-form value becomes a tag.
    expect(dsd.lines.filter((l) => /group:(d|x|y)(,|$)/.test(l))).toEqual([]);
    // The group field is read for the check only: never a metric, never a dropped value.
    expect(dsd.lines.filter((l) => l.startsWith('algorithmia.segment'))).toEqual([]);
    expect(dsd.lines.filter((l) => l.startsWith('algorithmia.forwarder.values.dropped:') && l.includes('reason:non_numeric'))).toEqual([]);
    // Executions without an outcome are left out and counted.
    const skipped = dsd.lines
      .filter((l) => l.startsWith('algorithmia.forwarder.fairness.executions_skipped:') && l.includes('reason:outcome_missing'))
      .reduce((n, l) => n + Number(l.split('|')[0].split(':')[1]), 0);
    expect(skipped).toBe(missingOutcomes);

    // Restart from the state file, nothing left to read: the same values at once.
    const mark = dsd.lines.length;
    const second = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => byGroup(l.slice(mark), 'algorithmia.fairness.disparate_impact').size >= expectedRatio.size, 30_000, 'ratios after the restart');
      const again = dsd.lines.slice(mark);
      for (const [g, v] of rate) expect(byGroup(again, 'algorithmia.fairness.positive_rate').get(g)).toBeCloseTo(v, 9);
      for (const [g, v] of ratio) expect(byGroup(again, 'algorithmia.fairness.disparate_impact').get(g)).toBeCloseTo(v, 9);
      expect(byGroup(again, 'algorithmia.fairness.executions')).toEqual(executions);
      expect(consumed(again)).toBe(0);
    } finally {
      await second.stop();
      await dsd.close();
    }
  }, 240_000);
});
