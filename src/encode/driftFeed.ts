/**
 * Model drift on the main thread: the drift tracker, fed with the observations each encoded
 * chunk carries (driftRecorder.ts), asked for reports and snapshots by the runtime.
 *
 * A chunk's observations are applied on the next turn of the event loop, after its datagrams
 * have been handed to the socket: sending comes first, and the main thread has the time to
 * spare while the encoder works on the next chunk. A report or snapshot applies what is pending
 * first. A failure while applying is kept and thrown by the next report (counted and logged
 * there); it never reaches the event loop.
 */
import { type DriftOptions, type DriftScore, DriftTracker } from '../drift';
import type { Series } from '../drift/state';
import { observationBuffers, type DriftObservations } from './driftRecorder';

export interface DriftReport {
  scores: DriftScore[];
  trackedSeries: number;
  /** Values not tracked (series cap) since the last report. */
  untracked: number;
}

export class DriftFeed {
  private pending: DriftObservations[] = [];
  private scheduled = false;
  private failure: Error | undefined;
  private giveBack?: (buffers: ArrayBuffer[]) => void;

  constructor(private readonly tracker: DriftTracker) {}

  /** A tracker from a snapshot the caller already validated, or an empty one. */
  static create(opts: DriftOptions, snapshot?: Uint8Array): DriftFeed {
    const restored = snapshot ? DriftTracker.restore(snapshot, opts) : undefined;
    return new DriftFeed(restored?.ok ? restored.tracker : new DriftTracker(opts));
  }

  /** Where the buffers of applied observations go back to (the recorder that filled them). */
  recycleTo(giveBack: (buffers: ArrayBuffer[]) => void): void {
    this.giveBack = giveBack;
  }

  /** Queues one chunk's observations; they are applied shortly (or by the next report). */
  add(observations: DriftObservations | undefined): void {
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
        apply(this.tracker, o);
      } catch (err) {
        this.failure ??= err as Error;
      }
      this.giveBack?.(observationBuffers(o));
    }
  }

  report(wallNowMs: number): DriftReport {
    this.flush();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    const scores = this.tracker.report(wallNowMs);
    return { scores, trackedSeries: this.tracker.trackedSeries, untracked: this.tracker.takeUntracked() };
  }

  snapshot(): Uint8Array {
    this.flush();
    return this.tracker.snapshot();
  }
}

const DENSE_CACHE = 1 << 16;

/** Feeds one chunk's observations to the tracker, message by message, in their order. */
export function apply(tracker: DriftTracker, o: DriftObservations): void {
  const fieldCount = o.fields.length;
  // Each (version, field) of the chunk is looked up once (null: over the series cap); a chunk
  // of many versions and many names (hostile input) gets a map, not a huge sparse array.
  const size = (o.versions.length / 3) * fieldCount;
  const dense = size <= DENSE_CACHE ? new Array<Series | null | undefined>(size) : undefined;
  const sparse = dense ? undefined : new Map<number, Series | null>();
  let start = 0;
  for (let m = 0; m < o.messageTime.length; m++) {
    const end = o.messageEnd[m];
    const time = o.messageTime[m];
    const version = o.messageVersion[m];
    const v = 3 * version;
    const vs = tracker.begin(o.versions[v], o.versions[v + 1], o.versions[v + 2], time);
    if (vs !== undefined) {
      const where = tracker.placement(vs, time);
      for (let i = start; i < end; i++) {
        const key = version * fieldCount + o.valueField[i];
        let s = dense ? dense[key] : sparse?.get(key);
        if (s === undefined) {
          s = tracker.seriesOf(vs, o.fields[o.valueField[i]]) ?? null;
          if (dense) dense[key] = s;
          else sparse?.set(key, s);
        }
        tracker.seriesValueAt(vs, s ?? undefined, where, o.values[i]);
      }
    }
    start = end;
  }
}
