/** Model drift: a pure statistics engine (no I/O, no timers, every time a parameter). */
export { DriftTracker, DEFAULT_DRIFT_OPTIONS, type Baseline, type DriftOptions, type DriftScore } from './tracker';
export { driftMessageTime, SLOT_MS, HOUR_MS } from './time';
export { psiExact, psiExactDiscrete } from './psi';
export { SNAPSHOT_FORMAT } from './snapshot';
