/**
 * Model drift fed from the mapping, where the values are: the encoder hands the drift tracker
 * every value the mapping emits, with the message's drift time (its `time`, else the Kafka
 * timestamp, else its arrival). Lives beside the encoder, so in the worker thread when there is
 * one; the main thread asks it for reports and snapshots.
 */
import type { MessageFields } from '../decode/messageFields';
import { type DriftOptions, type DriftScore, DriftTracker, driftMessageTime } from '../drift';
import type { ValueObserver } from '../map/mapRecord';
import type { VersionState } from '../drift/state';

export interface DriftReport {
  scores: DriftScore[];
  trackedSeries: number;
  /** Values not tracked (series cap) since the last report. */
  untracked: number;
}

export class DriftFeed implements ValueObserver {
  /** The version of the message being mapped (undefined: not tracked), and its drift time. */
  private current: VersionState | undefined;
  private time = 0;
  /** The Kafka timestamp of the message being mapped (NaN: none), and the chunk's arrival time. */
  recordTimestamp = NaN;
  arrivalMs = 0;

  constructor(private readonly tracker: DriftTracker) {}

  /** A tracker from a snapshot the caller already validated, or an empty one. */
  static create(opts: DriftOptions, snapshot?: Uint8Array): DriftFeed {
    const restored = snapshot ? DriftTracker.restore(snapshot, opts) : undefined;
    return new DriftFeed(restored?.ok ? restored.tracker : new DriftTracker(opts));
  }

  message(fields: MessageFields): boolean {
    const version = fields.version === undefined || fields.version === null ? '' : String(fields.version);
    const owner = fields.owner === undefined || fields.owner === null ? '' : String(fields.owner);
    this.time = driftMessageTime(typeof fields.time === 'string' ? fields.time : undefined, this.recordTimestamp, this.arrivalMs, this.arrivalMs);
    this.current = this.tracker.begin(fields.algorithmName, version, owner, this.time);
    return this.current !== undefined;
  }

  value(field: string, value: number): void {
    if (this.current) this.tracker.value(this.current, this.time, field, value);
  }

  report(wallNowMs: number): DriftReport {
    const scores = this.tracker.report(wallNowMs);
    return { scores, trackedSeries: this.tracker.trackedSeries, untracked: this.tracker.takeUntracked() };
  }

  snapshot(): Uint8Array {
    return this.tracker.snapshot();
  }
}
