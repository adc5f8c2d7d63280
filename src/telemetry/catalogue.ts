/**
 * Every metric and service check the forwarder emits about itself, in one place. The
 * telemetry code sends only names from here, and the asset tests check metadata.csv,
 * service_checks.json and the dashboard against this list (and against captured datagrams).
 */
import type { ErrorCode } from '../errors';
import { DRIFT_NAMESPACE, DROP_REASONS, DURATION_FIELD, FAIRNESS_NAMESPACE, FORWARDER_NAMESPACE, GUARDED_TAGS, MISSING_REASONS, QUALITY_NAMESPACE } from '../map/dropReasons';
import { REJECT_REASONS } from '../decode/rejectReasons';

// The reasons live with the stage that produces them; the catalogue lists them for the assets.
export { DRIFT_NAMESPACE, DROP_REASONS, DURATION_FIELD, FAIRNESS_NAMESPACE, GUARDED_TAGS, MISSING_REASONS, QUALITY_NAMESPACE, REJECT_REASONS };
export type { DropReason, GuardedTag } from '../map/dropReasons';
export type { RejectReason } from '../decode/rejectReasons';

export const TELEMETRY_PREFIX = FORWARDER_NAMESPACE;

/** Where a failure happened (tag `stage`; bounded, with the codes of errors.ts as `error_code`). */
export const FAILURE_STAGES = ['consume', 'encode', 'send', 'dead_letter', 'commit', 'lag', 'telemetry', 'drift', 'drift_state'] as const;
export type FailureStage = (typeof FAILURE_STAGES)[number];
/** The `error_code` tag value of a code. */
export const errorCodeTag = (code: ErrorCode): string => code.toLowerCase();

export type TelemetryKind = 'count' | 'gauge' | 'distribution';

export interface TelemetryMetric {
  /** Full metric name as sent. */
  name: string;
  kind: TelemetryKind;
  unit: string;
  perUnit?: string;
  description: string;
  /** Tag keys this metric carries besides the common ones (topic, consumer_group, service, version, env). */
  tags: string[];
}

const m = (suffix: string, kind: TelemetryKind, unit: string, description: string, tags: string[] = [], perUnit?: string): TelemetryMetric => ({
  name: TELEMETRY_PREFIX + suffix,
  kind,
  unit,
  perUnit,
  description,
  tags,
});

export const TELEMETRY_METRICS = {
  messagesConsumed: m('messages.consumed', 'count', 'message', 'Messages read from the Insights topic.', ['partition']),
  messagesRejected: m('messages.rejected', 'count', 'message', 'Messages rejected whole, by reason (too_large, invalid_json, not_object, missing_field).', ['reason']),
  messagesDeadLettered: m('messages.dead_lettered', 'count', 'message', 'Rejected messages copied to the dead-letter topic.', []),
  metricsEmitted: m('metrics.emitted', 'count', 'sample', 'Metric values handed to DogStatsD.', []),
  valuesDropped: m('values.dropped', 'count', 'sample', 'Values not sent on purpose, by reason (non_numeric, non_finite, bad_name, reserved, cardinality, denied, too_long, too_old).', ['reason']),
  tagOverflow: m('values.tag_overflow', 'count', 'sample', 'Values sent with algorithm_name or algorithm_version set to overflow by the cardinality guard (tag tag_key).', ['tag_key']),
  datagramsSent: m('dogstatsd.datagrams_sent', 'count', 'packet', 'DogStatsD datagrams written to the socket.', []),
  sendErrors: m('dogstatsd.send_errors', 'count', 'error', 'DogStatsD datagrams the socket refused; their offsets are not committed and they are sent again.', []),
  offsetsCommitted: m('offsets.committed', 'count', 'commit', 'Successful offset commits.', []),
  commitErrors: m('offsets.commit_errors', 'count', 'error', 'Failed offset commits (retried with the next batch).', []),
  batchDuration: m('batch.duration', 'distribution', 'millisecond', 'Time to decode, map and send one fetched batch, submitted as a distribution.', []),
  consumerLag: m('consumer_lag', 'gauge', 'message', 'High watermark minus committed offset, per partition.', ['partition']),
  consumerLagSeconds: m(
    'consumer_lag_seconds',
    'gauge',
    'second',
    'Age (now minus the Kafka timestamp) of the oldest message fetched and not yet handed off, per owned partition; with none pending and a lag above 0, the age of the last message handed off; 0 when caught up.',
    ['partition'],
  ),
  errors: m('errors', 'count', 'error', 'Failures met while running, by stage (consume, encode, send, dead_letter, commit, lag, telemetry, drift, drift_state) and error_code; the work is retried, nothing is lost.', ['stage', 'error_code']),
  driftSeriesTracked: m('drift.series_tracked', 'gauge', 'item', 'Series (algorithm version x inference field) whose distribution model drift tracks.', []),
  driftValuesUntracked: m('drift.values_untracked', 'count', 'sample', 'Values not tracked for model drift because the series cap (drift.max_series) was reached.', []),
  fairnessExecutionsSkipped: m(
    'fairness.executions_skipped',
    'count',
    'execution',
    'Executions left out of a fairness check, by reason.',
    ['reason'],
  ),
} as const satisfies Record<string, TelemetryMetric>;

/** Model drift: a fixed namespace whatever `prefix` says, reserved like the forwarder's own. */
export const DRIFT_METRICS = {
  psi: {
    name: DRIFT_NAMESPACE + 'psi',
    kind: 'gauge',
    unit: '',
    description:
      'Population Stability Index of an inference field of an algorithm version: its current hour against a baseline (tag baseline: trailing = its own previous 24 hours, previous_version = the version before it, named by baseline_version). Below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a significant shift.',
    tags: ['algorithm_name', 'algorithm_version', 'algorithm_owner', 'field', 'baseline', 'baseline_version'],
  },
} as const satisfies Record<string, TelemetryMetric>;

const QUALITY_TAGS = ['algorithm_name', 'algorithm_version', 'algorithm_owner', 'field'];

/** Field health (model monitoring): a fixed namespace whatever `prefix` says, reserved like drift's. */
export const QUALITY_METRICS = {
  missingRatio: {
    name: QUALITY_NAMESPACE + 'missing_ratio',
    kind: 'gauge',
    unit: 'fraction',
    description:
      'Share of the executions of an algorithm version in its current window (the last hour) whose value of an inference field was missing: absent, null, not a number or not finite.',
    tags: QUALITY_TAGS,
  },
  missingRatioChange: {
    name: QUALITY_NAMESPACE + 'missing_ratio_change',
    kind: 'gauge',
    unit: 'fraction',
    description:
      "Missing ratio of an inference field of an algorithm version minus its baseline's (tag baseline: trailing = its own previous 24 hours, previous_version = the version before it, named by baseline_version).",
    tags: [...QUALITY_TAGS, 'baseline', 'baseline_version'],
  },
  invalidValues: {
    name: QUALITY_NAMESPACE + 'invalid_values',
    kind: 'count',
    unit: 'sample',
    description: 'Values of an inference field of an algorithm version that were present but not usable, by reason (null, non_numeric, non_finite); one per execution, absent values not included.',
    tags: [...QUALITY_TAGS, 'reason'],
  },
} as const satisfies Record<string, TelemetryMetric>;

/** Why an execution was left out of a fairness check (tag `reason`). */
export const FAIRNESS_SKIP_REASONS = ['outcome_missing', 'outcome_unusable', 'group_missing'] as const;

const FAIRNESS_TAGS = ['algorithm_name', 'algorithm_version', 'algorithm_owner', 'check', 'outcome', 'group_field', 'group'];

/** Fairness (model bias): a fixed namespace whatever `prefix` says, reserved like drift's. */
export const FAIRNESS_METRICS = {
  positiveRate: {
    name: FAIRNESS_NAMESPACE + 'positive_rate',
    kind: 'gauge',
    unit: 'fraction',
    description:
      "Share of an algorithm version's executions of a group, in its current window (the last hour), whose outcome was positive.",
    tags: FAIRNESS_TAGS,
  },
  executions: {
    name: FAIRNESS_NAMESPACE + 'executions',
    kind: 'gauge',
    unit: 'execution',
    description:
      'Executions of an algorithm version by a group in its current window (the last hour), as counted by a fairness check.',
    tags: FAIRNESS_TAGS,
  },
  disparateImpact: {
    name: FAIRNESS_NAMESPACE + 'disparate_impact',
    kind: 'gauge',
    unit: 'fraction',
    description: "Positive rate of a group divided by the reference group's (demographic parity ratio), per algorithm version and fairness check.",
    tags: FAIRNESS_TAGS,
  },
} as const satisfies Record<string, TelemetryMetric>;

export interface ServiceCheckSpec {
  name: string;
  description: string;
  statuses: Array<'ok' | 'warning' | 'critical' | 'unknown'>;
  groups: string[];
}

export const SERVICE_CHECKS = {
  canConnect: {
    name: 'algorithmia.can_connect',
    description:
      'OK when the forwarder is connected to Kafka and has fetched from the Insights topic recently; CRITICAL with a message naming the cause and the broker when the brokers are unreachable (refused, unknown host, timeout), TLS or authentication fails, the topic or group is not authorised, the topic does not exist, or the consumer has stopped.',
    statuses: ['ok', 'critical'],
    groups: ['topic', 'consumer_group'],
  },
} as const satisfies Record<string, ServiceCheckSpec>;
