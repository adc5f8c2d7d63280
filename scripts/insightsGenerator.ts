/**
 * Deterministic generator of realistic Algorithmia Insights messages (the benchmark's workload,
 * also used by tests as realistic input).
 *
 * ~20 algorithms, each with its owner, 1-4 versions and a fixed set of 0-25 inference metrics
 * (an algorithm publishes the same fields every time), plus the 7 operational fields. With the
 * default seed the JSON text is ~300-900 bytes per message (~480 B on average) and a message has
 * ~10.5 numeric fields (duration_milliseconds and ~9.5 inference metrics).
 *
 * Workload knobs (the defaults reproduce the original workload byte for byte):
 * - `fields`: the average number of numeric fields per message (duration_milliseconds included,
 *   i.e. the metric lines per message), reached by scaling each algorithm's metric count; the
 *   versions, owners, durations and the metric names an algorithm already had stay the same.
 * - `keyOrder: 'varying'`: the keys of each message are shuffled (a PRNG of their own: the same
 *   content as with 'fixed', in another order); 'fixed' keeps one order per algorithm.
 *
 * The seeded PRNG is the one of the hostile corpus (one copy: test/harness/hostileCorpus.ts).
 */

import { mulberry32 } from '../test/harness/hostileCorpus';

const ALGORITHM_NAMES = [
  'credit_card_approval', 'fraud_detection', 'churn_model', 'loan_default_risk', 'image_classifier',
  'sentiment_analysis', 'product_recommender', 'demand_forecast', 'anomaly_detector', 'text_summarizer',
  'object_detection', 'price_optimizer', 'customer_ltv', 'insurance_claims_triage', 'speech_to_text',
  'document_ocr', 'lead_scoring', 'inventory_reorder', 'network_intrusion', 'medical_image_triage',
];

const OWNERS = ['asli', 'ml_platform', 'growth', 'risk_team', 'vision', 'nlp_team', 'forecasting', 'security_ml'];

/** Realistic inference metric names (author-defined fields). */
const INFERENCE_METRICS = [
  'risk_score', 'confidence', 'probability', 'approval_probability', 'fraud_score', 'churn_probability',
  'anomaly_score', 'prediction', 'predicted_value', 'num_detections', 'top1_confidence', 'top5_confidence',
  'input_tokens', 'output_tokens', 'sentiment_score', 'toxicity_score', 'latency_preprocess_ms',
  'latency_inference_ms', 'latency_postprocess_ms', 'feature_count', 'missing_features', 'model_drift_score',
  'input_image_width', 'input_image_height', 'batch_size', 'credit_limit', 'expected_loss', 'recall_at_k',
  'ndcg', 'forecast_error', 'uplift', 'is_approved', 'is_fraud', 'cache_hit', 'gpu_memory_mb', 'cpu_time_ms',
  'queue_wait_ms', 'retries', 'explanation_shap_max', 'calibration_error',
];

/** Fields whose values are integers (counts, sizes) rather than scores. */
const INTEGER_METRICS = new Set([
  'num_detections', 'input_tokens', 'output_tokens', 'feature_count', 'missing_features', 'input_image_width',
  'input_image_height', 'batch_size', 'credit_limit', 'retries', 'gpu_memory_mb',
]);
const BOOLEAN_METRICS = new Set(['is_approved', 'is_fraud', 'cache_hit']);

/** Traffic skew: algorithm index = floor(rand^SKEW * count), so a few algorithms get most executions. */
const SKEW = 1.6;

export type KeyOrder = 'fixed' | 'varying';

export interface AlgorithmProfile {
  name: string;
  owner: string;
  versions: string[];
  metrics: string[];
  /** Typical duration in ms (log-normal-ish around it). */
  durationMs: number;
}

export interface GeneratorOptions {
  seed?: number;
  /** Adds `bench_sent_ms` (Date.now() at generation) to each message (latency scenario). */
  stampSent?: boolean;
  /** Start of the message timestamps (ms since epoch). */
  baseTimeMs?: number;
  /**
   * Average numeric fields per message, duration_milliseconds included (>= 1, fractional
   * allowed). Undefined: the original metric counts (0-25 per algorithm, ~10.5 on average).
   */
  fields?: number;
  /** 'fixed' (default): one key order per algorithm; 'varying': shuffled per message. */
  keyOrder?: KeyOrder;
}

/** The share of the traffic that goes to each algorithm index (from the skew of nextRecord). */
export function algorithmShares(count = ALGORITHM_NAMES.length): number[] {
  return Array.from({ length: count }, (_, i) => ((i + 1) / count) ** (1 / SKEW) - (i / count) ** (1 / SKEW));
}

/** The original metric count of each algorithm: 0..25, spread evenly. */
function defaultMetricCounts(): number[] {
  return ALGORITHM_NAMES.map((_, i) => Math.round((i * 25) / (ALGORITHM_NAMES.length - 1)));
}

/**
 * Metric counts per algorithm whose traffic-weighted mean is as close as whole counts allow to
 * `fields - 1` inference metrics: the original counts scaled, then single steps on the algorithm
 * whose share best closes the remaining gap.
 */
export function metricCountsFor(fields: number): number[] {
  if (!Number.isFinite(fields) || fields < 1) throw new Error(`fields must be a number >= 1, got ${fields}`);
  const shares = algorithmShares();
  const base = defaultMetricCounts();
  const baseMean = base.reduce((s, c, i) => s + c * shares[i], 0);
  const target = fields - 1;
  const counts = base.map((c) => Math.round((c * target) / baseMean));
  for (let step = 0; step < 1000; step++) {
    const gap = target - counts.reduce((s, c, i) => s + c * shares[i], 0);
    let best = -1;
    let bestGap = Math.abs(gap);
    for (let i = 0; i < counts.length; i++) {
      const delta = gap > 0 ? 1 : -1;
      if (counts[i] + delta < 0) continue;
      const g = Math.abs(gap - delta * shares[i]);
      if (g < bestGap - 1e-12) {
        bestGap = g;
        best = i;
      }
    }
    if (best < 0) break;
    counts[best] += gap > 0 ? 1 : -1;
  }
  return counts;
}

/** Expected numeric fields per message (duration included) for the given metric counts. */
export function expectedFields(counts: number[]): number {
  const shares = algorithmShares(counts.length);
  return 1 + counts.reduce((s, c, i) => s + c * shares[i], 0);
}

export class InsightsGenerator {
  readonly algorithms: AlgorithmProfile[];
  private readonly rand: () => number;
  /** Shuffles keys with keyOrder 'varying' (its own stream: values are those of 'fixed'). */
  private readonly shuffleRand: () => number;
  private readonly stampSent: boolean;
  private readonly keyOrder: KeyOrder;
  private timeMs: number;
  /** Numeric fields (= metric lines the check should emit) of every message generated so far. */
  numericFields = 0;
  bytes = 0;
  count = 0;

  constructor(opts: GeneratorOptions = {}) {
    const seed = opts.seed ?? 42;
    const setup = mulberry32(seed ^ 0x9e3779b9);
    this.rand = mulberry32(seed);
    this.shuffleRand = mulberry32(seed ^ 0x5bd1e995);
    this.stampSent = opts.stampSent ?? false;
    this.keyOrder = opts.keyOrder ?? 'fixed';
    this.timeMs = opts.baseTimeMs ?? Date.UTC(2026, 10, 25, 12, 0, 0);
    const defaults = defaultMetricCounts();
    const wanted = opts.fields === undefined ? defaults : metricCountsFor(opts.fields);
    // Names beyond an algorithm's original ones come from a stream of their own, so that every
    // other property of the algorithms (and the names it had) stays what the original draws gave.
    const extra = mulberry32(seed ^ 0x27d4eb2f);
    this.algorithms = ALGORITHM_NAMES.map((name, i) => {
      const nVersions = 1 + Math.floor(setup() * 4);
      const major = Math.floor(setup() * 3);
      const versions = Array.from({ length: nVersions }, (_, v) => `${major}.${v}.${Math.floor(setup() * 10)}`);
      const pool = [...INFERENCE_METRICS];
      const metrics: string[] = [];
      for (let k = 0; k < defaults[i]; k++) metrics.push(pool.splice(Math.floor(setup() * pool.length), 1)[0]);
      metrics.length = Math.min(metrics.length, wanted[i]);
      while (metrics.length < wanted[i]) {
        metrics.push(pool.length > 0 ? pool.splice(Math.floor(extra() * pool.length), 1)[0] : `custom_metric_${metrics.length}`);
      }
      return { name, owner: OWNERS[Math.floor(setup() * OWNERS.length)], versions, metrics, durationMs: 5 + Math.floor(setup() * 400) };
    });
  }

  /** Expected numeric fields per message (duration_milliseconds included) of this workload. */
  get expectedFieldsPerMessage(): number {
    return expectedFields(this.algorithms.map((a) => a.metrics.length));
  }

  private hex(n: number): string {
    let s = '';
    while (s.length < n) s += Math.floor(this.rand() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  private metricValue(name: string): number | boolean {
    const r = this.rand();
    if (BOOLEAN_METRICS.has(name)) return r < 0.7;
    if (INTEGER_METRICS.has(name)) return Math.floor(r * (name === 'credit_limit' ? 50_000 : 2_000));
    // scores: 4-6 significant decimals, as Python floats often are
    return Math.round(r * 1e6) / 1e6;
  }

  /** The record's keys in a random order (Fisher-Yates on the shuffle stream). */
  private shuffled(record: Record<string, unknown>): Record<string, unknown> {
    const keys = Object.keys(record);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(this.shuffleRand() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = record[k];
    return out;
  }

  /** The next message as a JSON object (field order as Insights writes it, unless keyOrder is 'varying'). */
  nextRecord(): Record<string, unknown> {
    // Skewed traffic: a few algorithms get most of the executions.
    const a = this.algorithms[Math.floor(Math.pow(this.rand(), SKEW) * this.algorithms.length)];
    this.timeMs += Math.floor(this.rand() * 3);
    let record: Record<string, unknown> = {
      algorithm_name: a.name,
      algorithm_version: a.versions[Math.floor(this.rand() * a.versions.length)],
      algorithm_owner: a.owner,
      request_id: `req-${this.uuid()}`,
      session_id: `rses-${this.hex(24)}`,
      time: new Date(this.timeMs).toISOString().replace('Z', ''),
      duration_milliseconds: Math.max(1, Math.round(a.durationMs * (0.5 + this.rand() * this.rand() * 3))),
    };
    for (const m of a.metrics) record[m] = this.metricValue(m);
    if (this.keyOrder === 'varying') record = this.shuffled(record);
    if (this.stampSent) record.bench_sent_ms = Date.now();
    this.numericFields += 1 + a.metrics.length + (this.stampSent ? 1 : 0);
    this.count++;
    return record;
  }

  /** The next message as JSON bytes. */
  next(): Buffer {
    const buf = Buffer.from(JSON.stringify(this.nextRecord()));
    this.bytes += buf.length;
    return buf;
  }
}
