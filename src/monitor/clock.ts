/**
 * Model monitoring's clock, shared by every signal: drift's definitions (drift/tracker.ts),
 * so that field health (and fairness) report on exactly drift's windows and baselines.
 *
 * A version's newest / earliest message is the one with the highest / lowest message time.
 * Slots are 5-minute UTC slots; the current window is the 12 slots ending with the slot of the
 * newest message. Trailing baseline: [H - 24 h, H), H = start of the UTC hour holding the
 * window's first slot. Previous-version baseline: the version of the same name whose earliest
 * time is the latest strictly before this one's (ties: the smaller version string), over its own
 * [N - 23 h, N + 1 h), N = start of the hour holding its newest message.
 */
import { HOUR_MS, previousBy, SLOT_MS, type VersionClock, WINDOW_SLOTS } from '../drift/time';

export { HOUR_MS, KEEP_MS, REPORT_AGE_MS, SLOT_MS, VersionClock, WINDOW_SLOTS } from '../drift/time';

/** A time range [from, to), ms. */
export interface Range {
  from: number;
  to: number;
}

/** The current window of a version. */
export function currentWindow(c: VersionClock): Range {
  return { from: (c.newestSlot - WINDOW_SLOTS + 1) * SLOT_MS, to: (c.newestSlot + 1) * SLOT_MS };
}

/** The trailing baseline of a window starting at `windowFrom`. */
export function trailingRange(windowFrom: number): Range {
  const h = Math.floor(windowFrom / HOUR_MS) * HOUR_MS;
  return { from: h - 24 * HOUR_MS, to: h };
}

/** The range of the previous version `prev` that a newer version is compared with. */
export function previousRange(prev: VersionClock): Range {
  const n = prev.newestHour * HOUR_MS;
  return { from: n - 23 * HOUR_MS, to: n + HOUR_MS };
}

/** The version of the same name whose earliest time is the latest strictly before vs's. */
export function previousVersion<T extends { readonly clock: VersionClock; readonly version: string }>(versions: Iterable<T>, vs: T): T | undefined {
  return previousBy(versions, vs, (v) => v.clock);
}
