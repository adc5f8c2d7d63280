/**
 * One instance's answer to `status`, read from the parts it already has (health, counters, lag
 * samples, owned partitions): nothing here runs on the hot path. It also keeps the counters'
 * one-minute window, ticked by the status server.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { CounterSet, FairnessStatus, FieldHealthStatus, InstanceStatus, KafkaState } from '../status/protocol';
import type { ForwarderTelemetry } from '../telemetry/forwarderTelemetry';
import type { InstanceHealth } from '../telemetry/health';
import type { PartitionLagView } from '../telemetry/lag';
import { CounterWindow, type FlatCounters } from '../telemetry/statusCounters';

export interface InstanceStatusParts {
  /** Read at each answer: a reload replaces them. */
  config: () => ResolvedInstance;
  dogstatsdTarget: () => string;
  telemetry: ForwarderTelemetry;
  health: () => InstanceHealth;
  lagView: PartitionLagView;
  stopping: () => boolean;
  driftEnabled: () => boolean;
  /** Field health's status (undefined: model monitoring is off). */
  fieldHealth?: () => FieldHealthStatus | undefined;
  fairness?: () => FairnessStatus | undefined;
}

/** Flat counters (ForwarderTelemetry.counterValues) in the reply's shape. */
export function counterSet(c: FlatCounters): CounterSet {
  const byPrefix = (prefix: string) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(c)) if (k.startsWith(prefix) && v !== 0) out[k.slice(prefix.length)] = v;
    return out;
  };
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const rejected = byPrefix('rejected.');
  const dropped = byPrefix('dropped.');
  return {
    messages_consumed: c.consumed ?? 0,
    messages_rejected: sum(rejected),
    rejected_by_reason: rejected,
    values_sent: c.emitted ?? 0,
    values_dropped: sum(dropped),
    dropped_by_reason: dropped,
    dead_lettered: c.dead_lettered ?? 0,
    datagrams_sent: c.datagrams_sent ?? 0,
    send_errors: c.send_errors ?? 0,
    commits: c.commits ?? 0,
    commit_errors: c.commit_errors ?? 0,
    errors: byPrefix('errors.'),
  };
}

/**
 * The member's state without reading message texts: stopping; joined when healthy or owning
 * partitions; failing when a consume failure came after the last fetch; else connecting.
 */
export function kafkaState(s: { stopping: boolean; healthy: boolean; owned?: number; lastFailureAt?: number; lastFetchAt?: number }): KafkaState {
  if (s.stopping) return 'stopping';
  if (s.healthy) return 'joined';
  if (s.lastFailureAt !== undefined && (s.lastFetchAt === undefined || s.lastFailureAt >= s.lastFetchAt)) return 'failing';
  return s.owned !== undefined && s.owned > 0 ? 'joined' : 'connecting';
}

export class InstanceStatusView {
  private readonly window: CounterWindow;

  constructor(private readonly parts: InstanceStatusParts) {
    this.window = new CounterWindow(() => parts.telemetry.counterValues(), Date.now());
  }

  tick(now = Date.now()): void {
    this.window.tick(now);
  }

  snapshot(now = Date.now()): InstanceStatus {
    const { telemetry, lagView } = this.parts;
    const config = this.parts.config();
    const health = this.parts.health();
    const owned = lagView.owned();
    const failure = telemetry.lastFailure('consume');
    const counters = this.window.view(now);
    const newest = telemetry.newestMessageTimestamp;
    // The health's cause, its times as ISO strings like last_error's.
    const cause = health.cause && { ...health.cause, since: new Date(health.cause.since).toISOString(), at: new Date(health.cause.at).toISOString() };
    const kafka: InstanceStatus['kafka'] = {
      state: kafkaState({ stopping: this.parts.stopping(), healthy: health.ok, owned: owned?.size, lastFailureAt: failure?.at, lastFetchAt: health.lastFetchAt }),
      healthy: health.ok,
    };
    if (health.message !== undefined) kafka.message = health.message;
    if (cause !== undefined) kafka.cause = cause;
    if (failure) kafka.last_error = { stage: 'consume', code: failure.code, at: new Date(failure.at).toISOString() };
    const total = counterSet(counters.total);
    return {
      name: config.name,
      topic: config.topic,
      consumer_group: config.consumer_group,
      brokers: ([] as string[]).concat(config.kafka_connect_str),
      kafka,
      partitions: owned
        ? [...owned]
            .sort((a, b) => a - b)
            .map((partition) => {
              const lag = telemetry.lagOf(partition);
              return { partition, lag_messages: lag.messages ?? null, lag_seconds: lag.seconds ?? null };
            })
        : null,
      newest_message: newest === undefined ? null : { time: new Date(newest).toISOString(), age_seconds: Math.max(0, Math.round((now - newest) / 100) / 10) },
      counters: { since_start: total, last_minute: { ...counterSet(counters.window), window_seconds: Math.round(counters.windowMs / 1000) } },
      dogstatsd: { target: this.parts.dogstatsdTarget(), send_errors: total.send_errors, datagrams_sent: total.datagrams_sent },
      monitoring: {
        drift: { enabled: this.parts.driftEnabled(), series_tracked: telemetry.driftSeriesTracked ?? null, values_untracked: counters.total.drift_untracked ?? 0 },
        field_health: this.parts.fieldHealth?.() ?? disabledHealth(),
        fairness: this.parts.fairness?.() ?? disabledFairness(),
      },
    };
  }
}

function disabledHealth(): FieldHealthStatus {
  return { enabled: false, series_tracked: null, series_reporting: null, invalid_values: 0, invalid_by_reason: {}, fields: [] };
}

function disabledFairness(): FairnessStatus {
  return { enabled: false, checks: 0, groups_reporting: null, outside_four_fifths: null, executions_skipped: 0, skipped_by_reason: {}, groups: [] };
}
