/**
 * The sketch on long streams, where its sampler is on: every value is accounted for, memory
 * stays bounded, and ranks stay within KLL's error against the exact ranks of the same values.
 * The error bound is the one Apache DataSketches documents for its KLL sketch (single-sided
 * normalized rank error at 99% confidence, 1.33% at k = 200): 2.66 / k.
 */
import { KEEP_LEVELS, Sketch, Weighted } from '../../../src/drift/sketch';
import { capsFor, sortRange, totalCap } from '../../../src/drift/sketchParts';
import { mulberry32, normal } from './helpers';

const rankBound = (k: number): number => 2.66 / k;

/** Largest |estimated rank - exact rank| / n over the 1st..99th percentiles of `values`. */
function worstRankError(sk: Sketch, values: Float64Array): number {
  const out = new Weighted();
  sk.gather(out);
  const order = Array.from(out.v.subarray(0, out.len).keys()).sort((a, b) => out.v[a] - out.v[b]);
  const sorted = Float64Array.from(values).sort();
  let worst = 0;
  for (let p = 1; p < 100; p++) {
    const x = sorted[Math.floor((p / 100) * sorted.length)];
    let est = 0;
    for (const i of order) {
      if (out.v[i] > x) break;
      est += out.w[i];
    }
    let exact = 0;
    for (let lo = 0, hi = sorted.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= x) lo = exact = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(est - exact) / sorted.length);
  }
  return worst;
}

function totalWeight(sk: Sketch): number {
  const out = new Weighted();
  sk.gather(out);
  return out.total;
}

describe('sketch with its sampler', () => {
  it.each([
    ['normal', 128, 2_000_000],
    ['uniform', 128, 1_000_000],
    ['normal, hour sketch k = 32', 32, 1_000_000],
  ])('%s: every value counted, bounded memory, rank error within KLL bound', (label, k, n) => {
    const rand = mulberry32(label.length * 31 + k);
    const gen = label.startsWith('uniform') ? rand : normal(rand, 50, 10);
    const values = new Float64Array(n);
    const sk = new Sketch(k, 12345);
    for (let i = 0; i < n; i++) {
      values[i] = gen();
      sk.add(values[i]);
      if ((i & 0xffff) === 0xffff) expect(totalWeight(sk)).toBe(i + 1);
    }
    const { sampler, buf, lv } = sk.internals();
    expect(sampler.s).toBeGreaterThan(0); // the sampler is on
    expect(lv.length - 1).toBeLessThanOrEqual(KEEP_LEVELS + 1);
    expect(buf.length).toBeLessThanOrEqual(totalCap(capsFor(k), KEEP_LEVELS + 1));
    expect(sk.n).toBe(n);
    expect(totalWeight(sk)).toBe(n);
    expect(worstRankError(sk, values)).toBeLessThanOrEqual(rankBound(k));
  });

  it('merges sampled sketches (and a sketch into an emptied one) without losing a value', () => {
    const rand = mulberry32(5);
    const a = new Sketch(128, 1);
    const b = new Sketch(128, 2);
    const all: number[] = [];
    for (let i = 0; i < 700_001; i++) {
      const v = rand();
      all.push(v);
      (i % 3 === 0 ? b : a).add(v);
    }
    expect(a.internals().sampler.s).toBeGreaterThan(0);
    const hour = new Sketch(32, 3);
    hour.merge(a);
    hour.merge(b);
    expect(hour.n).toBe(all.length);
    expect(totalWeight(hour)).toBe(all.length);
    expect(worstRankError(hour, Float64Array.from(all))).toBeLessThanOrEqual(rankBound(32));
    a.clear();
    expect(a.internals().sampler).toEqual({ s: 0, seen: 0, pick: expect.any(Number) });
    a.merge(b);
    expect(totalWeight(a)).toBe(b.n);
  });

  it('is the plain KLL sketch until it has more than KEEP_LEVELS levels', () => {
    const sk = new Sketch(128, 9);
    const rand = mulberry32(9);
    for (let i = 0; i < 20_000; i++) sk.add(rand());
    expect(sk.internals().sampler).toEqual({ s: 0, seen: 0, pick: 0 });
  });
});

describe('sortRange (level 0 before a compaction)', () => {
  const rand = mulberry32(21);
  const shapes: Array<[string, (n: number) => Float64Array]> = [
    ['random', (n) => Float64Array.from({ length: n }, normal(rand, 0, 100))],
    ['few distinct values', (n) => Float64Array.from({ length: n }, () => Math.floor(rand() * 3))],
    ['all equal', (n) => new Float64Array(n).fill(7)],
    ['ascending', (n) => Float64Array.from({ length: n }, (_, i) => i)],
    ['descending', (n) => Float64Array.from({ length: n }, (_, i) => n - i)],
    ['organ pipe', (n) => Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i))],
    ['huge and tiny', (n) => Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 10 ** ((i % 600) - 300))],
  ];
  it.each(shapes)('sorts %s ranges the same as TypedArray sort, leaving the rest alone', (_shape, make) => {
    for (const n of [0, 1, 2, 3, 8, 24, 25, 26, 47, 57, 100, 383, 1000]) {
      const data = make(n);
      const buf = new Float64Array(n + 6).fill(-5);
      buf.set(data, 3);
      buf.fill(99, n + 3);
      sortRange(buf, 3, n + 3);
      const expected = new Float64Array(n + 6).fill(-5);
      expected.set(Float64Array.from(data).sort(), 3);
      expected.fill(99, n + 3);
      expect(Buffer.from(buf.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });
});
