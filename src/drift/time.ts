/** Times of the drift engine: all in milliseconds since the epoch, UTC, given by the caller. */
import { parseInsightsTime } from '../map/time';

export const SLOT_MS = 5 * 60_000;
export const HOUR_MS = 60 * 60_000;
/** Slots in the current window. */
export const WINDOW_SLOTS = 12;
/** A message `time` further ahead of the wall clock than this is not trusted. */
export const MAX_AHEAD_MS = 10 * 60_000;
/** Versions are reported while their newest message is younger than this... */
export const REPORT_AGE_MS = 2 * HOUR_MS;
/** ...and kept until their newest message is older than this. */
export const KEEP_MS = 25 * HOUR_MS;

/**
 * The time of a message for drift: its Insights `time` (zone-less ISO, UTC) when that parses and
 * is at most 10 minutes ahead of the wall clock; otherwise the Kafka record timestamp when it is
 * a finite number > 0; otherwise the arrival time.
 */
export function driftMessageTime(
  timeField: string | undefined,
  recordTimestampMs: number | undefined,
  arrivalMs: number,
  wallNowMs: number,
): number {
  const t = timeField === undefined ? undefined : parseInsightsTime(timeField);
  if (t !== undefined && t - wallNowMs <= MAX_AHEAD_MS) return t;
  if (recordTimestampMs !== undefined && Number.isFinite(recordTimestampMs) && recordTimestampMs > 0) return recordTimestampMs;
  return arrivalMs;
}

export function slotOf(t: number): number {
  return Math.floor(t / SLOT_MS);
}
export function hourOf(t: number): number {
  return Math.floor(t / HOUR_MS);
}

/**
 * The times of one version that every model-monitoring window is cut from (drift's, field
 * health's and fairness's: one clock). Newest / earliest: the highest / lowest message time.
 */
export class VersionClock {
  newest = -Infinity;
  earliest = Infinity;
  newestSlot = 0;
  newestHour = 0;

  /** Records a message time. */
  see(t: number): void {
    if (t > this.newest) {
      this.newest = t;
      this.newestSlot = Math.floor(t / SLOT_MS);
      this.newestHour = Math.floor(t / HOUR_MS);
    }
    if (t < this.earliest) this.earliest = t;
  }
}

/**
 * Where a message's values go in any series of its version: its slot's entry (one of the
 * version's latest WINDOW_SLOTS slots) or, entry -1, its hour. The same for every value of the
 * message (after clock.see(t)), so a caller with many values works it out once.
 */
export interface Placement {
  slot: number;
  /** The slot entry, or -1: the hour. */
  entry: number;
  hour: number;
}

export function placementOf(c: VersionClock, t: number, out: Placement): Placement {
  const slot = Math.floor(t / SLOT_MS);
  out.slot = slot;
  out.entry = slot > c.newestSlot - WINDOW_SLOTS ? ((slot % WINDOW_SLOTS) + WINDOW_SLOTS) % WINDOW_SLOTS : -1;
  out.hour = Math.floor(t / HOUR_MS);
  return out;
}

/**
 * The previous version of `vs`: the version of the same name whose earliest time is the latest
 * strictly before vs's (ties: the smaller version string). `clockOf` reads a version's clock.
 */
export function previousBy<T extends { readonly version: string }>(versions: Iterable<T>, vs: T, clockOf: (v: T) => VersionClock): T | undefined {
  const earliest = clockOf(vs).earliest;
  let best: T | undefined;
  let bestEarliest = -Infinity;
  for (const o of versions) {
    const e = clockOf(o).earliest;
    if (o === vs || !(e < earliest)) continue;
    if (best === undefined || e > bestEarliest || (e === bestEarliest && o.version < best.version)) {
      best = o;
      bestEarliest = e;
    }
  }
  return best;
}
