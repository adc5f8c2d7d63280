/**
 * Counters over the last minute, for `status`, without touching the hot path: the stages keep
 * incrementing their cumulative totals; this keeps a copy of those totals every 10 s (a ring of
 * at most 7), and the last minute is "totals now minus the oldest copy at most 60 s old".
 * The window is therefore between 50 and 60 s long (shorter just after start); its true length
 * is reported with it.
 */
export type FlatCounters = Record<string, number>;

export const WINDOW_MS = 60_000;
export const BUCKET_MS = 10_000;

interface Copy {
  at: number;
  values: FlatCounters;
}

export class CounterWindow {
  private readonly copies: Copy[] = [];

  /** `read` returns the cumulative totals (a fresh object each call). */
  constructor(
    private readonly read: () => FlatCounters,
    now: number,
    private readonly windowMs = WINDOW_MS,
    private readonly bucketMs = BUCKET_MS,
  ) {
    this.copies.push({ at: now, values: read() });
  }

  /** Keeps a copy when a bucket has passed since the last one (cheap to call more often). */
  tick(now: number): void {
    const last = this.copies[this.copies.length - 1];
    if (now - last.at < this.bucketMs) return;
    this.copies.push({ at: now, values: this.read() });
    // A copy older than the window is never the base again once a younger one exists.
    while (this.copies.length > 1 && now - this.copies[0].at > this.windowMs) this.copies.shift();
  }

  /** Totals now, and their increase over the last minute (keys absent from the base count from 0). */
  view(now: number): { total: FlatCounters; window: FlatCounters; windowMs: number } {
    const total = this.read();
    // Without ticks for a while (none younger than the window), the newest copy: a longer window, reported as such.
    const base = this.copies.find((c) => now - c.at <= this.windowMs) ?? this.copies[this.copies.length - 1];
    const window: FlatCounters = {};
    for (const [k, v] of Object.entries(total)) window[k] = v - (base.values[k] ?? 0);
    this.tick(now);
    return { total, window, windowMs: Math.max(0, now - base.at) };
  }
}
