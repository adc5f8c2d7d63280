/**
 * A deterministic corpus of Kafka message values for the Insights topic: ~60% clean Insights
 * messages and every hostile kind we could think of, each with the outcome the product must
 * produce. Expectations are written from /work/shared/DECISIONS.md ("Message handling"), never
 * by calling src/: this file imports nothing from it.
 *
 * Rules modelled here (DECISIONS):
 * - a message is rejected whole only for too_large (bytes > max_message_bytes), invalid_json,
 *   not_object, missing_field (no non-empty string algorithm_name);
 * - bare NaN/Infinity/-Infinity outside strings are read as null: such values are non_finite,
 *   an algorithm_name that is NaN is missing, a version that is NaN is absent;
 * - the platform's operational fields (algorithm_name, algorithm_version, algorithm_owner,
 *   request_id, session_id, time) are tags or ignored, never values;
 * - every other field is a value: finite numbers and booleans (1/0) are sent, anything else is
 *   non_numeric, a number that JSON reads as +-Infinity (1e400) is non_finite;
 * - metric name = prefix + field with every character outside [A-Za-z0-9_.] replaced by `_`;
 *   no letter/digit, an empty dotted segment or more than 200 characters: bad_name; under
 *   `algorithmia.forwarder.`: reserved;
 * - cardinality: at most N distinct names (duration_milliseconds exempt) and M distinct versions
 *   per algorithm_name; over the name cap the value is dropped (cardinality), over the version
 *   cap the version tag is `overflow`.
 *
 * The guard depends on the order in which one algorithm's messages are processed, so every
 * accepted message is keyed by its algorithm_name: one algorithm, one partition, corpus order.
 */

export type RejectReason = 'too_large' | 'invalid_json' | 'not_object' | 'missing_field';
export type DropReason = 'non_numeric' | 'non_finite' | 'bad_name' | 'reserved' | 'cardinality';
export const REJECT_REASONS: readonly RejectReason[] = ['too_large', 'invalid_json', 'not_object', 'missing_field'];
export const DROP_REASONS: readonly DropReason[] = ['non_numeric', 'non_finite', 'bad_name', 'reserved', 'cardinality'];

export interface ExpectedValue {
  name: string;
  value: number;
}

/** A tag value the forwarder must derive from a raw (decoded) field value; null: no tag. */
export type LooseTag = { raw: string } | { overflow: true } | null;

export interface AcceptedExpectation {
  outcome: 'accepted';
  /** The tag every point of this message carries (`request_id:r<id>`, with tag_request_id on). */
  requestTag: string;
  /** duration_milliseconds, when the message carries it as a number (the message's id). */
  duration?: number;
  values: ExpectedValue[];
  drops: Partial<Record<DropReason, number>>;
  /** Clean messages: the exact tag set. Hostile tag values: what the tags must be derived from. */
  tags: { exact: string[] } | { loose: { algorithm_name: { raw: string }; algorithm_version: LooseTag; algorithm_owner: LooseTag } };
}

export interface RejectedExpectation {
  outcome: 'rejected';
  reason: RejectReason;
  /** `request_id:r<id>` when the rejected bytes carry one: no line may ever carry it. */
  requestTag?: string;
}

export type Expectation = AcceptedExpectation | RejectedExpectation;

export interface CorpusMessage {
  index: number;
  kind: string;
  key: Buffer | null;
  value: Buffer | null;
  expected: Expectation;
}

export interface CorpusOptions {
  seed?: number;
  size?: number;
  prefix?: string;
  maxMessageBytes?: number;
  maxNamesPerAlgorithm?: number;
  maxVersionsPerAlgorithm?: number;
}

export interface Corpus {
  messages: CorpusMessage[];
  countsByKind: Record<string, number>;
  accepted: number;
  rejected: Record<RejectReason, number>;
  drops: Record<DropReason, number>;
  values: number;
  totalBytes: number;
}

export const OPERATIONAL_FIELDS: ReadonlySet<string> = new Set(['algorithm_name', 'algorithm_version', 'algorithm_owner', 'request_id', 'session_id', 'time']);
const DURATION = 'duration_milliseconds';
const RESERVED_PREFIX = 'algorithmia.forwarder.';
const MAX_NAME = 200;

/** mulberry32: a tiny, well-known seeded PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cps = (s: string) => Array.from(s).length;

/** The metric name a field must get, or the reason its value is dropped (rules in the header). */
export function expectedMetricName(field: string, prefix = 'algorithmia.'): { name: string } | { drop: 'bad_name' | 'reserved' } {
  const part = field.replace(/[^A-Za-z0-9_.]/gu, '_');
  if (!/[A-Za-z0-9]/.test(part)) return { drop: 'bad_name' };
  if (part.startsWith('.') || part.endsWith('.') || part.includes('..')) return { drop: 'bad_name' };
  const name = prefix + part;
  if (cps(name) > MAX_NAME) return { drop: 'bad_name' };
  if (name.startsWith(RESERVED_PREFIX)) return { drop: 'reserved' };
  return { name };
}

// ---------------------------------------------------------------------------------------------
// Building JSON text piece by piece (strings are UTF-8 encoded, Buffers go in as raw bytes).

type Bytes = string | Buffer;
const bytes = (pieces: Bytes[]): Buffer => Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
const utf8 = new TextDecoder('utf-8'); // WHATWG decoding: invalid sequences become U+FFFD, as DECISIONS says

/** What a field's value is, for the expectation. */
type ValueKind = { t: 'num'; v: number } | { t: 'drop'; reason: 'non_numeric' | 'non_finite' };

interface Field {
  /** JSON text of the key, quotes included (may carry raw bytes). */
  keyJson: Bytes;
  /** The key as JSON.parse sees it. */
  key: string;
  valueJson: Bytes;
  kind: ValueKind | { t: 'op' };
}

const field = (key: string, value: unknown): Field => ({ keyJson: JSON.stringify(key), key, valueJson: JSON.stringify(value), kind: kindOf(value) });
const rawField = (key: string, valueJson: Bytes, kind: ValueKind): Field => ({ keyJson: JSON.stringify(key), key, valueJson, kind });
const opField = (key: string, valueJson: Bytes): Field => ({ keyJson: JSON.stringify(key), key, valueJson, kind: { t: 'op' } });

function kindOf(value: unknown): ValueKind {
  if (typeof value === 'number') return Number.isFinite(value) ? { t: 'num', v: value } : { t: 'drop', reason: 'non_finite' };
  if (typeof value === 'boolean') return { t: 'num', v: value ? 1 : 0 };
  return { t: 'drop', reason: 'non_numeric' };
}

function objectText(fields: Field[], rand: () => number): Buffer {
  const ws = () => (rand() < 0.1 ? [' ', '\n', '\t', '  ', '\r\n'][Math.floor(rand() * 5)] : '');
  const pieces: Bytes[] = [ws(), '{'];
  fields.forEach((f, i) => {
    if (i > 0) pieces.push(',');
    pieces.push(ws(), f.keyJson, ws(), ':', ws(), f.valueJson, ws());
  });
  pieces.push('}', ws());
  return bytes(pieces);
}

/** Property enumeration order of a parsed object: array-index keys ascending, then the rest in first-insertion order; the last duplicate wins. */
function enumerationOrder(fields: Field[]): Field[] {
  const byKey = new Map<string, { first: number; field: Field }>();
  fields.forEach((f, i) => {
    const prev = byKey.get(f.key);
    byKey.set(f.key, { first: prev ? prev.first : i, field: f });
  });
  const isIndex = (k: string) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 4294967295;
  const entries = [...byKey.entries()];
  const indices = entries.filter(([k]) => isIndex(k)).sort((a, b) => Number(a[0]) - Number(b[0]));
  const rest = entries.filter(([k]) => !isIndex(k)).sort((a, b) => a[1].first - b[1].first);
  return [...indices, ...rest].map(([, e]) => e.field);
}

// ---------------------------------------------------------------------------------------------
// Pools

const CLEAN_ALGORITHMS = ['credit_card_approval', 'fraud_detection', 'churn_model', 'image_classifier', 'sentiment', 'recommender', 'ocr', 'translator'];
const CLEAN_VERSIONS = ['1.0.6', '1.1.0', '2.0.0-rc.1'];
const CLEAN_OWNERS = ['asli', 'ml-team', 'data_sci', 'ops/platform'];
const CLEAN_METRICS = ['risk_score', 'confidence', 'latency_ms', 'tokens_in', 'tokens_out', 'cache_hit', 'model.accuracy', 'queue.depth', 'batch_size', 'temperature', 'gpu.util', 'memory_mb', 'retries', 'score_delta', 'p_fraud'];

/** Keys that are valid once sanitised (ASCII or BMP only: one character, one `_`). */
const SANITISABLE_KEYS = [
  'risk|score', 'a#b', 'c,d', 'e:f', 'g\nh', 'i\u0000j', 'k l', 'tab\tkey', 'quote"key', 'back\\slash', 'slash/key', 'dash-key',
  'température', '日本語_metric', '1abc', '2nd.stage', '9', '0.5', '42', '007', 'a.b.c', 'x\u2028y', 'nbsp\u00a0key', 'del\u007fkey',
  'NaN', 'Infinity', 'null', 'true', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '_x', 'x_',
  'algorithmia.forwarder.fake', 'forwarder', 'forwarder_messages', 'forwarder-x', 'm'.repeat(188), 'CamelCase.Key', 'ÉTÉ.été',
  '\u00e9t\u00e9', 'zero\u200bwidth', '%s%n', '${x}', '<b>', 'a.|.b',
];
/** Keys whose values must be dropped as bad_name. */
const BAD_NAME_KEYS = ['', '|', '#,:', ' ', '\n', '\u0000', '.', '..', '.a', 'a.', 'a..b', '_', '___', '😀', '😀😀', '日本', 'é', '.|.', 'x'.repeat(189), 'y'.repeat(500), '😀'.repeat(150) + 'z'.repeat(100), 'a.b.', '.5'];
/** Keys under the forwarder's own namespace. */
const RESERVED_KEYS = ['forwarder.x', 'forwarder.messages.rejected', 'forwarder.values.dropped', 'forwarder.1', 'forwarder.a|b', 'forwarder.metrics.emitted'];
/** Tag values no message may be rejected for. */
const HOSTILE_TAG_VALUES = [
  'a|b', '#hash', 'x,y', 'k:v', 'line\nbreak', 'nul\u0000byte', 'spa ce', 'ünïcödé', '日本語', 'emoji😀', 'tab\there', '\u2028', '  ', 'quote"d\'',
  'inject|#evil:1\nalgorithmia.fake:1|c', 'x'.repeat(500), 'é'.repeat(300), '-leading-dash', '/path/like', '1.0.6', '𝒜𝒷𝒸', '\u00a0nbsp',
  'zero\u200bwidth', '\u202eRTL', '%s%n', '${x}', '<script>', '|', ',', '#', ':', '_sc|fake|0', 'a:1|d', 'ok-tag',
];

// ---------------------------------------------------------------------------------------------

interface State {
  names: Map<string, Set<string>>;
  versions: Map<string, Set<string>>;
}

interface Ctx {
  rand: () => number;
  prefix: string;
  maxBytes: number;
  maxNames: number;
  maxVersions: number;
  state: State;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
function shuffle<T>(rand: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
function sample<T>(rand: () => number, xs: readonly T[], n: number): T[] {
  return shuffle(rand, [...xs]).slice(0, n);
}

function cleanValue(rand: () => number): number | boolean {
  const r = rand();
  if (r < 0.35) return Math.round(rand() * 1e6) / 1e6;
  if (r < 0.6) return int(rand, 0, 100000);
  if (r < 0.7) return -Math.round(rand() * 1e4) / 100;
  if (r < 0.8) return rand() < 0.5;
  if (r < 0.9) return Number((rand() * 1e-5).toPrecision(6));
  return Number((rand() * 1e12).toPrecision(10));
}

/** The tag value a version gets after the version cap (simulated in corpus order). */
function admitVersion(ctx: Ctx, algorithm: string, version: string | null): LooseTag {
  if (version === null) return null;
  let seen = ctx.state.versions.get(algorithm);
  if (!seen) ctx.state.versions.set(algorithm, (seen = new Set()));
  if (!seen.has(version)) {
    if (seen.size >= ctx.maxVersions) return { overflow: true };
    seen.add(version);
  }
  return version === '' ? null : { raw: version };
}

function admitName(ctx: Ctx, algorithm: string, name: string): boolean {
  let seen = ctx.state.names.get(algorithm);
  if (!seen) ctx.state.names.set(algorithm, (seen = new Set()));
  if (seen.has(name)) return true;
  if (seen.size >= ctx.maxNames) return false;
  seen.add(name);
  return true;
}

interface AcceptedSpec {
  /** Decoded algorithm_name (non-empty). */
  algorithm: string;
  algorithmJson?: Bytes;
  /** Decoded algorithm_version; null: absent or NaN (no tag). */
  version: string | null;
  versionJson?: Bytes;
  owner: string | null;
  ownerJson?: Bytes;
  fields: Field[];
  exactTags: boolean;
  /** Extra operational fields (session_id, time) appended. */
  extras?: boolean;
  /** Put the operational fields after the values (instead of anywhere among them). */
  opsLast?: boolean;
}

function accepted(ctx: Ctx, index: number, kind: string, spec: AcceptedSpec): CorpusMessage {
  const { rand } = ctx;
  const requestId = `r${index}`;
  const ops: Field[] = [opField('algorithm_name', spec.algorithmJson ?? JSON.stringify(spec.algorithm)), opField('request_id', JSON.stringify(requestId))];
  if (spec.versionJson !== undefined || spec.version !== null) ops.push(opField('algorithm_version', spec.versionJson ?? JSON.stringify(spec.version)));
  if (spec.ownerJson !== undefined || spec.owner !== null) ops.push(opField('algorithm_owner', spec.ownerJson ?? JSON.stringify(spec.owner)));
  if (spec.extras !== false) {
    ops.push(opField('session_id', JSON.stringify(`rses-${Math.floor(rand() * 1e9).toString(16)}`)));
    ops.push(opField('time', JSON.stringify(new Date(Date.UTC(2021, 1, 20, 0, 0, 0) + index * 1000).toISOString().replace('Z', ''))));
  }
  // Operational fields go anywhere among the values.
  const all = [...spec.fields];
  for (const op of ops) all.splice(spec.opsLast ? all.length : Math.floor(rand() * (all.length + 1)), 0, op);
  const value = objectText(all, rand);

  const versionTag = admitVersion(ctx, spec.algorithm, spec.version);
  const values: ExpectedValue[] = [];
  const drops: Partial<Record<DropReason, number>> = {};
  const drop = (r: DropReason) => (drops[r] = (drops[r] ?? 0) + 1);
  let duration: number | undefined;
  for (const f of enumerationOrder(all)) {
    if (OPERATIONAL_FIELDS.has(f.key) || f.kind.t === 'op') continue;
    if (f.kind.t === 'drop') {
      drop(f.kind.reason);
      continue;
    }
    const n = expectedMetricName(f.key, ctx.prefix);
    if ('drop' in n) {
      drop(n.drop);
      continue;
    }
    if (f.key !== DURATION && !admitName(ctx, spec.algorithm, n.name)) {
      drop('cardinality');
      continue;
    }
    if (f.key === DURATION) duration = f.kind.v;
    values.push({ name: n.name, value: f.kind.v });
  }
  const requestTag = `request_id:${requestId}`;
  let tags: AcceptedExpectation['tags'];
  if (spec.exactTags) {
    const exact = [`algorithm_name:${spec.algorithm}`, requestTag];
    if (versionTag) exact.push(`algorithm_version:${'overflow' in versionTag ? 'overflow' : versionTag.raw}`);
    if (spec.owner) exact.push(`algorithm_owner:${spec.owner}`);
    tags = { exact: exact.sort() };
  } else {
    tags = { loose: { algorithm_name: { raw: spec.algorithm }, algorithm_version: versionTag, algorithm_owner: spec.owner ? { raw: spec.owner } : null } };
  }
  if (value.length > ctx.maxBytes) throw new Error(`corpus bug: accepted message ${index} (${kind}) is ${value.length} bytes`);
  return { index, kind, key: Buffer.from(spec.algorithm, 'utf8'), value, expected: { outcome: 'accepted', requestTag, duration, values, drops, tags } };
}

function rejected(index: number, kind: string, value: Buffer | null, reason: RejectReason, requestTag?: string, key: Buffer | null = null): CorpusMessage {
  return { index, kind, key, value, expected: { outcome: 'rejected', reason, requestTag } };
}

/** A clean Insights message's fields (duration first or anywhere). */
function cleanFields(rand: () => number, index: number, metrics: readonly string[] = CLEAN_METRICS, n = int(rand, 0, 5)): Field[] {
  const fields = sample(rand, metrics, n).map((m) => field(m, cleanValue(rand)));
  fields.splice(Math.floor(rand() * (fields.length + 1)), 0, field(DURATION, index));
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Kinds. Each builder gets the message index (unique id) and returns one message.

type Builder = (ctx: Ctx, index: number) => CorpusMessage;

const clean: Builder = (ctx, i) =>
  accepted(ctx, i, 'clean', {
    algorithm: pick(ctx.rand, CLEAN_ALGORITHMS),
    version: pick(ctx.rand, CLEAN_VERSIONS),
    owner: pick(ctx.rand, CLEAN_OWNERS),
    fields: cleanFields(ctx.rand, i),
    exactTags: true,
  });

let versionCounter = 0;
const manyVersions: Builder = (ctx, i) =>
  accepted(ctx, i, 'version_overflow', {
    algorithm: 'many_versions',
    version: `1.0.${versionCounter++}`,
    owner: 'asli',
    fields: cleanFields(ctx.rand, i, CLEAN_METRICS, 2),
    exactTags: true,
  });

const inventedNames: Builder = (ctx, i) =>
  accepted(ctx, i, 'invented_names', {
    algorithm: 'buggy_algorithm',
    version: '0.0.1',
    owner: 'intern',
    fields: [field(DURATION, i), field('stable_score', Math.round(ctx.rand() * 100) / 100), field(`latency_req_${i}`, int(ctx.rand, 1, 500))],
    exactTags: true,
  });

const hostileTags: Builder = (ctx, i) => {
  const { rand } = ctx;
  const suffix = rand() < 0.5 ? '' : `_${i}`;
  const algorithm = pick(rand, HOSTILE_TAG_VALUES) + suffix;
  const version = rand() < 0.15 ? null : rand() < 0.1 ? '' : pick(rand, HOSTILE_TAG_VALUES);
  const owner = rand() < 0.15 ? null : pick(rand, HOSTILE_TAG_VALUES);
  return accepted(ctx, i, 'hostile_tags', { algorithm, version, owner, fields: cleanFields(rand, i, CLEAN_METRICS, int(rand, 0, 3)), exactTags: false });
};

/** Invalid UTF-8 inside a string: the decoded text carries U+FFFD, the message is accepted. */
const invalidUtf8InStrings: Builder = (ctx, i) => {
  const { rand } = ctx;
  const badSeqs = [Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0x80, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])];
  const seq = pick(rand, badSeqs);
  const raw = (a: string, b: string) => bytes(['"', a, seq, b, '"']);
  const dec = (a: string, b: string) => utf8.decode(bytes([a, seq, b]));
  const algorithm = dec('utf8_', `algo_${i % 3}`);
  const keyBytes = raw('bad', 'key');
  const keyDecoded = dec('bad', 'key');
  const fields = cleanFields(rand, i, CLEAN_METRICS, 1);
  fields.push({ keyJson: keyBytes, key: keyDecoded, valueJson: '1.5', kind: { t: 'num', v: 1.5 } });
  return accepted(ctx, i, 'invalid_utf8_in_strings', {
    algorithm,
    algorithmJson: raw('utf8_', `algo_${i % 3}`),
    version: null,
    owner: dec('own', 'er'),
    ownerJson: raw('own', 'er'),
    fields,
    exactTags: false,
  });
};

const weirdKeys: Builder = (ctx, i) => {
  const { rand } = ctx;
  const keys = [...sample(rand, SANITISABLE_KEYS, int(rand, 1, 4)), ...sample(rand, BAD_NAME_KEYS, int(rand, 0, 2)), ...sample(rand, RESERVED_KEYS, int(rand, 0, 1))];
  const fields = keys.filter((k) => k !== DURATION && !OPERATIONAL_FIELDS.has(k)).map((k) => field(k, cleanValue(rand)));
  // The same raw key twice in one object is a different test (duplicates): keep keys unique here.
  const unique = [...new Map(fields.map((f) => [f.key, f])).values()];
  unique.splice(Math.floor(rand() * (unique.length + 1)), 0, field(DURATION, i));
  return accepted(ctx, i, 'weird_keys', { algorithm: `weird_keys_${i % 5}`, version: '1.0', owner: 'o', fields: unique, exactTags: true });
};

/** Values that are not finite numbers, and finite ones at the edges. */
const ODD_VALUES: Array<() => Field> = [
  () => rawField('too_big', '1e400', { t: 'drop', reason: 'non_finite' }),
  () => rawField('too_small_neg', '-1e400', { t: 'drop', reason: 'non_finite' }),
  () => rawField('huge_exp', '1E999', { t: 'drop', reason: 'non_finite' }),
  () => field('as_string', '12'),
  () => field('float_string', '1.5'),
  () => field('nan_string', 'NaN'),
  () => field('inf_string', 'Infinity'),
  () => field('empty_string', ''),
  () => field('nothing', null),
  () => field('empty_list', []),
  () => field('list', [1, 2, 3]),
  () => field('empty_obj', {}),
  () => field('nested', { inner: 1, deeper: { x: 2 } }),
  () => rawField('deep_array', '['.repeat(2000) + '1' + ']'.repeat(2000), { t: 'drop', reason: 'non_numeric' }),
  () => rawField('max_double', '1.7976931348623157e308', { t: 'num', v: 1.7976931348623157e308 }),
  () => rawField('min_denormal', '5e-324', { t: 'num', v: 5e-324 }),
  () => rawField('underflow', '1e-400', { t: 'num', v: 0 }),
  () => rawField('neg_zero', '-0', { t: 'num', v: 0 }),
  () => rawField('many_digits', '123456789012345678901234567890', { t: 'num', v: Number('123456789012345678901234567890') }),
  () => rawField('exp_upper', '1E2', { t: 'num', v: 100 }),
  () => rawField('exp_21', '1e21', { t: 'num', v: 1e21 }),
  () => rawField('neg_frac', '-0.000001', { t: 'num', v: -0.000001 }),
  () => field('flag_true', true),
  () => field('flag_false', false),
];

const oddValues: Builder = (ctx, i) => {
  const { rand } = ctx;
  const fields = shuffle(rand, ODD_VALUES.map((f) => f())).slice(0, int(rand, 1, 6));
  fields.splice(Math.floor(rand() * (fields.length + 1)), 0, field(DURATION, i));
  return accepted(ctx, i, 'odd_values', { algorithm: `odd_values_${i % 4}`, version: '1', owner: 'o', fields, exactTags: true });
};

/** Python's json writes NaN/Infinity/-Infinity bare; DECISIONS salvages the rest of the message. */
const pythonTokens: Builder = (ctx, i) => {
  const { rand } = ctx;
  const tokenFields: Field[] = [
    rawField('nan_metric', 'NaN', { t: 'drop', reason: 'non_finite' }),
    rawField('inf_metric', 'Infinity', { t: 'drop', reason: 'non_finite' }),
    rawField('neg_inf_metric', '-Infinity', { t: 'drop', reason: 'non_finite' }),
  ];
  const tricky: Field[] = [
    field('note', 'NaN, Infinity and -Infinity in a string stay a string'),
    field('quoted', 'a "NaN" with \\"escaped quotes\\"'),
    field('backslash_end', 'c:\\'),
    field('NaN', 7),
    field('Infinity_count', 3),
    rawField('array_with_nan', '[1, NaN, -Infinity]', { t: 'drop', reason: 'non_numeric' }),
    rawField('obj_with_inf', '{"x": Infinity}', { t: 'drop', reason: 'non_numeric' }),
  ];
  const fields = [...sample(rand, tokenFields, int(rand, 1, 3)), ...sample(rand, tricky, int(rand, 0, 3)), ...sample(rand, CLEAN_METRICS, int(rand, 0, 2)).map((m) => field(m, cleanValue(rand)))];
  shuffle(rand, fields);
  fields.splice(Math.floor(rand() * (fields.length + 1)), 0, field(DURATION, i));
  return accepted(ctx, i, 'python_tokens', { algorithm: `python_${i % 3}`, version: '3.11', owner: 'py', fields, exactTags: true });
};

let manyKeysCount = 0;
const manyKeys: Builder = (ctx, i) => {
  const n = 2000;
  const variant = manyKeysCount++ % 3;
  // 0: 2000 valid names (the cap keeps 50); 1: 2000 bad names; 2: 2000 string values
  const fields: Field[] = Array.from({ length: n }, (_, k) =>
    variant === 0 ? field(`k${k}`, 1) : variant === 1 ? field(`.k${k}`, 1) : field(`s${k}`, 'x'),
  );
  fields.splice(1000, 0, field(DURATION, i));
  return accepted(ctx, i, 'many_keys', { algorithm: `many_keys_${i}`, version: '1', owner: 'o', fields, exactTags: true, extras: false });
};

const deepValue: Builder = (ctx, i) => {
  const depth = 3000;
  const fields = [field(DURATION, i), rawField('deep_obj', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), { t: 'drop', reason: 'non_numeric' }), field('ok_metric', 1)];
  return accepted(ctx, i, 'deep_nesting_value', { algorithm: 'deep_algo', version: '1', owner: 'o', fields, exactTags: true });
};

const duplicateKeys: Builder = (ctx, i) => {
  // The last duplicate wins (JSON.parse): an empty algorithm_name overridden by a good one, and a value overridden by a string.
  const fields: Field[] = [opField('algorithm_name', '""'), field(DURATION, i), field('dup_metric', 1), field('dup_metric', 'now a string'), field('dup_then_num', 'x'), field('dup_then_num', 2)];
  return accepted(ctx, i, 'duplicate_keys', { algorithm: 'dup_ok', version: '1', owner: 'o', fields, exactTags: true, opsLast: true });
};

const minimal: Builder = (ctx, i) => {
  const variant = i % 3;
  const algorithm = variant === 0 ? 'minimal' : variant === 1 ? '  ' : 'x';
  return accepted(ctx, i, 'minimal', { algorithm, version: null, owner: null, fields: variant === 2 ? [field(DURATION, i)] : [], exactTags: variant !== 1, extras: false });
};

/** Exactly max_message_bytes, counted in bytes (multi-byte padding): accepted. */
const boundaryAccepted: Builder = (ctx, i) => {
  const base = (pad: string) => bytes(['{"algorithm_name":"boundary","request_id":"r', String(i), '","duration_milliseconds":', String(i), ',"session_id":"', pad, '"}']);
  const pad = fillTo(ctx.maxBytes - base('').length, i % 2 === 0);
  const value = base(pad);
  if (value.length !== ctx.maxBytes) throw new Error(`corpus bug: boundary message is ${value.length} bytes`);
  return {
    index: i,
    kind: 'boundary_size_ok',
    key: Buffer.from('boundary'),
    value,
    expected: {
      outcome: 'accepted',
      requestTag: `request_id:r${i}`,
      duration: i,
      values: [{ name: `${ctx.prefix}${DURATION}`, value: i }],
      drops: {},
      tags: { exact: ['algorithm_name:boundary', `request_id:r${i}`] },
    },
  };
};

/** A string of exactly `n` UTF-8 bytes, with 2-byte characters when `multibyte`. */
function fillTo(n: number, multibyte: boolean): string {
  if (!multibyte) return 'p'.repeat(n);
  return 'é'.repeat(Math.floor(n / 2)) + (n % 2 ? 'p' : '');
}

// --- rejected kinds ---

let sizeCount = 0;
const tooLarge: Builder = (ctx, i) => {
  const variant = sizeCount++;
  const rt = `request_id:r${i}`;
  const head = `{"algorithm_name":"big","request_id":"r${i}","duration_milliseconds":${i},"blob":"`;
  const mk = (n: number, multibyte = false) => bytes([head, fillTo(n - Buffer.byteLength(head) - 2, multibyte), '"}']);
  const MiB = 1024 * 1024;
  const sizes = [ctx.maxBytes + 1, ctx.maxBytes + 1, MiB, 2 * MiB, 4 * MiB, MiB + 7, 100_000, 250_000, 60_000, 30_000];
  let value: Buffer;
  if (variant < sizes.length) value = mk(sizes[variant], variant === 1);
  else if (variant === sizes.length) {
    // 10,000 keys
    value = bytes(['{"algorithm_name":"big","request_id":"r', String(i), '",', Array.from({ length: 10000 }, (_, k) => `"key${k}":${k}`).join(','), '}']);
  } else if (variant === sizes.length + 1) {
    value = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)); // deep nesting, over the limit
  } else if (variant === sizes.length + 2) {
    value = Buffer.alloc(MiB, 0xff); // a megabyte of garbage: the size check comes first
  } else {
    value = mk(ctx.maxBytes + 1 + int(ctx.rand, 0, 5000), ctx.rand() < 0.5);
  }
  if (value.length <= ctx.maxBytes) throw new Error('corpus bug: too_large message is not too large');
  return rejected(i, 'too_large', value, 'too_large', value.length < 10 * MiB && value[0] === 0x7b ? rt : undefined);
};

const garbageBytes: Builder = (ctx, i) => {
  const { rand } = ctx;
  const n = int(rand, 1, 300);
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = int(rand, 0, 255);
  // A first byte no JSON text can start with (not whitespace, {, [, ", digit, -, t, f, n, N, I).
  const starts = [0x00, 0x01, 0x07, 0x1b, 0x3c, 0x23, 0x21, 0x7f, 0x80, 0xc3, 0xfe, 0xff];
  b[0] = pick(rand, starts);
  return rejected(i, 'garbage_bytes', b, 'invalid_json');
};

const BAD_TEXTS: Array<string | Buffer | null> = [
  null, // tombstone
  Buffer.alloc(0),
  '   \n\t ',
  'hello world',
  '<xml algorithm_name="a"/>',
  'algorithm_name=foo,duration_milliseconds=3',
  "{'algorithm_name': 'a', 'duration_milliseconds': 1}",
  '{"algorithm_name":"a",}',
  '{"algorithm_name":"a"} {"algorithm_name":"b"}',
  '{"algorithm_name":"a"}garbage',
  '// comment\n{"algorithm_name":"a"}',
  '{"algorithm_name":"a","x":nan}',
  '{"algorithm_name":"a","x":+1}',
  '{"algorithm_name":"a","x":.5}',
  '{"algorithm_name":"a","x":01}',
  '{"algorithm_name":"a","x":0x1F}',
  '{"algorithm_name":"a","x":1.}',
  '{"algorithm_name":"a","x":-NaN}',
  '{"algorithm_name":"a","x":NaNa}',
  '{"algorithm_name":"a","x":Infinityx}',
  '{"algorithm_name":"a","x":NaN',
  '{"algorithm_name":"a","x":NaN,}',
  '{"algorithm_name":"a","x":undefined}',
  'undefined',
  '{"algorithm_name":"a\u0000"}', // raw NUL inside a string
  '{"algorithm_name":"line\nbreak"}', // raw newline inside a string
  '{"algorithm_name":"tab\there"}',
  '{algorithm_name:"a"}',
  '{"algorithm_name":"a" "x":1}',
  '{"algorithm_name":"a","x":[1,2}',
  '{"algorithm_name":"a","x":"unterminated}',
  '{"algorithm_name":"a","x":"bad escape \\q"}',
  '{"algorithm_name":"a","x":"\\ud800 lone surrogate escape is fine but this \\u12 is not"}',
  Buffer.from([0xef, 0xbb, 0xbf, 0x3c]), // BOM then '<'
  Buffer.from('{"algorithm_name":"utf16"}', 'utf16le'),
  Buffer.concat([Buffer.from('{"algorithm_name":"a",'), Buffer.from([0xff]), Buffer.from('"x":1}')]), // invalid UTF-8 outside strings
  Buffer.concat([Buffer.from('{"algorithm_name":"a","x":1'), Buffer.from([0xc3]), Buffer.from('}')]),
  Buffer.concat([Buffer.from([0xc0, 0xbb]), Buffer.from('"algorithm_name":"a"}')]), // overlong '{'
];

const badText: Builder = (_ctx, i) => {
  const t = BAD_TEXTS[i % BAD_TEXTS.length];
  const value = t === null ? null : typeof t === 'string' ? Buffer.from(t, 'utf8') : t;
  return rejected(i, 'invalid_json_text', value, 'invalid_json');
};

/** A clean message cut short (sometimes inside a multi-byte character). */
const truncated: Builder = (ctx, i) => {
  const { rand } = ctx;
  const whole = bytes([
    '{"algorithm_name":"credit_card_approval","request_id":"r', String(i), '","algorithm_owner":"é日本","duration_milliseconds":', String(i), ',"risk_score":0.25}',
  ]);
  let cut = int(rand, 1, whole.length - 1);
  if (rand() < 0.2) cut = whole.indexOf(Buffer.from('日')) + 1; // inside a 3-byte character
  return rejected(i, 'truncated_json', whole.subarray(0, cut), 'invalid_json', `request_id:r${i}`);
};

const NOT_OBJECTS: string[] = [
  '[]',
  '[{"algorithm_name":"a","duration_milliseconds":1}]',
  '"string"',
  '"{\\"algorithm_name\\":\\"double_encoded\\",\\"duration_milliseconds\\":1}"',
  '42',
  '-1.5e3',
  'true',
  'false',
  'null',
  'NaN',
  'Infinity',
  '-Infinity',
  '[NaN, 1]',
  '  [1]  ',
  '1e400',
  '""',
  '[' + '['.repeat(12000) + ']'.repeat(12000) + ']',
];

const notObject: Builder = (_ctx, i) => rejected(i, 'not_object', Buffer.from(NOT_OBJECTS[i % NOT_OBJECTS.length]), 'not_object');

const MISSING: Array<(i: number) => string> = [
  () => '{}',
  (i) => `{"algorithm_name":"","request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name":null,"request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name":42,"request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name":true,"request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name":["a"],"request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name":{"name":"a"},"request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"Algorithm_Name":"a","request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"algorithm_name ":"a","request_id":"r${i}","duration_milliseconds":${i}}`,
  (i) => `{"duration_milliseconds":${i},"risk_score":0.2,"request_id":"r${i}"}`,
  (i) => `{"algorithm_name":"a","request_id":"r${i}","duration_milliseconds":${i},"algorithm_name":""}`,
  () => '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
  () => ' \n {} \n ',
];

const missingField: Builder = (_ctx, i) => {
  const text = MISSING[i % MISSING.length](i);
  return rejected(i, 'missing_field', Buffer.from(text), 'missing_field', text.includes(`"r${i}"`) ? `request_id:r${i}` : undefined);
};

// --- probes of DECISIONS' NaN rule on operational fields and of the non-finite stand-in ---

/** `algorithm_name: NaN` is algorithm_name null after the NaN rule: missing_field. */
const nanAlgorithmName: Builder = (_ctx, i) => {
  const token = i % 2 === 0 ? 'NaN' : 'Infinity';
  return rejected(i, 'probe_nan_algorithm_name', Buffer.from(`{"algorithm_name":${token},"request_id":"r${i}","duration_milliseconds":${i}}`), 'missing_field', `request_id:r${i}`);
};

/** `algorithm_version: NaN` is a null version: no version tag (and no value: it is not a metric). */
const nanVersion: Builder = (ctx, i) =>
  accepted(ctx, i, 'probe_nan_version', { algorithm: 'nan_version', version: null, versionJson: 'NaN', owner: 'o', fields: [field(DURATION, i)], exactTags: true });

/** A real string value that happens to look like an internal stand-in is a string: non_numeric. */
const markerString: Builder = (ctx, i) =>
  accepted(ctx, i, 'probe_marker_string', {
    algorithm: 'marker_string',
    version: '1',
    owner: 'o',
    fields: [field(DURATION, i), rawField('looks_internal', '"\\u0000aik:non-finite"', { t: 'drop', reason: 'non_numeric' })],
    exactTags: true,
  });

/** A bare NaN where a key must be: after the NaN rule (null) still not JSON, so invalid_json. */
const nanAsKey: Builder = (_ctx, i) =>
  rejected(i, 'probe_nan_as_key', Buffer.from(`{"algorithm_name":"nan_key","request_id":"r${i}","duration_milliseconds":${i},NaN:1}`), 'invalid_json', `request_id:r${i}`);

/**
 * Two algorithms whose name/version differ only in where a control character sits: each point
 * carries tags derived from its own message (no cache may confuse them).
 */
let collisionCount = 0;
const tagCollision: Builder = (ctx, i) => {
  const first = collisionCount++ % 2 === 0;
  return accepted(ctx, i, 'probe_tag_collision', {
    algorithm: first ? 'tag\u0001collision' : 'tag',
    version: first ? 'v' : 'collision\u0001v',
    owner: 'o',
    fields: [field(DURATION, i)],
    exactTags: false,
  });
};

// ---------------------------------------------------------------------------------------------

/** Hostile kinds and how many of each in a corpus of 3000 (scaled for other sizes, min 1). */
const HOSTILE_MIX: Array<[Builder, number]> = [
  [manyVersions, 70],
  [inventedNames, 150],
  [hostileTags, 170],
  [invalidUtf8InStrings, 24],
  [weirdKeys, 150],
  [oddValues, 110],
  [pythonTokens, 70],
  [manyKeys, 3],
  [deepValue, 3],
  [duplicateKeys, 3],
  [minimal, 6],
  [boundaryAccepted, 2],
  [tooLarge, 20],
  [garbageBytes, 60],
  [badText, BAD_TEXTS.length * 2],
  [truncated, 60],
  [notObject, NOT_OBJECTS.length * 3],
  [missingField, MISSING.length * 4],
  [nanAlgorithmName, 2],
  [nanVersion, 2],
  [markerString, 1],
  [nanAsKey, 1],
  [tagCollision, 2],
];

export function generateHostileCorpus(options: CorpusOptions = {}): Corpus {
  const seed = options.seed ?? 20261125;
  const size = options.size ?? 3000;
  const rand = mulberry32(seed);
  const ctx: Ctx = {
    rand,
    prefix: options.prefix ?? 'algorithmia.',
    maxBytes: options.maxMessageBytes ?? 25_600,
    maxNames: options.maxNamesPerAlgorithm ?? 50,
    maxVersions: options.maxVersionsPerAlgorithm ?? 50,
    state: { names: new Map(), versions: new Map() },
  };
  versionCounter = 0;
  manyKeysCount = 0;
  sizeCount = 0;
  collisionCount = 0;
  const plan: Builder[] = [];
  for (const [builder, n] of HOSTILE_MIX) for (let k = 0; k < Math.max(1, Math.round((n * size) / 3000)); k++) plan.push(builder);
  if (plan.length > size * 0.45) throw new Error(`corpus of ${size} too small for its hostile mix (${plan.length})`);
  while (plan.length < size) plan.push(clean);
  shuffle(rand, plan);

  const messages = plan.map((builder, index) => builder(ctx, index));
  const countsByKind: Record<string, number> = {};
  const rejectedCounts = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  const drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  let values = 0;
  let acceptedCount = 0;
  let totalBytes = 0;
  for (const m of messages) {
    countsByKind[m.kind] = (countsByKind[m.kind] ?? 0) + 1;
    totalBytes += m.value?.length ?? 0;
    if (m.expected.outcome === 'rejected') rejectedCounts[m.expected.reason]++;
    else {
      acceptedCount++;
      values += m.expected.values.length;
      for (const [r, n] of Object.entries(m.expected.drops)) drops[r as DropReason] += n as number;
    }
  }
  return { messages, countsByKind, accepted: acceptedCount, rejected: rejectedCounts, drops, values, totalBytes };
}
