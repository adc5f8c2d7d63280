/**
 * Model drift end to end: 30 hours of history replayed through the real broker and the real
 * check process into a real DogStatsD socket; the reported PSI against the exact PSI of the
 * raw values, with the windows computed here from the definitions; then a restart from the
 * state file reports the same scores without any new message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { psiExact } from '../../src/drift';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { mulberry32 } from '../harness/hostileCorpus';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

afterAll(() => cleanUpCheckProcesses());

const MIN = 60_000;
const HOUR = 60 * MIN;
const SLOT = 5 * MIN;

interface Point {
  version: string;
  field: string;
  t: number;
  value: number;
}

/** Zone-less ISO time, as Insights writes it (UTC). */
const isoTime = (t: number) => new Date(t).toISOString().replace('Z', '');

/** The current window of a version (12 five-minute slots ending with its newest message's) and its trailing range. */
function windows(newest: number) {
  const lastSlot = Math.floor(newest / SLOT) * SLOT;
  const windowStart = lastSlot - 11 * SLOT;
  const H = Math.floor(windowStart / HOUR) * HOUR;
  return { current: [windowStart, lastSlot + SLOT] as const, trailing: [H - 24 * HOUR, H] as const };
}

/** The previous version's reference: its own [N - 23 h, N + 1 h), N the hour of its newest message. */
function previousReference(newest: number): readonly [number, number] {
  const N = Math.floor(newest / HOUR) * HOUR;
  return [N - 23 * HOUR, N + HOUR];
}

const within = (points: Point[], version: string, field: string, [from, to]: readonly [number, number]) =>
  points.filter((p) => p.version === version && p.field === field && p.t >= from && p.t < to).map((p) => p.value);

/** `algorithmia.drift.psi` lines as score -> value (the last seen of each). */
function scores(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    if (!l.startsWith('algorithmia.drift.psi:')) continue;
    const [head, type, tagField] = l.split('|');
    expect(type).toBe('g');
    const tags = tagField.slice(1).split(',');
    const tag = (k: string) => tags.find((t) => t.startsWith(`${k}:`))?.slice(k.length + 1);
    out.set(`${tag('algorithm_version')}/${tag('field')}/${tag('baseline')}/${tag('baseline_version') ?? ''}`, Number(head.slice('algorithmia.drift.psi:'.length)));
  }
  return out;
}

describe('model drift', () => {
  const { bootstrap } = sharedBroker();

  it('reports the exact PSI of replayed history, and the same scores after a restart from the state file', async () => {
    const random = mulberry32(20261130);
    const normal = (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const now = Date.now();
    // Version 1.0: 30 hours up to 70 minutes ago, its field shifted in its last hour.
    // Version 2.0: the last hour, with risk_score like 1.0's last hour and a field 1.0 never had.
    const points: Point[] = [];
    const messages: Array<{ value: string }> = [];
    const v1End = now - 70 * MIN;
    for (let t = v1End - 30 * HOUR; t <= v1End; t += 6_000) {
      const risk = t > v1End - HOUR ? normal(0.55, 0.05) : normal(0.3, 0.08);
      points.push({ version: '1.0', field: 'risk_score', t, value: risk });
      messages.push({ value: JSON.stringify({ algorithm_name: 'credit', algorithm_version: '1.0', algorithm_owner: 'ml', time: isoTime(t), duration_milliseconds: 5, risk_score: risk }) });
    }
    for (let t = now - 60 * MIN; t <= now - MIN; t += 6_000) {
      const risk = normal(0.5, 0.06);
      const approved = random() < 0.3 ? 1 : 0;
      points.push({ version: '2.0', field: 'risk_score', t, value: risk }, { version: '2.0', field: 'approved', t, value: approved });
      messages.push({ value: JSON.stringify({ algorithm_name: 'credit', algorithm_version: '2.0', algorithm_owner: 'ml', time: isoTime(t), duration_milliseconds: 5, risk_score: risk, approved: approved === 1 }) });
    }
    const newest = (v: string) => Math.max(...points.filter((p) => p.version === v).map((p) => p.t));
    const w1 = windows(newest('1.0'));
    const w2 = windows(newest('2.0'));
    const expected = new Map<string, number>([
      ['1.0/risk_score/trailing/', psiExact(within(points, '1.0', 'risk_score', w1.trailing), within(points, '1.0', 'risk_score', w1.current))],
      ['2.0/risk_score/previous_version/1.0', psiExact(within(points, '1.0', 'risk_score', previousReference(newest('1.0'))), within(points, '2.0', 'risk_score', w2.current))],
    ]);
    // What the data was built to show: a significant shift of 1.0 against its own past, and enough values everywhere.
    expect(expected.get('1.0/risk_score/trailing/')).toBeGreaterThan(0.25);
    expect(within(points, '2.0', 'approved', w2.current).length).toBeGreaterThan(500);

    const topic = uniqueName('drift');
    await createTopic(bootstrap, topic, 3);
    await produce(bootstrap, topic, messages);
    const dsd = await DogStatsDListener.uds();
    const group = uniqueName('g');
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url, extra: { drift: { interval_seconds: 1, state_file: 'drift.state' } } }));
    const stateFile = join(dir, 'drift.state');
    const consumed = (lines: string[]) =>
      lines.filter((l) => l.startsWith('algorithmia.forwarder.messages.consumed:')).reduce((n, l) => n + Number(l.split('|')[0].split(':')[1]), 0);

    const first = CheckProcess.start(['run', '-c', file]);
    let reported: Map<string, number>;
    try {
      await dsd.waitFor((l) => consumed(l) >= messages.length, 120_000, 'every message consumed');
      const mark = dsd.lines.length;
      // A report that saw every message: two more rounds after the last one was consumed.
      await dsd.waitFor((l) => l.slice(mark).filter((x) => x.startsWith('algorithmia.forwarder.drift.series_tracked:')).length >= 2, 30_000, 'drift reports after the backlog');
      reported = scores(dsd.lines.slice(mark));
      first.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    } finally {
      await first.stop();
    }

    // Exactly the scores that have enough data on both sides: no trailing score for 2.0 (no history),
    // no previous_version score for 1.0 (no earlier version) or for a field 1.0 never had.
    expect([...reported.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, exact] of expected) {
      const got = reported.get(key) as number;
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(0.02 + 0.1 * exact);
    }
    expect(existsSync(stateFile)).toBe(true);
    const tracked = dsd.lines.filter((l) => l.startsWith('algorithmia.forwarder.drift.series_tracked:')).pop();
    expect(tracked?.split('|')[0]).toBe('algorithmia.forwarder.drift.series_tracked:3');

    // Restart: the same group (nothing left to read) and the state file: the same scores at once.
    const mark = dsd.lines.length;
    const second = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => scores(l.slice(mark)).size >= expected.size, 30_000, 'scores after the restart');
      const again = scores(dsd.lines.slice(mark));
      for (const [key, value] of reported) expect(again.get(key)).toBeCloseTo(value, 9);
      expect(consumed(dsd.lines.slice(mark))).toBe(0);
    } finally {
      await second.stop();
      await dsd.close();
    }
  }, 240_000);
});
