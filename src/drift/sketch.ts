/**
 * Mergeable quantile sketch for the drift engine: exact while it holds few distinct values,
 * then a KLL sketch (Karnin, Lang, Liberty 2016).
 *
 * Why this design:
 * - PSI needs ranks (deciles of the reference, shares of each side in the decile bins), so the
 *   error that matters is rank error. KLL bounds rank error for any value range: N(1000, 1) and
 *   negative values are as easy as N(0, 1), which a relative-value sketch (DDSketch) is not.
 * - Booleans, small integer sets and constants are common Insights fields; a rank sketch would
 *   blur their point masses a little at every compaction. Up to EXACT_MAX distinct values the
 *   sketch is a value -> count table, so those fields are exact whatever the count.
 * - KLL merges without losing its bound, so the engine keeps one sketch per 5-minute slot and
 *   per hour and merges them on demand for any window.
 * - A KLL sketch is exact until its first compaction (all items kept at weight 1).
 * - Compaction keeps the odd or even items by a per-sketch xorshift coin whose seed the caller
 *   gives: runs are reproducible, and hour sketches do not share one bias pattern.
 *
 * Layout (KLL mode): one Float64Array; free space first, then level 0 (unsorted), level 1, ...
 * (each sorted), as in Apache DataSketches. `lv[h]` is where level h starts; `lv[L]` is the end.
 * An item at level h stands for 2^h values. Level capacity: max(8, ceil(k * (2/3)^depth)),
 * depth = L - 1 - h, so the top level holds k items and total memory stays about 3k.
 */
import { MAX_LEVELS, Weighted, capsFor, mergeSorted, pushBinary, totalCap } from './sketchParts';

export { Weighted };

export const EXACT_MAX = 16;
let scratch = new Float64Array(256);

export class Sketch {
  /** Number of values added (the sum of all weights). */
  n = 0;
  /** Exact mode: distinct values ascending in buf[0, ed), their counts in buf[EXACT_MAX + i]. */
  private exact = true;
  private ed = 0;
  private buf: Float64Array = new Float64Array(2 * EXACT_MAX);
  private lv: number[] = [];
  private caps: Float64Array;

  constructor(
    readonly k: number,
    private rng: number,
  ) {
    this.caps = capsFor(k);
    if (this.rng === 0) this.rng = 0x9e3779b9;
  }

  add(v: number): void {
    this.n++;
    if (this.exact) {
      if (this.exactAdd(v, 1)) return;
      this.pack(this.levelsOf());
    }
    if (this.lv[0] === 0) this.makeRoom();
    this.buf[--this.lv[0]] = v;
  }

  /** Buffer full: grow it while under the levels' total capacity, else compact a level. */
  private makeRoom(): void {
    const cap = totalCap(this.caps, this.lv.length - 1);
    if (this.buf.length >= cap) {
      this.compress();
      return;
    }
    const size = Math.min(cap, this.buf.length * 2);
    const grow = size - this.buf.length;
    const buf = new Float64Array(size);
    buf.set(this.buf, grow);
    for (let i = 0; i < this.lv.length; i++) this.lv[i] += grow;
    this.buf = buf;
  }

  /** Adds every value of `other` (which is left unchanged). */
  merge(other: Sketch): void {
    if (other.n === 0) return;
    this.n += other.n;
    let i = 0;
    if (this.exact && other.exact) {
      while (i < other.ed && this.exactAdd(other.buf[i], other.buf[EXACT_MAX + i])) i++;
      if (i === other.ed) return;
    }
    if (!this.exact && !other.exact && other.lv.length === 2) {
      // other holds only weight-1 items: stream them in
      for (let j = other.lv[0]; j < other.lv[1]; j++) {
        if (this.lv[0] === 0) this.makeRoom();
        this.buf[--this.lv[0]] = other.buf[j];
      }
      return;
    }
    const mine = this.levelsOf();
    if (other.exact) {
      for (; i < other.ed; i++) pushBinary(mine, other.buf[i], other.buf[EXACT_MAX + i]);
    } else {
      const theirs = other.levelsOf();
      for (let h = 0; h < theirs.length; h++) {
        if (h === mine.length) mine.push([]);
        for (const x of theirs[h]) mine[h].push(x);
      }
    }
    this.pack(mine);
  }

  /** Exact mode: count c more of v; false (nothing changed) when the table is full. */
  private exactAdd(v: number, c: number): boolean {
    const buf = this.buf;
    let lo = 0;
    let hi = this.ed;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (buf[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.ed && buf[lo] === v) {
      buf[EXACT_MAX + lo] += c;
      return true;
    }
    if (this.ed === EXACT_MAX) return false;
    for (let i = this.ed; i > lo; i--) {
      buf[i] = buf[i - 1];
      buf[EXACT_MAX + i] = buf[EXACT_MAX + i - 1];
    }
    buf[lo] = v;
    buf[EXACT_MAX + lo] = c;
    this.ed++;
    return true;
  }

  /** Empties the sketch, keeping its k and coin. */
  clear(): void {
    this.n = 0;
    this.exact = true;
    this.ed = 0;
    if (this.buf.length !== 2 * EXACT_MAX) this.buf = new Float64Array(2 * EXACT_MAX);
    this.lv = [];
  }

  /** Appends (value, weight) pairs to `out`. */
  gather(out: Weighted): void {
    if (this.exact) {
      for (let i = 0; i < this.ed; i++) out.push(this.buf[i], this.buf[EXACT_MAX + i]);
      return;
    }
    const lv = this.lv;
    for (let h = 0, w = 1; h < lv.length - 1; h++, w *= 2) {
      for (let i = lv[h]; i < lv[h + 1]; i++) out.push(this.buf[i], w);
    }
  }

  /** The content as per-level arrays (exact counts split into powers of two). */
  private levelsOf(): number[][] {
    const levels: number[][] = [[]];
    if (this.exact) {
      for (let i = 0; i < this.ed; i++) pushBinary(levels, this.buf[i], this.buf[EXACT_MAX + i]);
      return levels;
    }
    levels.length = 0;
    for (let h = 0; h < this.lv.length - 1; h++) levels.push(Array.from(this.buf.subarray(this.lv[h], this.lv[h + 1])));
    return levels;
  }

  /** KLL mode from per-level arrays: compact until every level is under capacity, then lay out. */
  private pack(levels: number[][]): void {
    for (let h = 0; h < levels.length; h++) levels[h].sort((a, b) => a - b);
    for (;;) {
      const L = levels.length;
      let h = 0;
      while (h < L && levels[h].length < this.caps[L - 1 - h]) h++;
      if (h === L) break;
      if (h === L - 1) levels.push([]);
      const src = levels[h];
      const odd = src.length & 1;
      const keep = odd ? [src[0]] : [];
      const off = this.coin();
      const up: number[] = [];
      for (let i = odd + off; i < src.length; i += 2) up.push(src[i]);
      levels[h] = keep;
      levels[h + 1] = mergeSorted(levels[h + 1], up);
    }
    const L = levels.length;
    let items = 0;
    for (const level of levels) items += level.length;
    const size = Math.min(totalCap(this.caps, L), items + (items >> 1) + 8);
    const buf = new Float64Array(size);
    const lv = new Array<number>(L + 1);
    lv[L] = size;
    for (let h = L - 1; h >= 0; h--) {
      lv[h] = lv[h + 1] - levels[h].length;
      buf.set(levels[h], lv[h]);
    }
    this.buf = buf;
    this.lv = lv;
    this.exact = false;
    this.ed = 0;
  }

  private coin(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng & 1;
  }

  /** Makes room for one item at level 0 (the buffer is full). */
  private compress(): void {
    const lv = this.lv;
    const L = lv.length - 1;
    let h = 0;
    while (h < L - 1 && lv[h + 1] - lv[h] < this.caps[L - 1 - h]) h++;
    if (h === L - 1) this.addLevel();
    this.compactLevel(h);
  }

  private addLevel(): void {
    const L = this.lv.length - 1;
    if (L >= MAX_LEVELS) throw new Error('drift sketch: too many levels');
    const grow = this.caps[L];
    const buf = new Float64Array(this.buf.length + grow);
    buf.set(this.buf.subarray(this.lv[0]), this.lv[0] + grow);
    for (let i = 0; i <= L; i++) this.lv[i] += grow;
    this.lv.push(buf.length);
    this.buf = buf;
  }

  private compactLevel(h: number): void {
    const buf = this.buf;
    const lv = this.lv;
    const s = lv[h];
    const e = lv[h + 1];
    const end = lv[h + 2];
    if (h === 0) sortRange(buf, s, e);
    const odd = (e - s) & 1;
    const rawBeg = s + odd;
    const half = (e - rawBeg) >> 1;
    const off = this.coin();
    // The kept half goes to scratch, then merges forward with level h + 1 into
    // [rawBeg + half, end); the write index never passes the read index of level h + 1.
    if (scratch.length < half) scratch = new Float64Array(half * 2);
    for (let i = 0; i < half; i++) scratch[i] = buf[rawBeg + 2 * i + off];
    let a = 0;
    let b = e;
    let o = rawBeg + half;
    while (a < half) {
      if (b < end && buf[b] < scratch[a]) buf[o++] = buf[b++];
      else buf[o++] = scratch[a++];
    }
    buf.copyWithin(lv[0] + half, lv[0], rawBeg);
    for (let i = 0; i <= h; i++) lv[i] += half;
    lv[h + 1] = rawBeg + half;
  }

  /** @internal The raw state, for the snapshot codec (sketchCodec.ts). */
  internals(): { exact: boolean; ed: number; buf: Float64Array; lv: readonly number[]; rng: number } {
    return { exact: this.exact, ed: this.ed, buf: this.buf, lv: this.lv, rng: this.rng };
  }

  /** @internal Loads a validated state: exact table (values ascending) or KLL levels. */
  load(n: number, exact: { values: number[]; counts: number[] } | undefined, levels: number[][]): void {
    this.n = n;
    if (exact) {
      this.buf.set(exact.values);
      this.buf.set(exact.counts, EXACT_MAX);
      this.ed = exact.values.length;
      return;
    }
    let items = 0;
    for (const level of levels) items += level.length;
    const size = Math.min(totalCap(this.caps, levels.length), items + (items >> 1) + 8);
    this.buf = new Float64Array(size);
    this.lv = [size - items];
    for (let h = 0; h < levels.length; h++) {
      this.buf.set(levels[h], this.lv[h]);
      this.lv.push(this.lv[h] + levels[h].length);
    }
    this.exact = false;
  }

}

/**
 * Sorts buf[from, to) ascending. Level 0 is a few items (at least 8) most of the time: an
 * insertion sort beats the call into TypedArray.prototype.sort there.
 */
function sortRange(buf: Float64Array, from: number, to: number): void {
  if (to - from > 48) {
    buf.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= from && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
}
