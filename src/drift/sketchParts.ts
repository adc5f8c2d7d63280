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
