/**
 * Model monitoring on the main thread: the signals (monitor/), fed with the observations each
 * encoded chunk carries (observationRecorder.ts), asked for reports and snapshots by the
 * runtime.
 *
 * A chunk's observations are applied on the next turn of the event loop, after its datagrams
 * have been handed to the socket: sending comes first, and the main thread has the time to
 * spare while the encoder works on the next chunk. A report or snapshot applies what is pending
 * first. A failure while applying is kept and thrown by the next report (counted and logged
 * there); it never reaches the event loop.
 */
import { Monitor, type MonitorOptions, type MonitorReport, observationBuffers, type Observations } from '../monitor';

export class MonitorFeed {
  private pending: Observations[] = [];
  private scheduled = false;
  private failure: Error | undefined;
  private giveBack?: (buffers: ArrayBuffer[]) => void;

  constructor(readonly monitor: Monitor) {}

  /** The signals from a state file's bytes the caller already validated, or empty ones. */
  static create(opts: MonitorOptions, state?: Uint8Array): MonitorFeed {
    const restored = state ? Monitor.restore(state, opts) : undefined;
    return new MonitorFeed(restored?.ok ? restored.monitor : new Monitor(opts));
  }

  /** Where the buffers of applied observations go back to (the recorder that filled them). */
  recycleTo(giveBack: (buffers: ArrayBuffer[]) => void): void {
    this.giveBack = giveBack;
  }

  /** Queues one chunk's observations; they are applied shortly (or by the next report). */
  add(observations: Observations | undefined): void {
    if (observations === undefined) return;
    this.pending.push(observations);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Applies every queued chunk now. */
  flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const o of pending) {
      try {
        this.monitor.apply(o);
      } catch (err) {
        this.failure ??= err as Error;
      }
      this.giveBack?.(observationBuffers(o));
    }
  }

  report(wallNowMs: number): MonitorReport {
    this.flush();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    return this.monitor.report(wallNowMs);
  }

  snapshot(): Uint8Array {
    this.flush();
    return this.monitor.snapshot();
  }
}
