/** The DogStatsD types a metric can be sent as (config's `default_metric_type`, `metric_types`). */
export const METRIC_TYPES = ['gauge', 'count', 'histogram', 'distribution'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];
