/**
 * Short trailing references (issue 23): a new version's reference holds only the hours since it
 * started. Busy series (every sketch compacts), fed in time order as a stream is: the reference
 * in the last 1, 2 or 5 hours before the current window, or in one 5-minute slot; the score
 * against the exact PSI of the same raw values, within 0.02 + 10% of it, over several seeds.
 * With hour sketches always at k = 32, a reference in one or two hours broke the bound.
 */
import { SLOT_K } from '../../../src/drift/state';
import { HOUR, MIN, T0, expectNearExact, mulberry32, normal, tracker } from './helpers';

type Gen = (rand: () => number) => () => number;
const norm = (m: number, s: number): Gen => (r) => normal(r, m, s);
const logn = (m: number, s: number): Gen => (r) => {
  const g = normal(r, m, s);
  return () => Math.exp(g());
};

const PER_HOUR = 30_000;
const CURRENT = 30_000;
const SEEDS = [1, 2, 3];
const spans: Array<[string, number]> = [
  ['one 5-minute slot', 5 * MIN],
  ['1 hour', HOUR],
  ['2 hours', 2 * HOUR],
  ['5 hours', 5 * HOUR],
];
const dists: Array<[string, Gen, Gen]> = [
  ['normal stable', norm(0, 1), norm(0, 1)],
  ['normal shifted', norm(0, 1), norm(0.7, 1)],
  ['lognormal stable', logn(0, 1), logn(0, 1)],
  ['lognormal shifted', logn(0, 1), logn(0.7, 1)],
];
const cases = spans.flatMap(([span, ms]) => dists.map(([d, ref, cur]) => [`${d}, reference in ${span}`, ms, ref, cur] as const));

const lines: string[] = [];
afterAll(() => console.log(`short references (tracker - exact), worst of ${SEEDS.length} seeds:\n${lines.join('\n')}`));

describe('a version with a short trailing reference, against the exact PSI', () => {
  test.each(cases)('%s', (label, span, refGen, curGen) => {
    let worst = '';
    let worstShare = -1;
    for (const seed of SEEDS) {
      const rand = mulberry32(seed * 1_000_003 + label.length * 131 + span / MIN);
      const t = tracker({ baselines: ['trailing'] });
      // The window [H, H + 1 h) with its newest message in its last slot; the version started at H - span.
      const H = T0 + 30 * HOUR;
      const nRef = span < HOUR ? PER_HOUR : (PER_HOUR * span) / HOUR;
      const ref: number[] = [];
      const g = refGen(rand);
      for (let i = 0; i < nRef; i++) {
        ref.push(g());
        t.observe('algo', 'v1', 'owner', H - span + Math.floor((span * i) / nRef), 'x', ref[i]);
      }
      const cur: number[] = [];
      const c = curGen(rand);
      for (let i = 0; i < CURRENT; i++) {
        cur.push(c());
        t.observe('algo', 'v1', 'owner', H + Math.floor((HOUR * i) / CURRENT), 'x', cur[i]);
      }
      const scores = t.report(H + HOUR);
      expect(scores).toHaveLength(1);
      const { exact, line } = expectNearExact(`${label}, seed ${seed}`, scores[0].psi, ref, cur);
      const share = Math.abs(scores[0].psi - exact) / (0.02 + 0.1 * exact);
      if (share > worstShare) [worstShare, worst] = [share, line];
      if (label.includes('shifted')) expect(exact).toBeGreaterThan(0.25);
      else expect(exact).toBeLessThan(0.01);
    }
    lines.push(worst);
  });

  test('the sketches compact: each hour of the reference holds more values than a k = 128 sketch keeps', () => {
    expect(PER_HOUR / 12).toBeGreaterThan(3 * SLOT_K);
  });
});
