/** The result records of the scenarios (one per run; the JSON output holds them as they are). */

export interface ScenarioResult {
  scenario: string;
  kind: 'drain' | 'check';
  ok: boolean;
  note?: string;
  messages: number;
  /** Spawn -> completion. */
  wallSeconds: number;
  /** First data (first batch / first datagram) -> last (drain done / last metric datagram). */
  activeSeconds: number;
  messagesPerSecond: number;
  messagesPerSecondWall: number;
  metricsPerSecond?: number;
  datagramsPerSecond?: number;
  cpuSeconds: number;
  cpuSecondsPerMillion: number;
  /** CPU seconds / active seconds (1.0 = one core busy all the time). */
  cpuUtilisation: number;
  peakRssMb: number;
  ratioToKafkajsDrain?: number;
  /** Each round's rate over the kafkajs drain's in the same round, in round order. */
  ratioByRound?: number[];
  [key: string]: unknown;
}

export interface LatencyResult {
  scenario: string;
  ok: boolean;
  note?: string;
  rate: number;
  seconds: number;
  produced: number;
  received: number;
  measured: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  checkCpuUtilisation: number;
  checkPeakRssMb: number;
  /** Resident set (VmRSS) of the joined, settled process before producing starts: idle. */
  idleRssMb: number;
  /** Resident set (VmRSS) once the steady-rate traffic has arrived. */
  steadyRssMb: number;
  /** CPU seconds per million messages during the steady-rate part (after the idle sample). */
  steadyCpuSPerM: number;
}

/** kcat when it is not installed. */
export interface Unavailable {
  scenario: string;
  available: false;
  note: string;
}
