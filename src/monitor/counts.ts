/**
 * Exact counts over time, laid out as drift's sketches are (drift/state.ts): a ring of 12
 * five-minute slot entries for the latest slots of the version (the current window lives
 * there) and a ring of 26 hour entries for older counts (every baseline is whole hours). A count
 * goes to its slot when that slot is one of the version's latest 12, else to its hour; a slot
 * entry reused for a newer slot adds its counts to its hour first. Each entry holds `width`
 * counters.
 */
import { ENTRIES, HOUR_RING, NO_ID } from '../drift/state';
import type { Placement } from '../drift/time';
import { HOUR_MS, SLOT_MS, WINDOW_SLOTS, type VersionClock } from './clock';

// The same rings as drift's series: one layout of slots and hours.
export { ENTRIES, HOUR_RING, NO_ID } from '../drift/state';

/** Where a message's counts go; worked out once per message: drift's placement, one clock. */
export { type Placement, placementOf as placement } from '../drift/time';

export class CountRing {
  /** ids[i]: the slot number (i < WINDOW_SLOTS) or hour number of entry i; NO_ID when unused. */
  readonly ids = new Int32Array(ENTRIES).fill(NO_ID);
  readonly counts: Float64Array;

  constructor(readonly width: number) {
    this.counts = new Float64Array(ENTRIES * width);
  }

  /** Adds n to counter k where p says (a count older than the kept hours is let go). */
  add(c: VersionClock, p: Placement, k: number, n = 1): void {
    const i = p.entry >= 0 ? this.slotEntry(c, p.slot, p.entry) : this.hourEntry(c, p.hour);
    if (i >= 0) this.counts[i * this.width + k] += n;
  }

  /** Adds each counter of every entry lying inside [from, to) to out[k]. */
  gather(from: number, to: number, out: Float64Array): Float64Array {
    const w = this.width;
    for (let i = 0; i < ENTRIES; i++) {
      if (this.ids[i] === NO_ID) continue;
      const span = i < WINDOW_SLOTS ? SLOT_MS : HOUR_MS;
      const start = this.ids[i] * span;
      if (start >= from && start + span <= to) for (let k = 0; k < w; k++) out[k] += this.counts[i * w + k];
    }
    return out;
  }

  /** Drops entries older than any baseline needs. */
  prune(newestHour: number): void {
    for (let i = 0; i < ENTRIES; i++) {
      if (this.ids[i] === NO_ID) continue;
      const hour = i < WINDOW_SLOTS ? Math.floor((this.ids[i] * SLOT_MS) / HOUR_MS) : this.ids[i];
      if (hour <= newestHour - HOUR_RING) this.clear(i);
    }
  }

  /** True when no entry is in use. */
  get empty(): boolean {
    return this.ids.every((id) => id === NO_ID);
  }

  private slotEntry(c: VersionClock, slot: number, i: number): number {
    if (this.ids[i] !== slot) {
      if (this.ids[i] !== NO_ID) {
        const h = this.hourEntry(c, Math.floor((this.ids[i] * SLOT_MS) / HOUR_MS));
        if (h >= 0) for (let k = 0; k < this.width; k++) this.counts[h * this.width + k] += this.counts[i * this.width + k];
      }
      this.clear(i);
      this.ids[i] = slot;
    }
    return i;
  }

  private hourEntry(c: VersionClock, hour: number): number {
    if (hour <= c.newestHour - HOUR_RING) return -1;
    const i = WINDOW_SLOTS + (((hour % HOUR_RING) + HOUR_RING) % HOUR_RING);
    if (this.ids[i] !== hour) {
      this.clear(i);
      this.ids[i] = hour;
    }
    return i;
  }

  private clear(i: number): void {
    this.ids[i] = NO_ID;
    this.counts.fill(0, i * this.width, (i + 1) * this.width);
  }
}
