/**
 * The configuration as the rest of the product sees it: validated, defaults applied, secrets
 * and TLS files read, the DogStatsD target and the tags resolved against the DD_* environment,
 * paths made absolute. Built by `parseConfig`/`loadConfig` (load.ts, resolve.ts); nothing
 * downstream reads the environment.
 */
import type { DriftBaseline, RawConfig, RawInstance } from './schema';

export type Protocol = 'udp' | 'uds';

export interface DogStatsDTarget {
  protocol: Protocol;
  /** UDP only. */
  host?: string;
  /** UDP only. */
  port?: number;
  /** UDS only: path of the Agent's DogStatsD socket. */
  path?: string;
  /**
   * Largest datagram: config `max_datagram_bytes`, else DEFAULT_UDP_DATAGRAM_BYTES (UDP) or
   * MAX_UDS_DATAGRAM_BYTES (UDS, also its cap); see schema.ts.
   */
  maxDatagramBytes: number;
  originDetection: boolean;
  clientTelemetry: boolean;
  /** DogStatsD 1.1 value packing. */
  packValues: boolean;
  /** Where the target came from, for the startup log line. */
  source: 'env' | 'config' | 'default';
}

/** `init_config` with every default applied (`init_config:` with nothing after it is `{}`). */
export type InitConfig = NonNullable<RawConfig['init_config']>;

export interface TlsFiles {
  /** Contents of `ca_file`. */
  ca?: string;
  /** Contents of `cert_file`. */
  cert?: string;
  /** Contents of `key_file` (secret). */
  key?: string;
  /** From key_passphrase / key_passphrase_env / key_passphrase_file (secret). */
  keyPassphrase?: string;
}

/** The instance's `drift` section, defaults applied. */
export interface DriftSettings {
  /** `drift.enabled`: PSI scores. */
  enabled: boolean;
  /** `drift.field_health`. */
  fieldHealth: boolean;
  /** `drift.interval_seconds`, in milliseconds: how often drift scores are reported. */
  intervalMs: number;
  /** `drift.baselines`, each once, in the order given. */
  baselines: DriftBaseline[];
  /** `drift.min_samples`: values each side needs before a score is reported. */
  minSamples: number;
  /** `drift.max_series`: series (algorithm version x field) tracked; more are counted, not tracked. */
  maxSeries: number;
  /** `drift.state_file` as an absolute path (relative to the config file's folder). Absent: no state file. */
  stateFile?: string;
}

/** One check of the instance's `fairness` section, defaults applied. */
export interface FairnessCheckSettings {
  name: string;
  outcome: string;
  /** Positive when the outcome is above (`above`) or below `threshold` (`positive_above`, default 0.5, or `positive_below`). */
  positive: 'above' | 'below';
  threshold: number;
  groupField: string;
  /** As written: strings and numbers. */
  groups: Array<string | number>;
  referenceGroup: string | number;
  minGroupExecutions: number;
  /** Algorithm names the check applies to; absent: every algorithm. */
  algorithms?: string[];
}

export interface ResolvedInstance extends Omit<RawInstance, 'kafka_connect_str' | 'dogstatsd' | 'tags' | 'drift' | 'fairness'> {
  /** The bootstrap servers, always a list (a comma-separated string is split at load). */
  kafka_connect_str: string[];
  /** Position in `instances[]`. */
  index: number;
  /** `topic`, or `topic#index` when two instances share a topic. */
  name: string;
  /** Resolved from `sasl.password`, `sasl.password_env` or `sasl.password_file`. */
  saslPassword?: string;
  /** TLS file contents, read at load. Absent when the instance has no `tls` section. */
  tlsFiles?: TlsFiles;
  dogstatsd: DogStatsDTarget;
  drift: DriftSettings;
  /** `fairness` checks (empty: fairness is off). */
  fairness: FairnessCheckSettings[];
  /** Tags of algorithm metrics: `env:<DD_ENV>`, DD_TAGS, then the instance's `tags` (env wins per key). */
  metricTags: string[];
  /** Tags of the forwarder's own telemetry and service check: metricTags plus service/version. */
  telemetryTags: string[];
  /** Set by `run --dry-run` only (config/dryRun.ts): `consumer_group` is then the throwaway group. */
  dryRun?: { observedGroup: string };
}

export interface ResolvedConfig {
  /** The file the config came from (as given to loadConfig/parseConfig). */
  file: string;
  init: InitConfig;
  instances: ResolvedInstance[];
}
