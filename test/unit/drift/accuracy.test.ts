/**
 * Sketch PSI against the exact PSI of the raw values (psiExactDiscrete: deciles as psiExact, by
 * value for the few-valued cases), through the whole tracker (many hourly buckets merged).
 */
import { HOUR, MIN, T0, expectNearExact, feed, mulberry32, normal, tracker } from './helpers';

type Gen = (rand: () => number) => () => number;
const norm = (m: number, s: number): Gen => (r) => normal(r, m, s);
const logn = (m: number, s: number): Gen => (r) => {
  const g = normal(r, m, s);
  return () => Math.exp(g());
};
const ints = (weights: number[]): Gen => (r) => () => {
  let x = r() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
  return weights.length - 1;
};
const bool = (p: number): Gen => (r) => () => (r() < p ? 1 : 0);
const constant = (c: number): Gen => () => () => c;

type Expect = 'drift' | 'stable';
const cases: Array<[string, Gen, Gen, number, number, Expect]> = [
  ['normal unshifted', norm(0, 1), norm(0, 1), 200_000, 50_000, 'stable'],
  ['normal shifted', norm(0, 1), norm(0.7, 1), 200_000, 50_000, 'drift'],
  ['normal unshifted small', norm(0, 1), norm(0, 1), 500, 500, 'stable'],
  ['normal shifted small', norm(0, 1), norm(1, 1), 500, 500, 'drift'],
  ['normal wider', norm(0, 1), norm(0, 2), 20_000, 5_000, 'drift'],
  ['N(1000,1) unshifted', norm(1000, 1), norm(1000, 1), 100_000, 20_000, 'stable'],
  ['N(1000,1) shifted', norm(1000, 1), norm(1000.8, 1), 100_000, 20_000, 'drift'],
  ['N(1000,1) shifted mid', norm(1000, 1), norm(1000.6, 1), 5_000, 2_000, 'drift'],
  ['negative unshifted', norm(-50, 5), norm(-50, 5), 50_000, 10_000, 'stable'],
  ['negative shifted', norm(-50, 5), norm(-46, 5), 50_000, 10_000, 'drift'],
  ['lognormal unshifted', logn(0, 1), logn(0, 1), 100_000, 30_000, 'stable'],
  ['lognormal shifted', logn(0, 1), logn(0.7, 1), 100_000, 30_000, 'drift'],
  ['ints 0..5 unshifted', ints([1, 2, 3, 3, 2, 1]), ints([1, 2, 3, 3, 2, 1]), 200_000, 50_000, 'stable'],
  ['ints 0..5 shifted', ints([1, 2, 3, 3, 2, 1]), ints([3, 3, 2, 1, 1, 1]), 200_000, 50_000, 'drift'],
  ['booleans same rate', bool(0.3), bool(0.3), 200_000, 50_000, 'stable'],
  ['booleans other rate', bool(0.3), bool(0.6), 200_000, 50_000, 'drift'],
  ['constant', constant(7), constant(7), 10_000, 1_000, 'stable'],
  ['normal mid sizes', norm(10, 3), norm(10, 3), 30_000, 3_000, 'stable'],
  ['normal large current', norm(0, 1), norm(0.6, 1), 150_000, 50_000, 'drift'],
];

const worst: string[] = [];
afterAll(() => console.log(`drift accuracy (sketch - exact):\n${worst.join('\n')}`));

/** The tracker's one score at the end of the current hour against the exact PSI of the raw values. */
function expectClose(label: string, t: ReturnType<typeof tracker>, ref: number[], cur: number[], want: Expect): void {
  const scores = t.report(T0 + 25 * HOUR);
  expect(scores).toHaveLength(1);
  const { exact, line } = expectNearExact(label, scores[0].psi, ref, cur);
  worst.push(line);
  if (want === 'drift') expect(exact).toBeGreaterThan(0.25);
  else expect(exact).toBeLessThan(0.1);
}

describe('sketch PSI vs psiExact (trailing baseline, 24 hourly buckets vs 12 slots)', () => {
  test.each(cases)('%s', (label, refGen, curGen, nRef, nCur, want) => {
    const rand = mulberry32(label.length * 7919 + nRef);
    const t = tracker();
    const ref = feed(t, 'v1', 'x', T0, T0 + 24 * HOUR, nRef, refGen(rand));
    const cur = feed(t, 'v1', 'x', T0 + 24 * HOUR, T0 + 25 * HOUR, nCur, curGen(rand));
    expectClose(label, t, ref, cur, want);
  });
});

describe('sketch PSI vs psiExact with a busy current slot (600,000 values in 5 minutes: its sketch samples)', () => {
  test.each<[string, Gen, Gen, Expect]>([
    ['busy normal unshifted', norm(0, 1), norm(0, 1), 'stable'],
    ['busy normal shifted', norm(0, 1), norm(0.7, 1), 'drift'],
    ['busy lognormal shifted', logn(0, 1), logn(0.7, 1), 'drift'],
  ])('%s', (label, refGen, curGen, want) => {
    const rand = mulberry32(label.length * 104729);
    const t = tracker();
    const ref = feed(t, 'v1', 'x', T0, T0 + 24 * HOUR, 600_000, refGen(rand));
    // A few values over the window's first 55 minutes, then the bulk in its last slot.
    const cur = curGen(rand);
    const curValues = [...feed(t, 'v1', 'x', T0 + 24 * HOUR, T0 + 24 * HOUR + 55 * MIN, 2_000, cur), ...feed(t, 'v1', 'x', T0 + 24 * HOUR + 55 * MIN, T0 + 25 * HOUR, 600_000, cur)];
    expectClose(label, t, ref, curValues, want);
  });
});
