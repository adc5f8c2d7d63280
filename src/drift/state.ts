/**
 * Per-version and per-series state of the drift engine.
 *
 * A series keeps its values once each, in time buckets:
 * - a ring of WINDOW_SLOTS 5-minute slot sketches for the most recent slots of its version (the
 *   current window always lives there), and
 * - a ring of HOUR_RING hourly sketches for older data (every baseline range is whole hours).
 * A value goes to its slot when that slot is one of the version's latest WINDOW_SLOTS slots,
 * otherwise to its hour. When a slot entry is reused for a newer slot, the old slot's sketch is
 * merged into its hour (when that hour is still kept) and emptied, and past hours that hold a
 * small share of the series' hours are shrunk (SHRINK_SHARE). An hour entry reused for a newer
 * hour is emptied. A query gathers every entry whose time range lies inside the asked range.
 */
import { Sketch, type Weighted } from './sketch';
import { HOUR_MS, type Placement, SLOT_MS, VersionClock, WINDOW_SLOTS, hourOf } from './time';

export { type Placement, placementOf } from './time';

/** Hours kept per series: the trailing baseline reaches back 25 hours from the newest hour. */
export const HOUR_RING = 26;
export const ENTRIES = WINDOW_SLOTS + HOUR_RING;
/**
 * KLL k of slot sketches (the current window) and of hour sketches (the baselines). An hour starts
 * at SLOT_K and is shrunk to HOUR_K once it is past (it ends before the current window) and
 * holds at most 1/SHRINK_SHARE of the values in the series' hours: a reference is then either
 * short and at the slots' resolution, or spread over enough hours that the errors of the small
 * sketches average out. Measured (bench/driftShortRef.ts): a reference in one or two k = 32
 * hours broke the accuracy bound; every hour at k = 128 would cost far more memory.
 */
export const SLOT_K = 128;
export const HOUR_K = 32;
export const SHRINK_SHARE = 8;
const NO_ID = -2147483648;

export class Series {
  /** ids[i]: slot number (i < WINDOW_SLOTS) or hour number of entry i; NO_ID when unused. */
  readonly ids = new Int32Array(ENTRIES).fill(NO_ID);
  readonly sketches: Array<Sketch | undefined> = new Array<Sketch | undefined>(ENTRIES).fill(undefined);

  /**
   * Appends the (value, weight) items of every entry lying inside [fromMs, toMs) to `out`; true
   * when every entry gathered was in exact mode (its weights are exact counts).
   */
  gather(fromMs: number, toMs: number, out: Weighted): boolean {
    let exact = true;
    for (let i = 0; i < ENTRIES; i++) {
      const sk = this.sketches[i];
      if (sk === undefined || sk.n === 0) continue;
      const width = i < WINDOW_SLOTS ? SLOT_MS : HOUR_MS;
      const start = this.ids[i] * width;
      if (start >= fromMs && start + width <= toMs) {
        sk.gather(out);
        exact &&= sk.isExact;
      }
    }
    return exact;
  }

  /** Drops entries older than any baseline needs, `newestHour` being the version's. */
  prune(newestHour: number): void {
    for (let i = 0; i < ENTRIES; i++) {
      if (this.ids[i] === NO_ID) continue;
      const hour = i < WINDOW_SLOTS ? hourOf(this.ids[i] * SLOT_MS) : this.ids[i];
      if (hour <= newestHour - HOUR_RING) {
        this.ids[i] = NO_ID;
        this.sketches[i] = undefined;
      }
    }
  }
}

export class VersionState extends VersionClock {
  readonly fields = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly version: string,
    public owner: string,
  ) {
    super();
  }
}

/** Hands out sketch seeds: deterministic, distinct, never 0. */
export class SeedSource {
  constructor(public state = 1) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    z = (z ^ (z >>> 14)) >>> 0;
    return z === 0 ? 1 : z;
  }
}

/** Adds value `v` to series `s` of version `vs`, where `p` (from placementOf) says. */
export function placeAt(vs: VersionState, s: Series, p: Placement, v: number, seeds: SeedSource): void {
  const i = p.entry;
  if (i >= 0) {
    let sk = s.sketches[i];
    if (s.ids[i] !== p.slot) {
      if (sk !== undefined && sk.n > 0) {
        hourSketch(vs, s, hourOf(s.ids[i] * SLOT_MS), seeds)?.merge(sk);
        sk.clear();
        shrinkHours(vs, s, seeds);
      }
      s.ids[i] = p.slot;
    }
    if (sk === undefined) sk = s.sketches[i] = new Sketch(SLOT_K, seeds.next());
    sk.add(v);
    return;
  }
  hourSketch(vs, s, p.hour, seeds)?.add(v);
}

function hourSketch(vs: VersionState, s: Series, hour: number, seeds: SeedSource): Sketch | undefined {
  if (hour <= vs.newestHour - HOUR_RING) return undefined;
  const i = WINDOW_SLOTS + (((hour % HOUR_RING) + HOUR_RING) % HOUR_RING);
  let sk = s.sketches[i];
  if (s.ids[i] !== hour) {
    if (sk?.k === SLOT_K) sk.clear();
    else sk = undefined; // a new hour starts at the slots' resolution
    s.ids[i] = hour;
  }
  if (sk === undefined) sk = s.sketches[i] = new Sketch(SLOT_K, seeds.next());
  return sk;
}

/** Shrinks to HOUR_K each past hour at SLOT_K holding at most 1/SHRINK_SHARE of the values in the hours. */
function shrinkHours(vs: VersionState, s: Series, seeds: SeedSource): void {
  let total = 0;
  for (let i = WINDOW_SLOTS; i < ENTRIES; i++) total += s.sketches[i]?.n ?? 0;
  // Past: the hour ends before the current window, so its slots were merged into it.
  const pastBefore = Math.floor(((vs.newestSlot - WINDOW_SLOTS + 1) * SLOT_MS) / HOUR_MS);
  for (let i = WINDOW_SLOTS; i < ENTRIES; i++) {
    const sk = s.sketches[i];
    if (sk === undefined || sk.k === HOUR_K || s.ids[i] >= pastBefore || sk.n * SHRINK_SHARE > total) continue;
    const small = new Sketch(HOUR_K, seeds.next());
    small.merge(sk);
    s.sketches[i] = small;
  }
}

export { NO_ID };
