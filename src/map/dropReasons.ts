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
/** Field health (model monitoring) and fairness (reserved ahead of it). */
export const QUALITY_NAMESPACE = 'algorithmia.quality.';
export const FAIRNESS_NAMESPACE = 'algorithmia.fairness.';
export const RESERVED_NAMESPACES: readonly string[] = [FORWARDER_NAMESPACE, DRIFT_NAMESPACE, QUALITY_NAMESPACE, FAIRNESS_NAMESPACE];

/**
 * Why a field of an observed message carried no usable value (model monitoring's field health).
 * `excluded`: the value was dropped on purpose (denied, reserved, cardinality, too old), so it
 * is neither usable nor missing. `absent` (no such key) is not told: it is what is left over.
 */
export const MISSING_REASONS = ['null', 'non_numeric', 'non_finite'] as const;
export type MissingReason = (typeof MISSING_REASONS)[number] | 'excluded';
