/**
 * The one place an instance's config becomes an encoder's setup: the daemon, the tests and the
 * benchmark all build their encoders through it, so none can drift from what runs.
 */
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import type { MonitorOptions } from '../monitor';
import { MAX_STAMP_AGE_SECONDS } from '../tunables';
import { createChunkEncoder, type EncoderSetup } from './chunkEncoder';
import { type ChunkEncoding, InlineEncoding } from './chunkEncoding';
import { MonitorFeed } from './monitorFeed';
import { WorkerEncoding } from './workerEncoding';

export interface EncoderSetupOptions {
  /** Appended to every metric line (origin detection), from the transport. */
  lineSuffix: string;
  /** The byte scanner before JSON.parse (default on; off only to compare the two). */
  fastDecode?: boolean;
}

export function encoderSetup(instance: ResolvedInstance, opts: EncoderSetupOptions): EncoderSetup {
  return {
    mapping: {
      prefix: instance.prefix,
      defaultType: instance.default_metric_type,
      types: instance.metric_types,
      tagRequestId: instance.tag_request_id,
      tagSessionId: instance.tag_session_id,
      useMessageTime: instance.use_message_time,
      allow: instance.metric_allowlist,
      deny: instance.metric_denylist,
      staticTags: instance.metricTags,
      maxAgeSeconds: MAX_STAMP_AGE_SECONDS,
      ...(instance.fairness.length > 0 ? { fairness: instance.fairness.map((c) => ({ outcome: c.outcome, groupField: c.groupField, ...(c.algorithms ? { algorithms: c.algorithms } : {}) })) } : {}),
    },
    limits: {
      maxAlgorithms: instance.cardinality.max_algorithms,
      maxNamesPerAlgorithm: instance.cardinality.max_metric_names_per_algorithm,
      maxVersionsPerAlgorithm: instance.cardinality.max_versions_per_algorithm,
      windowMs: instance.cardinality.window_seconds * 1000,
    },
    encoder: {
      maxMessageBytes: instance.max_message_bytes,
      maxDatagramBytes: instance.dogstatsd.maxDatagramBytes,
      lineSuffix: opts.lineSuffix,
      packValues: instance.dogstatsd.packValues,
      ...(opts.fastDecode === undefined ? {} : { fastDecode: opts.fastDecode }),
    },
    ...(monitoringOn(instance) ? { monitor: monitorOptions(instance) } : {}),
  };
}

/** Model monitoring's clock and state run when any of its signals is on (fairness: once a check is configured). */
export function monitoringOn(instance: ResolvedInstance): boolean {
  return instance.drift.enabled || instance.drift.fieldHealth || instance.fairness.length > 0;
}

function monitorOptions(instance: ResolvedInstance): MonitorOptions {
  const d = instance.drift;
  const opts: MonitorOptions = { psi: d.enabled, fieldHealth: d.fieldHealth, baselines: d.baselines, minSamples: d.minSamples, maxSeries: d.maxSeries };
  if (instance.fairness.length > 0) opts.fairness = instance.fairness;
  return opts;
}

/**
 * Where the instance's chunks are encoded: its worker thread, or inline (`worker_thread: false`).
 * `monitorState`: validated monitoring state (the state file's bytes) to start from.
 */
export function createEncoding(instance: ResolvedInstance, setup: EncoderSetup, log: Logger, monitorState?: Uint8Array): ChunkEncoding {
  // Built here either way: a bad regex or prefix fails at start, not in the worker.
  const inline = createChunkEncoder(setup);
  const monitor = setup.monitor ? MonitorFeed.create(setup.monitor, monitorState) : undefined;
  return instance.worker_thread ? new WorkerEncoding(setup, log, undefined, monitor) : new InlineEncoding(inline, monitor);
}
