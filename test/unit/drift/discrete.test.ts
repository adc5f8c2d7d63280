/**
 * Discrete series (issue 23): at most 16 distinct values in the reference and the current window
 * together -> one bin per distinct value; more -> the decile rule unchanged. The known answers
 * come from the test's own formula (`byValue`, on exact shares); the tracker's scores are checked
 * against psiExactDiscrete on the same raw values. Each tracker case also checks that the decile
 * rule gives another number, so that it fails on a tracker that bins by deciles only.
 */
import { psiExact, psiExactDiscrete } from '../../../src/drift';
import { BY_VALUE_MAX, SHARE_FLOOR, psiByValue, psiOfSides, valueBins } from '../../../src/drift/psi';
import { Weighted } from '../../../src/drift/sketch';
import { HOUR, MIN, T0, allowed, expectNearExact, feed, mulberry32, tracker } from './helpers';

/** The test's own by-value PSI from each side's share per value (same value order on both sides). */
function byValue(ref: number[], cur: number[]): number {
  let psi = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.max(ref[i], 0.0001);
    const c = Math.max(cur[i], 0.0001);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Raw values: `counts[i]` copies of values[i], shuffled. */
function raw(values: number[], counts: number[], seed = 1): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    for (let j = 0; j < counts[i]; j++) out.push(v);
  });
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('psiExactDiscrete: the rule on raw values, against known answers', () => {
  const minor = range(15, 1); // weights 1..15 of the minor values: unequal, so that merging them changes PSI
  test.each<[string, number[], number[], number[], boolean]>([
    // label, values, reference counts, current counts, whether the deciles score otherwise
    ['boolean 95% true -> 50%', [0, 1], [50, 950], [500, 500], true],
    ['boolean 5% true -> 50% (the deciles see it too)', [0, 1], [950, 50], [500, 500], false],
    ['class codes 3/3/94% -> 30/10/60%', [0, 1, 2], [30, 30, 940], [300, 100, 600], true],
    ['a new code in the current window only: its own bin', [0, 1, 2, 3], [300, 0, 400, 300], [250, 200, 300, 250], true],
    ['exactly 16 distinct values, one dominant', range(16), [880, ...minor], [400, ...minor.map((w) => 45 - 2 * w)], true],
  ])('%s', (_label, values, refCounts, curCounts, decilesDiffer) => {
    const ref = raw(values, refCounts, 3);
    const cur = raw(values, curCounts, 4);
    const nr = ref.length;
    const nc = cur.length;
    const want = byValue(
      refCounts.map((c) => c / nr),
      curCounts.map((c) => c / nc),
    );
    expect(psiExactDiscrete(ref, cur)).toBeCloseTo(want, 12);
    // The deciles put the dominant value's 90%+ in one bin, or the new code with another: another score.
    if (decilesDiffer) expect(Math.abs(psiExact(ref, cur) - want)).toBeGreaterThan(0.05);
    else expect(psiExact(ref, cur)).toBeCloseTo(want, 12);
  });

  test('the issue\'s worked examples, by the test\'s own formula', () => {
    // A boolean whose true share falls from 0.95 to 0.50 scores the same as 0.05 to 0.50 by value.
    expect(byValue([0.05, 0.95], [0.5, 0.5])).toBeCloseTo(byValue([0.95, 0.05], [0.5, 0.5]), 12);
    expect(psiExact(raw([0, 1], [50, 950]), raw([0, 1], [500, 500]))).toBe(0); // the deciles: blind
  });

  test('17 distinct values in the union: the decile rule, unchanged', () => {
    const ref = raw(range(16), [910, ...new Array<number>(15).fill(6)], 5);
    const cur = [...raw(range(16), [580, ...new Array<number>(15).fill(26)], 6), ...new Array<number>(30).fill(16)];
    expect(psiExactDiscrete(ref, cur)).toBe(psiExact(ref, cur));
    expect(psiExactDiscrete(ref, cur)).not.toBeCloseTo(psiExactDiscrete(ref, cur.filter((v) => v !== 16)), 2);
  });

  test('-0 and 0 are one value; empty sides NaN', () => {
    expect(psiExactDiscrete([0, 0, 1], [-0, -0, 1])).toBe(0);
    expect(psiExactDiscrete([], [1])).toBeNaN();
    expect(psiExactDiscrete([1], [])).toBeNaN();
  });
});

function weighted(items: Array<[number, number]>): Weighted {
  const w = new Weighted();
  for (const [v, c] of items) w.push(v, c);
  return w;
}
const expand = (items: Array<[number, number]>): number[] => items.flatMap(([v, c]) => new Array<number>(c).fill(v));

describe('psiByValue and psiOfSides on gathered items', () => {
  // Items as several sketches gather them: a value may come once per sketch.
  const ref: Array<[number, number]> = [[1, 400], [0, 30], [1, 540], [0, 20], [2, 10]];
  const cur: Array<[number, number]> = [[0, 250], [1, 200], [0, 250], [3, 300]];

  test('equal to the exact rule on the raw values they stand for', () => {
    expect(psiByValue(weighted(ref), weighted(cur))).toBeCloseTo(psiExactDiscrete(expand(ref), expand(cur)), 12);
    expect(psiOfSides(weighted(ref), true, weighted(cur), true)).toBeCloseTo(psiExactDiscrete(expand(ref), expand(cur)), 12);
  });

  test('deciles when a side is not exact counts, or when the union has more than 16 values', () => {
    const decile = psiExact(expand(ref), expand(cur));
    expect(psiOfSides(weighted(ref), false, weighted(cur), true)).toBeCloseTo(decile, 12);
    expect(psiOfSides(weighted(ref), true, weighted(cur), false)).toBeCloseTo(decile, 12);
    const many: Array<[number, number]> = range(17).map((v) => [v, 10]);
    const other: Array<[number, number]> = range(17).map((v) => [v, v + 1]);
    expect(psiOfSides(weighted(many), true, weighted(other), true)).toBeCloseTo(psiExact(expand(many), expand(other)), 12);
  });

  test('valueBins: the union ascending with each side\'s weight; undefined past the limit', () => {
    const bins = valueBins(weighted(ref), weighted(cur));
    expect(bins?.values).toEqual([0, 1, 2, 3]);
    expect(Array.from(bins?.ref ?? [])).toEqual([50, 940, 10, 0]);
    expect(Array.from(bins?.cur ?? [])).toEqual([500, 200, 0, 300]);
    expect(valueBins(weighted(range(16).map((v) => [v, 1])), weighted([[15, 1]]))?.values).toHaveLength(BY_VALUE_MAX);
    expect(valueBins(weighted(range(16).map((v) => [v, 1])), weighted([[16, 1]]))).toBeUndefined();
    expect(SHARE_FLOOR).toBe(0.0001);
  });
});

type Gen = (rand: () => number) => number;
/** Values 0..n-1 with these weights. */
const codes =
  (weights: number[]): Gen =>
  (rand) => {
    let x = rand() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
    return weights.length - 1;
  };
const bool = (p: number): Gen => (rand) => (rand() < p ? 1 : 0);
const sixteen = [92, ...range(15, 1).map((w) => w / 15)];
const sixteenShifted = [40, ...range(15, 1).map((w) => (45 - 2 * w) / 10)];

const lines: string[] = [];
afterAll(() => console.log(`discrete drift accuracy (tracker - exact):\n${lines.join('\n')}`));

describe('through the DriftTracker: reference in hour sketches, current window in slot sketches', () => {
  // label, reference generator, current generator, reference values (24 h), current values (1 h), rule
  test.each<[string, Gen, Gen, number, number, 'by value' | 'deciles']>([
    ['boolean 95% -> 50% true', bool(0.95), bool(0.5), 100_000, 20_000, 'by value'],
    ['boolean 5% -> 50% true (the deciles see it too)', bool(0.05), bool(0.5), 100_000, 20_000, 'by value'],
    ['boolean 95% true, stable', bool(0.95), bool(0.95), 100_000, 20_000, 'by value'],
    ['class codes 3/3/94 -> 30/10/60', codes([3, 3, 94]), codes([30, 10, 60]), 100_000, 20_000, 'by value'],
    ['a new code in the current window', codes([30, 0, 40, 30]), codes([25, 20, 30, 25]), 100_000, 20_000, 'by value'],
    ['16 distinct values, one dominant', codes(sixteen), codes(sixteenShifted), 100_000, 20_000, 'by value'],
    ['17 distinct: 16 in the reference, a 17th in the current', codes(sixteen), codes([...sixteenShifted, 10]), 100_000, 20_000, 'deciles'],
    ['17 distinct on each side (sketches past exact mode)', codes([...sixteen, 5]), codes([...sixteenShifted, 10]), 100_000, 20_000, 'deciles'],
  ])('%s', (label, refGen, curGen, nRef, nCur, rule) => {
    const rand = mulberry32(label.length * 7907 + nRef);
    const t = tracker();
    const ref = feed(t, 'v1', 'x', T0, T0 + 24 * HOUR, nRef, () => refGen(rand));
    const cur = feed(t, 'v1', 'x', T0 + 24 * HOUR, T0 + 25 * HOUR, nCur, () => curGen(rand));
    const scores = t.report(T0 + 25 * HOUR);
    expect(scores).toHaveLength(1);
    const { exact, line } = expectNearExact(label, scores[0].psi, ref, cur);
    lines.push(line);
    const distinct = new Set([...ref, ...cur]).size;
    if (rule === 'by value') {
      expect(distinct).toBeLessThanOrEqual(16);
      // exact counts: the same number as the exact rule, not only within the bound
      expect(scores[0].psi).toBeCloseTo(exact, 9);
      if (!label.includes('stable') && !label.startsWith('boolean 5%')) expect(Math.abs(psiExact(ref, cur) - exact)).toBeGreaterThan(allowed(exact));
    } else {
      expect(distinct).toBe(17);
      expect(exact).toBe(psiExact(ref, cur));
    }
  });

  test('previous_version baseline: a boolean whose true share falls in the new version', () => {
    const rand = mulberry32(11);
    const t = tracker({ baselines: ['previous_version'] });
    const ref = feed(t, 'v1', 'approved', T0, T0 + 20 * HOUR, 50_000, () => bool(0.95)(rand));
    const cur = feed(t, 'v2', 'approved', T0 + 20 * HOUR + 30 * MIN, T0 + 21 * HOUR, 10_000, () => bool(0.5)(rand));
    const scores = t.report(T0 + 21 * HOUR);
    const s = scores.filter((x) => x.version === 'v2');
    expect(s).toHaveLength(1);
    expect(s[0].psi).toBeCloseTo(psiExactDiscrete(ref, cur), 9);
    expect(s[0].psi).toBeGreaterThan(1);
  });
});
