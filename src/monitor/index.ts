/** Model monitoring: the observation stream and the signals it feeds (pure). */
export { Monitor, type MonitorOptions, type MonitorReport } from './monitor';
export { KIND_EXCLUDED, KIND_GROUP_NUMBER, KIND_GROUP_STRING, KIND_OUTCOME, KIND_NON_FINITE, KIND_NON_NUMERIC, KIND_NULL, KIND_OF_REASON, KIND_VALUE, observationBuffers, type Observations } from './observations';
export { type HealthGauge, type HealthReport, type InvalidCount, MISSING_THRESHOLD, TAIL_MS, missingRatio } from './fieldHealthReport';
export { STATE_FORMAT } from './stateFile';
export { type FairnessCheck, fingerprint, isPositive, SKIP_REASONS } from './fairness';
export { disparateImpact, type FairnessGauge, type FairnessReport, positiveRate } from './fairnessReport';
