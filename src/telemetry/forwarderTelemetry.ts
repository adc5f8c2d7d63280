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
  type FAIRNESS_SKIP_REASONS,
  GUARDED_TAGS,
  type GuardedTag,
  REJECT_REASONS,
  type RejectReason,
  SERVICE_CHECKS,
  TELEMETRY_METRICS,
} from './catalogue';

type FairnessSkipReason = (typeof FAIRNESS_SKIP_REASONS)[number];

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
  /** Executions left out of a fairness check since the last drain, and in all, by reason. */
  private readonly fairnessSkipped = new Map<FairnessSkipReason, number>();
  private readonly fairnessSkippedTotal = new Map<FairnessSkipReason, number>();
  /** Cumulative, for `status` (drainLines clears the per-interval ones above). */
  private readonly failureTotals = new Map<string, number>();
  private readonly lastFailures = new Map<FailureStage, { code: ErrorCode; at: number }>();
  private driftUntrackedTotal = 0;
  private newestTimestamp?: number;

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
    const total = `${stage}/${code}`;
    this.failureTotals.set(total, (this.failureTotals.get(total) ?? 0) + 1);
    this.lastFailures.set(stage, { code, at: Date.now() });
  }
  /** From model monitoring's last report: executions left out of a fairness check, by reason. */
  fairnessSkips(reason: FairnessSkipReason, n: number): void {
    if (!(n > 0)) return;
    this.fairnessSkipped.set(reason, (this.fairnessSkipped.get(reason) ?? 0) + n);
    this.fairnessSkippedTotal.set(reason, (this.fairnessSkippedTotal.get(reason) ?? 0) + n);
  }

  /** From the drift engine's last report: series tracked now, and values left untracked since. */
  drift(seriesTracked: number, valuesUntracked: number): void {
    this.driftSeries = seriesTracked;
    this.driftUntracked += valuesUntracked;
    this.driftUntrackedTotal += valuesUntracked;
  }
  /** Kafka timestamp (ms) of the last message of a chunk handed off; the newest is kept. */
  handedOff(timestampMs: number): void {
    if (Number.isFinite(timestampMs) && timestampMs > (this.newestTimestamp ?? 0)) this.newestTimestamp = timestampMs;
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

  /* ---------------------------------------------------------------- read by `status` */

  /** Every cumulative counter under a flat key (`rejected.<reason>`, `errors.<stage>/<code>`...); zero reasons left out. */
  counterValues(): Record<string, number> {
    const t = this.totals;
    const out: Record<string, number> = {
      consumed: t.consumed,
      emitted: t.emitted,
      dead_lettered: t.deadLettered,
      datagrams_sent: t.datagramsSent,
      send_errors: t.sendErrors,
      commits: t.commits,
      commit_errors: t.commitErrors,
      drift_untracked: this.driftUntrackedTotal,
    };
    for (const r of REJECT_REASONS) if (t.rejected[r] > 0) out[`rejected.${r}`] = t.rejected[r];
    for (const r of DROP_REASONS) if (t.dropped[r] > 0) out[`dropped.${r}`] = t.dropped[r];
    for (const [k, n] of this.failureTotals) out[`errors.${k}`] = n;
    for (const [r, n] of this.fairnessSkippedTotal) out[`fairness_skipped.${r}`] = n;
    return out;
  }
  /** The last failure counted for `stage`, with its time (ms). */
  lastFailure(stage: FailureStage): { code: ErrorCode; at: number } | undefined {
    return this.lastFailures.get(stage);
  }
  get newestMessageTimestamp(): number | undefined {
    return this.newestTimestamp;
  }
  get driftSeriesTracked(): number | undefined {
    return this.driftSeries;
  }
  /** The last lag sample of `partition`, if any. */
  lagOf(partition: number): { messages?: number; seconds?: number } {
    return { messages: this.lag.get(partition), seconds: this.lagSeconds.get(partition) };
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
    for (const [r, n] of this.fairnessSkipped) count(M.fairnessExecutionsSkipped.name, n, `reason:${r}`);
    this.fairnessSkipped.clear();
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
