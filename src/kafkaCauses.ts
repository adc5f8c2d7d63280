/**
 * Why Kafka failed, in words a user acts on ("connection refused to 10.0.0.5:9092"), from a
 * kafkajs or Node error. Pure. Classified by error class name and code only (kafkajs class
 * names, Node's system and TLS error codes, Kafka protocol error codes), never by message text
 * (DECISIONS, Operations). Each cause has a stable short key (a bounded tag or status value) and
 * the ErrorCode it is counted under in `algorithmia.forwarder.errors`.
 */
import { InsightsError, type ErrorCode } from './errors';

export const CAUSE_KEYS = [
  'connection_refused',
  'host_not_found',
  'connect_timeout',
  'host_unreachable',
  'connection_closed',
  'request_timeout',
  'tls_failed',
  'auth_failed',
  'topic_not_authorized',
  'group_not_authorized',
  'cluster_not_authorized',
  'unknown_topic',
  'kafka_error',
] as const;
export type CauseKey = (typeof CAUSE_KEYS)[number];

export interface KafkaCause {
  key: CauseKey;
  /** What a user reads: the service check message and the log's `reason`. */
  message: string;
  /** host:port of the broker concerned, when the error names one. */
  broker?: string;
  code: ErrorCode;
}

/** What the classifier may name that the error does not carry (kafkajs's protocol errors often lack the topic). */
export interface CauseContext {
  topic?: string;
  group?: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
// OpenSSL's certificate verification codes as Node reports them (besides the ERR_SSL_/ERR_TLS_/ERR_OSSL_/CERT_ families).
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
const TLS_PREFIXES = ['ERR_SSL_', 'ERR_TLS_', 'ERR_OSSL_', 'CERT_'];

/** Kafka protocol error codes (the `code` of kafkajs's KafkaJSProtocolError). */
const KAFKA_UNKNOWN_TOPIC_OR_PARTITION = 3;
const KAFKA_TOPIC_AUTHORIZATION_FAILED = 29;
const KAFKA_GROUP_AUTHORIZATION_FAILED = 30;
const KAFKA_CLUSTER_AUTHORIZATION_FAILED = 31;

type Node = Error & { code?: unknown; broker?: unknown; type?: unknown; topic?: unknown; hostname?: unknown; originalError?: unknown; errors?: unknown };

/** The error and what it wraps: `cause` (KafkaJSNumberOfRetriesExceeded, ours), `originalError`, an aggregate's `errors`. Outermost first. */
export function errorChain(err: unknown, max = 16): Node[] {
  const out: Node[] = [];
  const todo: unknown[] = [err];
  while (todo.length > 0 && out.length < max) {
    const e = todo.shift();
    if (!(e instanceof Error) || out.includes(e as Node)) continue;
    const n = e as Node;
    out.push(n);
    todo.push(n.cause, n.originalError, ...(Array.isArray(n.errors) ? n.errors : []));
  }
  return out;
}

export function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || TLS_PREFIXES.some((p) => code.startsWith(p));
}

const hostOf = (broker: string) => broker.replace(/:\d+$/, '');

/**
 * The cause of a failed connection attempt from the socket's own error (its `code`) and the
 * broker it was dialling; undefined when the code is not a connection cause we name.
 */
export function socketCause(code: unknown, broker: string, hostname?: string): KafkaCause | undefined {
  if (typeof code !== 'string') return undefined;
  if (code === 'ECONNREFUSED') return { key: 'connection_refused', message: `connection refused to ${broker}`, broker, code: 'KAFKA_CONNECT' };
  if (DNS_CODES.has(code)) return { key: 'host_not_found', message: `host not found: ${hostname ?? hostOf(broker)}`, broker, code: 'KAFKA_CONNECT' };
  if (code === 'ETIMEDOUT') return { key: 'connect_timeout', message: `timed out connecting to ${broker}`, broker, code: 'KAFKA_CONNECT' };
  if (UNREACHABLE_CODES.has(code)) return { key: 'host_unreachable', message: `no route to ${broker}`, broker, code: 'KAFKA_CONNECT' };
  if (CLOSED_CODES.has(code)) return { key: 'connection_closed', message: `connection closed by ${broker}`, broker, code: 'KAFKA_CONNECT' };
  if (isTlsCode(code)) return { key: 'tls_failed', message: `TLS handshake failed with ${broker}: ${code}`, broker, code: 'KAFKA_TLS' };
  return undefined;
}

/** The cause of a kafkajs or Node error; the most specific one anywhere in its chain wins. */
export function classifyKafkaError(err: unknown, ctx: CauseContext = {}): KafkaCause {
  const chain = errorChain(err);
  const broker = chain.map((e) => e.broker).find((b): b is string => typeof b === 'string' && b !== '' && b !== 'undefined:undefined');
  const named = (name: string) => chain.find((e) => e.name === name);

  const sasl = named('KafkaJSSASLAuthenticationError');
  if (sasl) return { key: 'auth_failed', message: sasl.message, broker, code: 'KAFKA_AUTH' };

  for (const e of chain) {
    // KafkaJSProtocolError and its subclasses: a Kafka error code (number) and its name (type).
    if (typeof e.code !== 'number') continue;
    const topic = typeof e.topic === 'string' ? e.topic : ctx.topic;
    const type = typeof e.type === 'string' ? e.type : `Kafka error ${e.code}`;
    if (e.code === KAFKA_TOPIC_AUTHORIZATION_FAILED) return { key: 'topic_not_authorized', message: `topic not authorised${topic ? `: ${topic}` : ''} (${type})`, broker, code: 'KAFKA_NOT_AUTHORIZED' };
    if (e.code === KAFKA_GROUP_AUTHORIZATION_FAILED) return { key: 'group_not_authorized', message: `group not authorised${ctx.group ? `: ${ctx.group}` : ''} (${type})`, broker, code: 'KAFKA_NOT_AUTHORIZED' };
    if (e.code === KAFKA_CLUSTER_AUTHORIZATION_FAILED) return { key: 'cluster_not_authorized', message: `cluster action not authorised (${type})`, broker, code: 'KAFKA_NOT_AUTHORIZED' };
    if (e.code === KAFKA_UNKNOWN_TOPIC_OR_PARTITION) return { key: 'unknown_topic', message: `topic does not exist${topic ? `: ${topic}` : ''} (${type})`, broker, code: 'KAFKA_UNKNOWN_TOPIC' };
  }

  for (const e of chain) {
    if (typeof e.code !== 'string') continue;
    const at = typeof e.broker === 'string' ? e.broker : broker;
    const hostname = typeof e.hostname === 'string' ? e.hostname : undefined;
    const cause = at ? socketCause(e.code, at, hostname) : hostname ? socketCause(e.code, hostname, hostname) : undefined;
    if (cause) return cause;
  }

  const where = broker ? ` ${broker}` : ' the broker';
  if (named('KafkaJSConnectionClosedError')) return { key: 'connection_closed', message: `connection closed by${where}`, broker, code: 'KAFKA_CONNECT' };
  if (named('KafkaJSRequestTimeoutError')) return { key: 'request_timeout', message: `timed out waiting for${where} to answer`, broker, code: 'KAFKA_CONNECT' };

  // Anything else keeps kafkajs's own words, from the innermost error that has some.
  const inner = [...chain].reverse().find((e) => e.message);
  const text = inner?.message ?? (err instanceof Error ? err.message : String(err));
  return { key: 'kafka_error', message: broker && !text.includes(broker) ? `${text} (${broker})` : text, broker, code: 'KAFKA_CONNECT' };
}

/** A Kafka failure as one of our errors: its cause's message and code, the original kept as `cause`. */
export class KafkaFailure extends InsightsError {
  constructor(
    readonly reason: KafkaCause,
    cause: unknown,
  ) {
    super(reason.code, reason.message, { retriable: true, cause });
    this.name = 'KafkaFailure';
  }
}

/** kafkajs's errors as ours, classified. An InsightsError passes through unchanged. */
export function kafkaError(err: unknown, ctx: CauseContext = {}): InsightsError {
  if (err instanceof InsightsError) return err;
  return new KafkaFailure(classifyKafkaError(err, ctx), err);
}

/** The cause behind one of our errors: its own when it is a KafkaFailure, else its original's. */
export function causeOf(err: InsightsError, ctx: CauseContext = {}): KafkaCause {
  if (err instanceof KafkaFailure) return err.reason;
  const inner = err.cause !== undefined ? classifyKafkaError(err.cause, ctx) : undefined;
  return inner && inner.key !== 'kafka_error' ? inner : { key: 'kafka_error', message: err.message, broker: inner?.broker, code: err.code };
}
