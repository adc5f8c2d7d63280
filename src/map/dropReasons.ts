/** Reasons a single value is not sent, on purpose (bounded set; telemetry tag `reason`). */
export const DROP_REASONS = [
  'non_numeric',
  'non_finite',
  'bad_name',
  'reserved',
  'cardinality',
  'denied',
  'too_long',
  'too_old',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Tags whose value the cardinality guard may replace with `overflow`. */
export const GUARDED_TAGS = ['algorithm_name', 'algorithm_version'] as const;
export type GuardedTag = (typeof GUARDED_TAGS)[number];

/** The metric every Insights message carries: the manifest's check metric. */
export const DURATION_FIELD = 'duration_milliseconds';

/** Our own namespaces: a user field that would emit into one is dropped as `reserved`. */
export const FORWARDER_NAMESPACE = 'algorithmia.forwarder.';
export const DRIFT_NAMESPACE = 'algorithmia.drift.';
