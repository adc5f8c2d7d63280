/**
 * The status socket's protocol: the client writes one JSON line (STATUS_REQUEST), the daemon
 * answers one JSON line (StatusReply) and closes. Snake-case keys: `status --json` prints the
 * reply as it came, for scripts.
 */
export const STATUS_PROTOCOL_VERSION = 1;
export const STATUS_REQUEST = { request: 'status', version: STATUS_PROTOCOL_VERSION } as const;
/** The client gives up on a socket after this long. */
export const STATUS_TIMEOUT_MS = 3000;
/** Largest request line the daemon reads. */
export const MAX_REQUEST_BYTES = 4096;

export type KafkaState = 'connecting' | 'joined' | 'failing' | 'stopping';

/** Counters over one span (since start, or the last minute). Reasons and errors list only those seen. */
export interface CounterSet {
  messages_consumed: number;
  messages_rejected: number;
  rejected_by_reason: Record<string, number>;
  values_sent: number;
  values_dropped: number;
  dropped_by_reason: Record<string, number>;
  dead_lettered: number;
  datagrams_sent: number;
  send_errors: number;
  commits: number;
  commit_errors: number;
  /** By `<stage>/<error_code>`. */
  errors: Record<string, number>;
}

export interface PartitionStatus {
  partition: number;
  /** From the last lag sample; null before the first one (or while Kafka is unreachable). */
  lag_messages: number | null;
  lag_seconds: number | null;
}

export interface InstanceStatus {
  name: string;
  topic: string;
  consumer_group: string;
  brokers: string[];
  kafka: {
    state: KafkaState;
    healthy: boolean;
    /** Why it is not healthy (the service check's message). */
    message?: string;
    /** The last error's cause as the health state holds it (passed through). */
    cause?: unknown;
    /** The last consume failure counted, by code. */
    last_error?: { stage: string; code: string; at: string };
  };
  /** Owned partitions; null before the first group join. */
  partitions: PartitionStatus[] | null;
  /** Kafka timestamp of the newest message handed off, and its age. */
  newest_message: { time: string; age_seconds: number } | null;
  counters: {
    since_start: CounterSet;
    last_minute: CounterSet & { window_seconds: number };
  };
  dogstatsd: { target: string; send_errors: number; datagrams_sent: number };
  /** Model monitoring signals, each a sibling (field health and fairness slot in beside drift). */
  monitoring: {
    drift: { enabled: boolean; series_tracked: number | null; values_untracked: number };
    /** Absent from a process of an earlier release. */
    field_health?: FieldHealthStatus;
    /** Absent from a process of an earlier release. */
    fairness?: FairnessStatus;
  };
}

/** Fairness of one instance: counts (shown as text) and, in --json, the groups that send. */
export interface FairnessStatus {
  enabled: boolean;
  /** Checks configured. */
  checks: number;
  /** Version x check x group rates sent at the last report; null before it. */
  groups_reporting: number | null;
  /** Disparate impacts sent at the last report outside [0.8, 1.25]; null before it. */
  outside_four_fifths: number | null;
  /** Executions left out of a check since start, and by reason (outcome_missing, outcome_unusable, group_missing). */
  executions_skipped: number;
  skipped_by_reason: Record<string, number>;
  /** The groups that sent at the last report, the farthest disparate impact from 1 first (at most 50). */
  groups: Array<{
    algorithm_name: string;
    algorithm_version: string;
    check: string;
    group: string;
    positive_rate: number;
    executions: number;
    /** Absent for the reference group, and while no ratio is sent. */
    disparate_impact?: number;
  }>;
}

/** Field health of one instance: counts (shown as text) and, in --json, the fields that send. */
export interface FieldHealthStatus {
  enabled: boolean;
  /** Series tracked (shared with drift) at the last report; null before it. */
  series_tracked: number | null;
  /** Series whose gauges went out at the last report (missing values now, or within 2 h). */
  series_reporting: number | null;
  /** Missing values of tracked fields since start, and by reason (null, non_numeric, non_finite). */
  invalid_values: number;
  invalid_by_reason: Record<string, number>;
  /** The series that sent at the last report, the largest missing ratio first (at most 50). */
  fields: Array<{
    algorithm_name: string;
    algorithm_version: string;
    field: string;
    missing_ratio: number;
    changes: Array<{ baseline: string; baseline_version?: string; change: number }>;
  }>;
}

export interface StatusReply {
  version: number;
  pid: number;
  started_at: string;
  uptime_seconds: number;
  config_file: string;
  instances: InstanceStatus[];
}
