/**
 * Windows and baselines. Few distinct values keep the sketches exact, so a reported PSI equals
 * the exact PSI (by value: at most 16 distinct values, psiExactDiscrete) of the sets that should
 * be compared; each test also checks that the sets a wrong boundary would compare give another
 * PSI, so it can fail.
 */
import { DriftTracker, psiExactDiscrete, type DriftScore } from '../../../src/drift';
import { HOUR, MIN, T0, tracker } from './helpers';

function obs(t: DriftTracker, version: string, at: number, value: number, times = 1, field = 'x', name = 'algo'): number[] {
  for (let i = 0; i < times; i++) t.observe(name, version, 'owner', at, field, value);
  return new Array<number>(times).fill(value);
}
function only(scores: DriftScore[], baseline: string, version = 'v1'): DriftScore {
  const s = scores.filter((x) => x.baseline === baseline && x.version === version);
  expect(s).toHaveLength(1);
  return s[0];
}
function expectPsi(psi: number, ref: number[], cur: number[], wrong: Array<[number[], number[]]>): void {
  const right = psiExactDiscrete(ref, cur);
  expect(psi).toBeCloseTo(right, 12);
  for (const [r, c] of wrong) expect(Math.abs(psiExactDiscrete(r, c) - right)).toBeGreaterThan(1e-6);
}

describe('current window and trailing baseline', () => {
  test('newest exactly at an hour (and slot) start: 12 slots, [H, window) excluded, [H - 24 h, H) edges', () => {
    const T = T0 + 30 * HOUR; // newest; window = [T - 55 min, T + 5 min); H = T - 1 h
    const H = T - HOUR;
    const t = tracker({ baselines: ['trailing'] });
    const ref = [...obs(t, 'v1', H - 24 * HOUR, 0, 10), ...obs(t, 'v1', H - 12 * HOUR, 1, 10), ...obs(t, 'v1', H - 1, 2, 10)];
    const tooOld = obs(t, 'v1', H - 24 * HOUR - 1, -1, 5);
    const atH = obs(t, 'v1', H, 2.5, 5);
    const beforeWindow = obs(t, 'v1', T - 55 * MIN - 1, 2.5, 5);
    const cur = [...obs(t, 'v1', T - 55 * MIN, 1.5, 10), ...obs(t, 'v1', T, 0.5, 10)];
    const psi = only(t.report(T), 'trailing').psi;
    expectPsi(psi, ref, cur, [
      [[...ref, ...tooOld], cur],
      [[...ref, ...atH], cur],
      [ref, [...cur, ...beforeWindow]],
      [ref, [...cur, ...atH]],
      [ref.slice(10), cur],
      [ref.slice(0, 20), cur],
      [ref, cur.slice(10)],
    ]);
  });

  test('newest mid-hour: window starts 55 min before its slot, H is the hour of that first slot', () => {
    const T = T0 + 30 * HOUR + 30 * MIN + 7_000; // slot 10:30; window [9:35, 10:35); H = 9:00
    const H = T0 + 29 * HOUR;
    const t = tracker({ baselines: ['trailing'] });
    const ref = [...obs(t, 'v1', H - 24 * HOUR, 0, 10), ...obs(t, 'v1', H - 1, 1, 10)];
    const gap = obs(t, 'v1', H + 34 * MIN, 3, 5); // 9:34, between H and the window
    const cur = [...obs(t, 'v1', H + 35 * MIN, 0.5, 10), ...obs(t, 'v1', T, 2, 10)];
    const psi = only(t.report(T), 'trailing').psi;
    expectPsi(psi, ref, cur, [
      [ref, [...cur, ...gap]],
      [[...ref, ...gap], cur],
      [ref, cur.slice(10)],
    ]);
  });

  test('newest is the highest message time, not the last to arrive', () => {
    const T = T0 + 30 * HOUR;
    const t = tracker({ baselines: ['trailing'] });
    const cur = obs(t, 'v1', T, 1, 10);
    const early = obs(t, 'v1', T - 5 * HOUR, 2, 10);
    const late = obs(t, 'v1', T - 3 * HOUR, 0, 10); // arrives last, older
    const psi = only(t.report(T), 'trailing').psi;
    // Newest taken as the last to arrive would score `late` (as the window) against `early`.
    expectPsi(psi, [...early, ...late], cur, [[early, late]]);
  });

  test('min_samples gates each side', () => {
    const T = T0 + 30 * HOUR;
    const t = tracker({ baselines: ['trailing'], minSamples: 500 });
    obs(t, 'v1', T - 5 * HOUR, 0, 499);
    obs(t, 'v1', T, 1, 499);
    expect(t.report(T)).toHaveLength(0);
    obs(t, 'v1', T, 1, 1);
    expect(t.report(T)).toHaveLength(0); // reference still 499
    obs(t, 'v1', T - 5 * HOUR, 0, 1);
    expect(t.report(T)).toHaveLength(1);
  });
});

describe('previous_version baseline', () => {
  function version(t: DriftTracker, v: string, earliest: number, newest: number): void {
    obs(t, v, earliest, 0, 3);
    obs(t, v, newest, 1, 3);
  }
  const prevOf = (scores: DriftScore[]): Record<string, string | undefined> =>
    Object.fromEntries(scores.filter((s) => s.baseline === 'previous_version').map((s) => [s.version, s.baselineVersion]));

  test('latest earliest time strictly before this one, including a version that arrives late', () => {
    const t = tracker({ baselines: ['previous_version'] });
    const now = T0 + 30 * HOUR;
    version(t, 'v1', now - 20 * HOUR, now - 10 * MIN);
    version(t, 'v3', now - 10 * HOUR, now - 5 * MIN);
    version(t, 'v2', now - 15 * HOUR, now);
    expect(prevOf(t.report(now))).toEqual({ v2: 'v1', v3: 'v2' });
    version(t, 'v4', now - 12 * HOUR, now); // arrives last, earliest between v2 and v3
    expect(prevOf(t.report(now))).toEqual({ v2: 'v1', v3: 'v4', v4: 'v2' });
    obs(t, 'v5', now - 10 * HOUR, 0, 3, 'x', 'other'); // another algorithm is never a previous version
    expect(prevOf(t.report(now))).toEqual({ v2: 'v1', v3: 'v4', v4: 'v2' });
  });

  test('reference is the previous version over [N - 23 h, N + 1 h), N = hour of its newest', () => {
    const N = T0 + 40 * HOUR;
    const t = tracker({ baselines: ['previous_version'] });
    const excluded = obs(t, 'v1', N - 23 * HOUR - 1, -1, 5);
    const ref = [...obs(t, 'v1', N - 23 * HOUR, 0, 10), ...obs(t, 'v1', N + 59 * MIN, 2, 10)];
    const now = N + 3 * HOUR;
    const cur = [...obs(t, 'v2', now - 20 * MIN, 1, 10), ...obs(t, 'v2', now, 2, 10)];
    const s = only(t.report(now), 'previous_version', 'v2');
    expect(s.baselineVersion).toBe('v1');
    expectPsi(s.psi, ref, cur, [
      [[...ref, ...excluded], cur],
      [ref.slice(10), cur],
    ]);
  });

  test('a field the previous version never had gets no previous_version score', () => {
    const t = tracker();
    const now = T0 + 30 * HOUR;
    obs(t, 'v1', now - 5 * HOUR, 0, 10, 'a');
    obs(t, 'v2', now - 2 * HOUR, 0, 10, 'b');
    obs(t, 'v2', now, 1, 10, 'b');
    obs(t, 'v2', now, 1, 10, 'a');
    const scores = t.report(now).filter((s) => s.version === 'v2');
    expect(scores.map((s) => `${s.field}/${s.baseline}`).sort()).toEqual(['a/previous_version', 'b/trailing']);
  });
});

describe('reporting, expiry and the series cap', () => {
  test('reported while the newest message is less than 2 h old; owner is the latest seen', () => {
    const T = T0 + 30 * HOUR;
    const t = tracker({ baselines: ['trailing'] });
    obs(t, 'v1', T - 5 * HOUR, 0, 10);
    obs(t, 'v1', T, 1, 10);
    t.observe('algo', 'v1', 'new-owner', T - 10 * MIN, 'x', 1);
    const s = t.report(T + 2 * HOUR - 1);
    expect(s).toEqual([{ algorithmName: 'algo', version: 'v1', owner: 'new-owner', field: 'x', baseline: 'trailing', psi: expect.any(Number) }]);
    expect(t.report(T + 2 * HOUR)).toHaveLength(0);
  });

  test('state kept for 25 h after the newest message time, then dropped', () => {
    const T = T0 + 30 * HOUR;
    const t = tracker();
    obs(t, 'v1', T, 1, 3, 'a');
    obs(t, 'v1', T - HOUR, 1, 3, 'b');
    t.expire(T + 25 * HOUR);
    expect(t.trackedSeries).toBe(2);
    t.expire(T + 25 * HOUR + 1);
    expect(t.trackedSeries).toBe(0);
    obs(t, 'v1', T + 26 * HOUR, 1, 1, 'a'); // a new state, not the old one
    obs(t, 'v1', T + 26 * HOUR - 4 * HOUR, 0, 1, 'a');
    expect(t.report(T + 26 * HOUR)).toHaveLength(1);
  });

  test('beyond max_series new series are counted, not tracked; expiry frees them', () => {
    const T = T0 + 30 * HOUR;
    const t = tracker({ maxSeries: 2 });
    obs(t, 'v1', T, 1, 2, 'a');
    obs(t, 'v1', T, 1, 2, 'b');
    obs(t, 'v1', T, 1, 3, 'c');
    obs(t, 'v2', T + HOUR, 1, 4, 'a');
    obs(t, 'v1', T, 1, 1, 'a');
    expect(t.trackedSeries).toBe(2);
    expect(t.takeUntracked()).toBe(7);
    expect(t.takeUntracked()).toBe(0);
    t.expire(T + 25 * HOUR + 1); // v1 goes, v2 stays (it had no series)
    expect(t.trackedSeries).toBe(0);
    obs(t, 'v2', T + HOUR, 1, 1, 'a');
    expect(t.trackedSeries).toBe(1);
    expect(t.takeUntracked()).toBe(0);
  });
});
