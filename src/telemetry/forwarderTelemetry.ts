/**
 * The forwarder's own numbers, per instance. Counters are plain field increments on the hot
 * path; `drainLines()` turns what accumulated since the last call into DogStatsD count lines
 * (the Agent turns counts into rates), and cumulative totals stay readable for tests and
 * the health endpoint.
 */
import type { ErrorCode } from '../errors';
import { formatLine, formatServiceCheck } from '../sink/lineFormat';
import {
  DROP_REASONS,
  type DropReason,
  errorCodeTag,
  type FailureStage,
  GUARDED_TAGS,
  type GuardedTag,
  REJECT_REASONS,
  type RejectReason,
  SERVICE_CHECKS,
  TELEMETRY_METRICS,
} from './catalogue';

export interface TelemetryTotals {
  consumed: number;
  rejected: Record<RejectReason, number>;
  dropped: Record<DropReason, number>;
  emitted: number;
  tagOverflow: Record<GuardedTag, number>;
  deadLettered: number;
  datagramsSent: number;
  sendErrors: number;
  commits: number;
  commitErrors: number;
}

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function emptyTotals(): TelemetryTotals {
  return {
    consumed: 0,
    rejected: zeroes(REJECT_REASONS),
    dropped: zeroes(DROP_REASONS),
    emitted: 0,
    tagOverflow: zeroes(GUARDED_TAGS),
    deadLettered: 0,
    datagramsSent: 0,
    sendErrors: 0,
    commits: 0,
    commitErrors: 0,
  };
}

export type CheckStatus = 0 | 2; // OK | CRITICAL (the statuses we send)

export class ForwarderTelemetry {
  readonly totals: TelemetryTotals = emptyTotals();
  private sent: TelemetryTotals = emptyTotals();
  private consumedByPartition = new Map<number, number>();
  private batchDurations: number[] = [];
  private lag = new Map<number, number>();
  private lagSeconds = new Map<number, number>();
  /** Failures since the last drain, by `stage,error_code` tags (bounded: stages x codes). */
  private failures = new Map<string, number>();
  private driftSeries?: number;
  private driftUntracked = 0;

  /** `tags`: the telemetry tags of the instance (topic, consumer_group, env, service, ...), already formatted. */
  constructor(private tags: string) {}

  /** New telemetry tags from the next report on (a reload changed the instance's tags). */
  retag(tags: string): void {
    this.tags = tags;
  }

  consumed(partition: number, n: number): void {
    this.totals.consumed += n;
    this.consumedByPartition.set(partition, (this.consumedByPartition.get(partition) ?? 0) + n);
  }
  rejected(reason: RejectReason): void {
    this.totals.rejected[reason]++;
  }
  dropped(reason: DropReason, n = 1): void {
    this.totals.dropped[reason] += n;
  }
  tagOverflow(tag: GuardedTag, n = 1): void {
    this.totals.tagOverflow[tag] += n;
  }
  emitted(n: number): void {
    this.totals.emitted += n;
  }
  deadLettered(n: number): void {
    this.totals.deadLettered += n;
  }
  datagrams(sent: number, failed: number): void {
    this.totals.datagramsSent += sent;
    this.totals.sendErrors += failed;
  }
  committed(): void {
    this.totals.commits++;
  }
  commitFailed(): void {
    this.totals.commitErrors++;
  }
  batchDuration(ms: number): void {
    if (this.batchDurations.length < 10_000) this.batchDurations.push(ms);
  }
  failure(stage: FailureStage, code: ErrorCode): void {
    const key = `stage:${stage},error_code:${errorCodeTag(code)}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }
  /** From the drift engine's last report: series tracked now, and values left untracked since. */
  drift(seriesTracked: number, valuesUntracked: number): void {
    this.driftSeries = seriesTracked;
    this.driftUntracked += valuesUntracked;
  }
  setLag(partition: number, lag: number): void {
    this.lag.set(partition, lag);
  }
  setLagSeconds(partition: number, seconds: number): void {
    this.lagSeconds.set(partition, seconds);
  }
  clearLag(): void {
    this.lag.clear();
    this.lagSeconds.clear();
  }

  /** Lines for everything since the last drain, plus the service check when given. */
  drainLines(check?: { status: CheckStatus; message?: string }): string[] {
    const M = TELEMETRY_METRICS;
    const lines: string[] = [];
    const t = this.totals;
    const s = this.sent;
    const count = (name: string, delta: number, extraTags = '') => {
      if (delta > 0) lines.push(formatLine(name, delta, 'count', extraTags ? `${this.tags},${extraTags}` : this.tags));
    };
    for (const [partition, n] of this.consumedByPartition) count(M.messagesConsumed.name, n, `partition:${partition}`);
    this.consumedByPartition.clear();
    for (const r of REJECT_REASONS) count(M.messagesRejected.name, t.rejected[r] - s.rejected[r], `reason:${r}`);
    for (const r of DROP_REASONS) count(M.valuesDropped.name, t.dropped[r] - s.dropped[r], `reason:${r}`);
    count(M.metricsEmitted.name, t.emitted - s.emitted);
    for (const k of GUARDED_TAGS) count(M.tagOverflow.name, t.tagOverflow[k] - s.tagOverflow[k], `tag_key:${k}`);
    count(M.messagesDeadLettered.name, t.deadLettered - s.deadLettered);
    count(M.datagramsSent.name, t.datagramsSent - s.datagramsSent);
    count(M.sendErrors.name, t.sendErrors - s.sendErrors);
    count(M.offsetsCommitted.name, t.commits - s.commits);
    count(M.commitErrors.name, t.commitErrors - s.commitErrors);
    for (const [tags, n] of this.failures) count(M.errors.name, n, tags);
    this.failures.clear();
    count(M.driftValuesUntracked.name, this.driftUntracked);
    this.driftUntracked = 0;
    if (this.driftSeries !== undefined) lines.push(formatLine(M.driftSeriesTracked.name, this.driftSeries, 'gauge', this.tags));
    this.sent = structuredClone(t);
    for (const ms of this.batchDurations) lines.push(formatLine(M.batchDuration.name, Math.round(ms * 1000) / 1000, 'distribution', this.tags));
    this.batchDurations = [];
    for (const [partition, lag] of this.lag) lines.push(formatLine(M.consumerLag.name, lag, 'gauge', `${this.tags},partition:${partition}`));
    for (const [partition, s] of this.lagSeconds) lines.push(formatLine(M.consumerLagSeconds.name, s, 'gauge', `${this.tags},partition:${partition}`));
    if (check) lines.push(formatServiceCheck(SERVICE_CHECKS.canConnect.name, check.status, this.tags, check.message));
    return lines;
  }
}
