/**
 * Deterministic generator of realistic Algorithmia Insights messages for the benchmark.
 *
 * ~20 algorithms, each with its owner, 1-4 versions and a fixed set of 0-25 inference metrics
 * (an algorithm publishes the same fields every time), plus the 7 operational fields. With the
 * default seed the JSON text is ~300-900 bytes per message.
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
}

export class InsightsGenerator {
  readonly algorithms: AlgorithmProfile[];
  private readonly rand: () => number;
  private readonly stampSent: boolean;
  private timeMs: number;
  /** Numeric fields (= metric lines the check should emit) of every message generated so far. */
  numericFields = 0;
  bytes = 0;
  count = 0;

  constructor(opts: GeneratorOptions = {}) {
    const setup = mulberry32((opts.seed ?? 42) ^ 0x9e3779b9);
    this.rand = mulberry32(opts.seed ?? 42);
    this.stampSent = opts.stampSent ?? false;
    this.timeMs = opts.baseTimeMs ?? Date.UTC(2026, 10, 25, 12, 0, 0);
    this.algorithms = ALGORITHM_NAMES.map((name, i) => {
      const nVersions = 1 + Math.floor(setup() * 4);
      const major = Math.floor(setup() * 3);
      const versions = Array.from({ length: nVersions }, (_, v) => `${major}.${v}.${Math.floor(setup() * 10)}`);
      // 0..25 inference metrics, spread evenly over the algorithms (mean ~12.5)
      const nMetrics = Math.round((i * 25) / (ALGORITHM_NAMES.length - 1));
      const pool = [...INFERENCE_METRICS];
      const metrics: string[] = [];
      for (let k = 0; k < nMetrics; k++) metrics.push(pool.splice(Math.floor(setup() * pool.length), 1)[0]);
      return { name, owner: OWNERS[Math.floor(setup() * OWNERS.length)], versions, metrics, durationMs: 5 + Math.floor(setup() * 400) };
    });
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

  /** The next message as a JSON object (field order as Insights writes it). */
  nextRecord(): Record<string, unknown> {
    // Skewed traffic: a few algorithms get most of the executions.
    const a = this.algorithms[Math.floor(Math.pow(this.rand(), 1.6) * this.algorithms.length)];
    this.timeMs += Math.floor(this.rand() * 3);
    const record: Record<string, unknown> = {
      algorithm_name: a.name,
      algorithm_version: a.versions[Math.floor(this.rand() * a.versions.length)],
      algorithm_owner: a.owner,
      request_id: `req-${this.uuid()}`,
      session_id: `rses-${this.hex(24)}`,
      time: new Date(this.timeMs).toISOString().replace('Z', ''),
      duration_milliseconds: Math.max(1, Math.round(a.durationMs * (0.5 + this.rand() * this.rand() * 3))),
    };
    for (const m of a.metrics) record[m] = this.metricValue(m);
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
