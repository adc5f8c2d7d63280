/**
 * Population Stability Index, as the drift issue defines it.
 *
 * Cut points are the reference's deciles: for k = 1..9 the value at 0-based rank
 * floor(k * (n - 1) / 10) of the sorted reference; equal cut points are merged. Bins are
 * (-inf, e1], (e1, e2], ..., (ek, +inf). Each side's share of a bin is floored at 0.0001 and not
 * renormalised. PSI = sum over bins of (cur - ref) * ln(cur / ref).
 *
 * psiExact works on raw values (the reference implementation); psiWeighted on the weighted
 * items of sketches (Sketch.gather), where a value of weight w stands for w equal values.
 *
 * Discrete series (issue 23): when both sides together hold at most BY_VALUE_MAX distinct values
 * (compared exactly), there is one bin per distinct value of their union instead, shares floored
 * the same way and the same sum. Deciles would put a boolean at 95% true in one bin and score 0
 * whatever happens to it. psiExactDiscrete applies the whole rule to raw values; psiByValue and
 * psiOfSides score gathered sketches.
 */
import type { Weighted } from './sketch';

export const SHARE_FLOOR = 0.0001;

/** 0-based ranks of the 9 decile cut points in a sorted set of n values (n >= 1). */
export function decileRanks(n: number): number[] {
  const ranks: number[] = [];
  for (let k = 1; k <= 9; k++) ranks.push(Math.floor((k * (n - 1)) / 10));
  return ranks;
}

/** Index of the bin (-inf, c0], (c0, c1], ..., (c_last, +inf) holding x: the count of cuts < x. */
export function binOf(cuts: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** PSI from per-bin totals of each side. */
export function psiFromBins(ref: ArrayLike<number>, refTotal: number, cur: ArrayLike<number>, curTotal: number): number {
  let psi = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.max(ref[i] / refTotal, SHARE_FLOOR);
    const c = Math.max(cur[i] / curTotal, SHARE_FLOOR);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

function dedupe(sortedCuts: number[]): number[] {
  const out: number[] = [];
  for (const c of sortedCuts) if (out.length === 0 || out[out.length - 1] !== c) out.push(c);
  return out;
}

/** Cut points (merged) of a raw reference. */
export function exactCuts(reference: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(reference).sort();
  return dedupe(decileRanks(sorted.length).map((r) => sorted[r]));
}

/** PSI on raw values by plain sorting. NaN when either side is empty. */
export function psiExact(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length === 0 || current.length === 0) return NaN;
  const cuts = exactCuts(reference);
  const ref = new Float64Array(cuts.length + 1);
  const cur = new Float64Array(cuts.length + 1);
  for (let i = 0; i < reference.length; i++) ref[binOf(cuts, reference[i])]++;
  for (let i = 0; i < current.length; i++) cur[binOf(cuts, current[i])]++;
  return psiFromBins(ref, reference.length, cur, current.length);
}

/** Cut points (merged) of a weighted reference; sorts its items in place by value. */
export function weightedCuts(ref: Weighted): number[] {
  const n = ref.len;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const v = ref.v;
  order.sort((a, b) => v[a] - v[b]);
  const sv = new Float64Array(n);
  const sw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    sv[i] = v[order[i]];
    sw[i] = ref.w[order[i]];
  }
  ref.v.set(sv);
  ref.w.set(sw);
  const cuts: number[] = [];
  let i = 0;
  let below = 0; // total weight of items before i
  for (const r of decileRanks(ref.total)) {
    // the item covering 0-based rank r: first i with below + w[i] > r
    while (i < n - 1 && below + sw[i] <= r) below += sw[i++];
    cuts.push(sv[i]);
  }
  return dedupe(cuts);
}

/** PSI from two weighted samples (each side's total must be > 0). */
export function psiWeighted(ref: Weighted, cur: Weighted): number {
  const cuts = weightedCuts(ref);
  const refBins = new Float64Array(cuts.length + 1);
  const curBins = new Float64Array(cuts.length + 1);
  for (let i = 0; i < ref.len; i++) refBins[binOf(cuts, ref.v[i])] += ref.w[i];
  for (let i = 0; i < cur.len; i++) curBins[binOf(cuts, cur.v[i])] += cur.w[i];
  return psiFromBins(refBins, ref.total, curBins, cur.total);
}

/** Most distinct values (both sides together) that are binned by value. */
export const BY_VALUE_MAX = 16;

/**
 * The distinct values of both sides, ascending, with each side's total weight per value;
 * undefined when there are more than `max`. -0 and 0 are one value, as in the sketch's table.
 */
export function valueBins(ref: Weighted, cur: Weighted, max = BY_VALUE_MAX): { values: number[]; ref: Float64Array; cur: Float64Array } | undefined {
  const index = new Map<number, number>();
  for (const side of [ref, cur]) {
    for (let i = 0; i < side.len; i++) {
      if (index.has(side.v[i])) continue;
      if (index.size === max) return undefined;
      index.set(side.v[i], index.size);
    }
  }
  const values = [...index.keys()].sort((a, b) => a - b);
  values.forEach((v, i) => index.set(v, i));
  const r = new Float64Array(values.length);
  const c = new Float64Array(values.length);
  for (let i = 0; i < ref.len; i++) r[index.get(ref.v[i]) as number] += ref.w[i];
  for (let i = 0; i < cur.len; i++) c[index.get(cur.v[i]) as number] += cur.w[i];
  return { values, ref: r, cur: c };
}

/** PSI with one bin per distinct value of both sides (each side's total must be > 0). */
export function psiByValue(ref: Weighted, cur: Weighted): number {
  const bins = valueBins(ref, cur, Infinity) as NonNullable<ReturnType<typeof valueBins>>;
  return psiFromBins(bins.ref, ref.total, bins.cur, cur.total);
}

/**
 * The score of two gathered sides. `exact`: every sketch gathered into that side was in exact
 * mode, so its weights are exact counts (a sketch leaves exact mode only past EXACT_MAX = 16
 * distinct values of its own, so a side that is not exact holds more than 16 anyway). By value
 * when both are and their union holds at most BY_VALUE_MAX distinct values; deciles otherwise.
 * Sorts ref's items in place.
 */
export function psiOfSides(ref: Weighted, refExact: boolean, cur: Weighted, curExact: boolean): number {
  if (refExact && curExact) {
    const bins = valueBins(ref, cur);
    if (bins !== undefined) return psiFromBins(bins.ref, ref.total, bins.cur, cur.total);
  }
  return psiWeighted(ref, cur);
}

/**
 * The reference implementation of the whole rule on raw values: by value (plain counting) when
 * the two sides together hold at most BY_VALUE_MAX distinct values, else psiExact. NaN when
 * either side is empty.
 */
export function psiExactDiscrete(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length === 0 || current.length === 0) return NaN;
  const counts = new Map<number, [number, number]>();
  const count = (xs: ArrayLike<number>, side: 0 | 1): void => {
    for (let i = 0; i < xs.length; i++) {
      let c = counts.get(xs[i]);
      if (c === undefined) counts.set(xs[i], (c = [0, 0]));
      c[side]++;
    }
  };
  count(reference, 0);
  count(current, 1);
  if (counts.size > BY_VALUE_MAX) return psiExact(reference, current);
  let psi = 0;
  for (const [r, c] of counts.values()) {
    const rs = Math.max(r / reference.length, SHARE_FLOOR);
    const cs = Math.max(c / current.length, SHARE_FLOOR);
    psi += (cs - rs) * Math.log(cs / rs);
  }
  return psi;
}
