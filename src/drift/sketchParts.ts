/** Helpers of the drift sketch: level capacities, merging, the weighted items of a query. */
export const MIN_WIDTH = 8;
export const MAX_LEVELS = 60;

const capsCache = new Map<number, Float64Array>();
export function capsFor(k: number): Float64Array {
  let caps = capsCache.get(k);
  if (!caps) {
    caps = new Float64Array(MAX_LEVELS + 1);
    for (let d = 0; d <= MAX_LEVELS; d++) caps[d] = Math.max(MIN_WIDTH, Math.ceil(k * Math.pow(2 / 3, d)));
    capsCache.set(k, caps);
  }
  return caps;
}
export function totalCap(caps: Float64Array, levels: number): number {
  let s = 0;
  for (let d = 0; d < levels; d++) s += caps[d];
  return s;
}

/** Values with weights, filled by Sketch.gather. Grows as needed, reused between queries. */
export class Weighted {
  v = new Float64Array(256);
  w = new Float64Array(256);
  len = 0;
  total = 0;
  clear(): void {
    this.len = 0;
    this.total = 0;
  }
  push(value: number, weight: number): void {
    if (this.len === this.v.length) {
      const v = new Float64Array(this.len * 2);
      const w = new Float64Array(this.len * 2);
      v.set(this.v);
      w.set(this.w);
      this.v = v;
      this.w = w;
    }
    this.v[this.len] = value;
    this.w[this.len++] = weight;
    this.total += weight;
  }
}

/** Adds `count` copies of `v` as items of weight 2^h, one per set bit of count. */
export function pushBinary(levels: number[][], v: number, count: number): void {
  for (let h = 0, c = count; c > 0; h++, c = Math.floor(c / 2)) {
    if (h === levels.length) levels.push([]);
    if (c % 2 === 1) levels[h].push(v);
  }
}

export function mergeSorted(a: number[], b: number[]): number[] {
  const out: number[] = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[o++] = a[i++];
  while (j < b.length) out[o++] = b[j++];
  return out;
}

/**
 * Sorts buf[from, to) ascending (equal values, -0 and 0 among them, in any order). Level 0 holds
 * a few dozen to a few hundred items: a quicksort in JavaScript, insertion sort below 24 items,
 * beats TypedArray.prototype.sort at these sizes (which pays for a call into the runtime and
 * the general comparison).
 */
export function sortRange(buf: Float64Array, from: number, to: number): void {
  let lo = from;
  let hi = to;
  while (hi - lo > 24) {
    const a = buf[lo];
    const b = buf[(lo + hi) >> 1];
    const c = buf[hi - 1];
    // median of three: a value of the range, so both scans below stop inside it
    const p = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi - 1;
    for (;;) {
      while (buf[i] < p) i++;
      while (buf[j] > p) j--;
      if (i >= j) break;
      const t = buf[i];
      buf[i++] = buf[j];
      buf[j--] = t;
    }
    // [lo, j] <= p <= [j + 1, hi): the smaller side by recursion, the larger by the loop
    if (j + 1 - lo < hi - j - 1) {
      sortRange(buf, lo, j + 1);
      lo = j + 1;
    } else {
      sortRange(buf, j + 1, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= lo && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
}

/**
 * Exact table in buf: `ed` distinct values ascending in [0, ed), their counts at `countsAt + i`
 * (so it holds at most `countsAt` values). Counts c more of v; the new ed, or -1 (nothing
 * changed) when the table is full.
 */
export function exactInsert(buf: Float64Array, ed: number, countsAt: number, v: number, c: number): number {
  let lo = 0;
  let hi = ed;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (buf[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  if (lo < ed && buf[lo] === v) {
    buf[countsAt + lo] += c;
    return ed;
  }
  if (ed === countsAt) return -1;
  for (let i = ed; i > lo; i--) {
    buf[i] = buf[i - 1];
    buf[countsAt + i] = buf[countsAt + i - 1];
  }
  buf[lo] = v;
  buf[countsAt + lo] = c;
  return ed + 1;
}

/** Per-level arrays (level h at depth L - 1 - h) sorted, then compacted until each is under its capacity. */
export function compactToCaps(levels: number[][], caps: Float64Array, coin: () => number): void {
  for (let h = 0; h < levels.length; h++) levels[h].sort((a, b) => a - b);
  for (;;) {
    const L = levels.length;
    let h = 0;
    while (h < L && levels[h].length < caps[L - 1 - h]) h++;
    if (h === L) return;
    if (h === L - 1) levels.push([]);
    const src = levels[h];
    const odd = src.length & 1;
    const keep = odd ? [src[0]] : [];
    const off = coin();
    const up: number[] = [];
    for (let i = odd + off; i < src.length; i += 2) up.push(src[i]);
    levels[h] = keep;
    levels[h + 1] = mergeSorted(levels[h + 1], up);
  }
}
