/** Exponential backoff with full jitter and a cap, for reconnects and re-sends. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay: initial * 2^attempt, capped, with jitter in [50%, 100%]. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base / 2 + (base / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that `wake()` can cut short (shutdown must not wait out a backoff). */
export class InterruptibleSleep {
  private timers = new Set<{ t: NodeJS.Timeout; done: () => void }>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        t: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.timers.add(entry);
    });
  }

  wake(): void {
    for (const e of this.timers) {
      clearTimeout(e.t);
      e.done();
    }
    this.timers.clear();
  }
}
