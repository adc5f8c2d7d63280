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
import type { ByteReader, ByteWriter } from './bytes';

export const EXACT_MAX = 16;
const MIN_WIDTH = 8;
const MAX_LEVELS = 60;

let scratch = new Float64Array(256);
const capsCache = new Map<number, Float64Array>();
function capsFor(k: number): Float64Array {
  let caps = capsCache.get(k);
  if (!caps) {
    caps = new Float64Array(MAX_LEVELS + 1);
    for (let d = 0; d <= MAX_LEVELS; d++) caps[d] = Math.max(MIN_WIDTH, Math.ceil(k * Math.pow(2 / 3, d)));
    capsCache.set(k, caps);
  }
  return caps;
}
function totalCap(caps: Float64Array, levels: number): number {
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
    if (this.lv[0] === 0) this.compress();
    this.buf[--this.lv[0]] = v;
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
    const size = totalCap(this.caps, L);
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
    if (h === 0) buf.subarray(s, e).sort();
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

  write(w: ByteWriter): void {
    w.u32(this.k);
    w.u32(this.rng);
    w.f64(this.n);
    if (this.exact) {
      w.u8(0);
      w.u8(this.ed);
      for (let i = 0; i < this.ed; i++) {
        w.f64(this.buf[i]);
        w.f64(this.buf[EXACT_MAX + i]);
      }
      return;
    }
    w.u8(1);
    const L = this.lv.length - 1;
    w.u8(L);
    for (let h = 0; h < L; h++) w.u32(this.lv[h + 1] - this.lv[h]);
    for (let i = this.lv[0]; i < this.buf.length; i++) w.f64(this.buf[i]);
  }

  /** Reads a sketch written by write(); undefined when the bytes do not make a valid sketch. */
  static read(r: ByteReader): Sketch | undefined {
    const k = r.u32();
    const rng = r.u32();
    const n = r.f64();
    const mode = r.u8();
    if (k < MIN_WIDTH || k > 65536 || rng === 0 || !Number.isSafeInteger(n) || n < 0) return undefined;
    const s = new Sketch(k, rng);
    if (mode === 0) {
      const ed = r.u8();
      if (ed > EXACT_MAX) return undefined;
      let sum = 0;
      for (let i = 0; i < ed; i++) {
        const v = r.f64();
        const c = r.f64();
        if (!Number.isFinite(v) || !Number.isSafeInteger(c) || c < 1 || (i > 0 && !(v > s.buf[i - 1]))) return undefined;
        s.buf[i] = v;
        s.buf[EXACT_MAX + i] = c;
        sum += c;
      }
      if (sum !== n) return undefined;
      s.ed = ed;
      s.n = n;
      return s;
    }
    if (mode !== 1) return undefined;
    const L = r.u8();
    if (L < 1 || L > MAX_LEVELS) return undefined;
    const lens: number[] = [];
    let items = 0;
    for (let h = 0; h < L; h++) {
      lens.push(r.u32());
      items += lens[h];
    }
    const size = totalCap(s.caps, L);
    if (items > size || items > r.remaining() / 8) return undefined;
    const buf = new Float64Array(size);
    const lv = new Array<number>(L + 1);
    lv[0] = size - items;
    for (let h = 0; h < L; h++) lv[h + 1] = lv[h] + lens[h];
    let sum = 0;
    for (let h = 0; h < L; h++) {
      for (let i = lv[h]; i < lv[h + 1]; i++) {
        const v = r.f64();
        if (!Number.isFinite(v) || (h > 0 && i > lv[h] && v < buf[i - 1])) return undefined;
        buf[i] = v;
      }
      sum += lens[h] * Math.pow(2, h);
    }
    if (sum !== n) return undefined;
    s.exact = false;
    s.buf = buf;
    s.lv = lv;
    s.n = n;
    return s;
  }
}

/** Adds `count` copies of `v` as items of weight 2^h, one per set bit of count. */
function pushBinary(levels: number[][], v: number, count: number): void {
  for (let h = 0, c = count; c > 0; h++, c = Math.floor(c / 2)) {
    if (h === levels.length) levels.push([]);
    if (c % 2 === 1) levels[h].push(v);
  }
}

function mergeSorted(a: number[], b: number[]): number[] {
  const out: number[] = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[o++] = a[i++];
  while (j < b.length) out[o++] = b[j++];
  return out;
}
