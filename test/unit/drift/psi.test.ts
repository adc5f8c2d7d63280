import { binOf, decileRanks, exactCuts, psiExact } from '../../../src/drift/psi';

describe('cut points', () => {
  test.each([
    [10, [0, 1, 2, 3, 4, 5, 6, 7, 8]],
    [11, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [7, [0, 1, 1, 2, 3, 3, 4, 4, 5]],
    [1, [0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ])('n = %i: ranks floor(k * (n - 1) / 10)', (n, ranks) => {
    expect(decileRanks(n)).toEqual(ranks);
  });

  test('equal cut points are merged', () => {
    expect(exactCuts([3, 1, 0, 0, 2, 0, 1, 0, 0, 1])).toEqual([0, 1, 2]);
    expect(exactCuts([5, 5, 5])).toEqual([5]);
  });

  test('bins are (-inf, e1], (e1, e2], ..., (ek, +inf)', () => {
    const cuts = [0, 1, 2];
    expect([-5, 0, 0.5, 1, 1.5, 2, 2.1].map((x) => binOf(cuts, x))).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });
});

describe('psiExact', () => {
  test('hand-worked: n = 10, duplicated cut points merged, empty bin floored at 0.0001', () => {
    // reference sorted 0 0 0 0 0 1 1 1 2 3: ranks 0..8 -> 0 0 0 0 0 1 1 1 2 -> cuts 0, 1, 2
    // reference shares: (-inf,0] 0.5, (0,1] 0.3, (1,2] 0.1, (2,inf) 0.1
    // current 0 0 1 1 1 1 2 2 2 2: 0.2, 0.4, 0.4, 0 -> 0.0001 (not renormalised)
    const ref = [3, 1, 0, 0, 2, 0, 1, 0, 0, 1];
    const cur = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const want =
      (0.2 - 0.5) * Math.log(0.2 / 0.5) +
      (0.4 - 0.3) * Math.log(0.4 / 0.3) +
      (0.4 - 0.1) * Math.log(0.4 / 0.1) +
      (0.0001 - 0.1) * Math.log(0.0001 / 0.1);
    expect(psiExact(ref, cur)).toBeCloseTo(want, 12);
  });

  test('identical sets give 0, empty sides NaN', () => {
    expect(psiExact([1, 2, 3, 4], [4, 3, 2, 1])).toBe(0);
    expect(psiExact([], [1])).toBeNaN();
    expect(psiExact([1], [])).toBeNaN();
  });
});
