/**
 * Sketch bytes inside the drift snapshot: k u32, coin u32, n f64, mode u8; mode 0 (exact):
 * count u8 then (value f64, count f64) ascending; mode 1 (KLL): levels u8, each level's length
 * u32, then every level's items f64 (level 0 first; levels >= 1 ascending); mode 2 (KLL with
 * its sampler on): levels sampled away u8, values of the block so far f64, its pick f64, then
 * as mode 1. A sketch whose sampler is off is written as mode 1, as before it existed.
 */
import type { ByteReader, ByteWriter } from './bytes';
import { EXACT_MAX, Sketch, type Sampler } from './sketch';
import { MAX_LEVELS, MIN_WIDTH, capsFor, totalCap } from './sketchParts';

export function writeSketch(w: ByteWriter, s: Sketch): void {
  const { exact, ed, buf, lv, rng, sampler } = s.internals();
  const sampled = !exact && (sampler.s > 0 || sampler.seen > 0);
  w.u32(s.k);
  w.u32(rng);
  w.f64(s.n);
  w.u8(exact ? 0 : sampled ? 2 : 1);
  if (exact) {
    w.u8(ed);
    for (let i = 0; i < ed; i++) {
      w.f64(buf[i]);
      w.f64(buf[EXACT_MAX + i]);
    }
    return;
  }
  if (sampled) {
    w.u8(sampler.s);
    w.f64(sampler.seen);
    w.f64(sampler.pick);
  }
  w.u8(lv.length - 1);
  for (let h = 0; h < lv.length - 1; h++) w.u32(lv[h + 1] - lv[h]);
  for (let i = lv[0]; i < buf.length; i++) w.f64(buf[i]);
}

/** A sketch written by writeSketch; undefined when the bytes do not make a valid sketch. */
export function readSketch(r: ByteReader): Sketch | undefined {
  const k = r.u32();
  const rng = r.u32();
  const n = r.f64();
  const mode = r.u8();
  if (k < MIN_WIDTH || k > 65536 || rng === 0 || !Number.isSafeInteger(n) || n < 0) return undefined;
  const s = new Sketch(k, rng);
  if (mode === 0) {
    const ed = r.u8();
    if (ed > EXACT_MAX) return undefined;
    const values: number[] = [];
    const counts: number[] = [];
    let sum = 0;
    for (let i = 0; i < ed; i++) {
      const v = r.f64();
      const c = r.f64();
      if (!Number.isFinite(v) || !Number.isSafeInteger(c) || c < 1 || (i > 0 && !(v > values[i - 1]))) return undefined;
      values.push(v);
      counts.push(c);
      sum += c;
    }
    if (sum !== n) return undefined;
    s.load(n, { values, counts }, []);
    return s;
  }
  if (mode !== 1 && mode !== 2) return undefined;
  const sampler: Sampler = { s: 0, seen: 0, pick: 0 };
  if (mode === 2) {
    sampler.s = r.u8();
    sampler.seen = r.f64();
    sampler.pick = r.f64();
    const { s: levelsAway, seen, pick } = sampler;
    if (levelsAway > MAX_LEVELS || !Number.isSafeInteger(seen) || seen < 0 || seen >= 2 ** levelsAway || !Number.isFinite(pick)) return undefined;
  }
  const L = r.u8();
  if (L < 1 || L > MAX_LEVELS) return undefined;
  const lens: number[] = [];
  let items = 0;
  for (let h = 0; h < L; h++) {
    lens.push(r.u32());
    items += lens[h];
  }
  // A sampler that just took a level away may hold up to that level's capacity more, until its next compaction.
  if (items > totalCap(capsFor(k), mode === 2 ? L + 1 : L) || items > r.remaining() / 8) return undefined;
  const levels: number[][] = [];
  let sum = 0;
  for (let h = 0; h < L; h++) {
    const level: number[] = [];
    for (let i = 0; i < lens[h]; i++) {
      const v = r.f64();
      if (!Number.isFinite(v) || (h > 0 && i > 0 && v < level[i - 1])) return undefined;
      level.push(v);
    }
    levels.push(level);
    sum += lens[h] * Math.pow(2, sampler.s + h);
  }
  if (sum + sampler.seen !== n) return undefined;
  s.load(n, undefined, levels, sampler);
  return s;
}
