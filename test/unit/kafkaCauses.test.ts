/**
 * The cause of a Kafka failure, from kafkajs's real error classes as kafkajs builds them
 * (network/connection.js, retry/index.js, protocol/error.js): a table. The messages are chosen so
 * that matching them would give the wrong answer: only class names and codes may decide.
 */
import { InsightsError } from '../../src/errors';
import { causeOf, classifyKafkaError, errorChain, kafkaError, socketCause, type CauseKey } from '../../src/kafkaCauses';

// kafkajs's real classes and protocol errors (its type declarations do not list every constructor's arguments).
type ErrorClass = new (...args: unknown[]) => Error;
const kafkajs = require('kafkajs') as Record<string, ErrorClass>;
const {
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };

const B = '10.1.2.3:9092';
/** As kafkajs's connection.js builds it from a socket error. */
const connErr = (code: string | undefined, broker = B, message = 'Connection error: something') => new KafkaJSConnectionError(message, { broker, code });
/** As kafkajs's retrier gives up: the last error as the cause. */
const retried = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 8, retryTime: 30000 });
const protocol = (code: number, extra: Record<string, unknown> = {}) => Object.assign(new KafkaJSProtocolError(createErrorFromCode(code)), extra);
const sys = (code: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });

describe('classifyKafkaError', () => {
  it.each<[string, unknown, CauseKey, string, string]>([
    ['refused, after the retries', retried(connErr('ECONNREFUSED')), 'connection_refused', `connection refused to ${B}`, 'KAFKA_CONNECT'],
    ['refused, the connection error itself', connErr('ECONNREFUSED', '127.0.0.1:40000', 'Connection timeout'), 'connection_refused', 'connection refused to 127.0.0.1:40000', 'KAFKA_CONNECT'],
    ['unknown host (ENOTFOUND)', retried(connErr('ENOTFOUND', 'no-such-host.invalid:9092')), 'host_not_found', 'host not found: no-such-host.invalid', 'KAFKA_CONNECT'],
    ['DNS unavailable (EAI_AGAIN)', connErr('EAI_AGAIN', 'kafka.internal:9093', 'connection refused'), 'host_not_found', 'host not found: kafka.internal', 'KAFKA_CONNECT'],
    ['a getaddrinfo error of its own', sys('ENOTFOUND', 'x', { hostname: 'broker-1.example' }), 'host_not_found', 'host not found: broker-1.example', 'KAFKA_CONNECT'],
    ['connect timeout (ETIMEDOUT from our socket factory)', retried(connErr('ETIMEDOUT')), 'connect_timeout', `timed out connecting to ${B}`, 'KAFKA_CONNECT'],
    ['no route', connErr('EHOSTUNREACH'), 'host_unreachable', `no route to ${B}`, 'KAFKA_CONNECT'],
    ['reset by the broker', connErr('ECONNRESET'), 'connection_closed', `connection closed by ${B}`, 'KAFKA_CONNECT'],
    ['closed connection (kafkajs class, no code)', retried(new KafkaJSConnectionClosedError('Connection timeout', { host: '10.1.2.3', port: 9092 })), 'connection_closed', `connection closed by ${B}`, 'KAFKA_CONNECT'],
    ['request timeout', new KafkaJSRequestTimeoutError('Connection refused', { broker: B, correlationId: 1, createdAt: 0, sentAt: 0, pendingDuration: 0 }), 'request_timeout', `timed out waiting for ${B} to answer`, 'KAFKA_CONNECT'],
    ['TLS: self-signed certificate', connErr('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls_failed', `TLS handshake failed with ${B}: DEPTH_ZERO_SELF_SIGNED_CERT`, 'KAFKA_TLS'],
    ['TLS: leaf not verified', retried(connErr('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'tls_failed', `TLS handshake failed with ${B}: UNABLE_TO_VERIFY_LEAF_SIGNATURE`, 'KAFKA_TLS'],
    ['TLS: wrong protocol (ERR_SSL_*)', connErr('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls_failed', `TLS handshake failed with ${B}: ERR_SSL_WRONG_VERSION_NUMBER`, 'KAFKA_TLS'],
    ['TLS: expired (CERT_*)', connErr('CERT_HAS_EXPIRED'), 'tls_failed', `TLS handshake failed with ${B}: CERT_HAS_EXPIRED`, 'KAFKA_TLS'],
    ['TLS: name mismatch (ERR_TLS_*)', connErr('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls_failed', `TLS handshake failed with ${B}: ERR_TLS_CERT_ALTNAME_INVALID`, 'KAFKA_TLS'],
    ['SASL authentication', new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed, invalid credentials'), 'auth_failed', 'SASL SCRAM SHA512 authentication failed, invalid credentials', 'KAFKA_AUTH'],
    ['SASL authentication, wrapped', new KafkaJSNonRetriableError(new KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed'), { cause: new KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed') }), 'auth_failed', 'SASL PLAIN authentication failed', 'KAFKA_AUTH'],
    ['topic ACL (29)', retried(protocol(29)), 'topic_not_authorized', 'topic not authorised: insights (TOPIC_AUTHORIZATION_FAILED)', 'KAFKA_NOT_AUTHORIZED'],
    ['topic ACL (29) naming its topic', protocol(29, { topic: 'other' }), 'topic_not_authorized', 'topic not authorised: other (TOPIC_AUTHORIZATION_FAILED)', 'KAFKA_NOT_AUTHORIZED'],
    ['group ACL (30)', protocol(30), 'group_not_authorized', 'group not authorised: insights-forwarder (GROUP_AUTHORIZATION_FAILED)', 'KAFKA_NOT_AUTHORIZED'],
    ['cluster ACL (31), wrapped in originalError', Object.assign(new KafkaJSError('Cluster authorization failed'), { originalError: protocol(31) }), 'cluster_not_authorized', 'cluster action not authorised (CLUSTER_AUTHORIZATION_FAILED)', 'KAFKA_NOT_AUTHORIZED'],
    ['unknown topic (3)', retried(protocol(3)), 'unknown_topic', 'topic does not exist: insights (UNKNOWN_TOPIC_OR_PARTITION)', 'KAFKA_UNKNOWN_TOPIC'],
    ['another protocol error keeps kafkajs words', protocol(7), 'kafka_error', 'The request timed out', 'KAFKA_CONNECT'],
    ['a connection error without a code keeps kafkajs words and the broker', connErr(undefined, B, 'Not connected'), 'kafka_error', `Not connected (${B})`, 'KAFKA_CONNECT'],
    ['anything else', new Error('connect ECONNREFUSED 1.2.3.4:9092'), 'kafka_error', 'connect ECONNREFUSED 1.2.3.4:9092', 'KAFKA_CONNECT'],
    ['not even an Error', 'boom', 'kafka_error', 'boom', 'KAFKA_CONNECT'],
  ])('%s', (_name, err, key, message, code) => {
    const cause = classifyKafkaError(err, { topic: 'insights', group: 'insights-forwarder' });
    expect({ key: cause.key, message: cause.message, code: cause.code }).toEqual({ key, message, code });
  });

  it('names the broker when the error carries one', () => {
    expect(classifyKafkaError(retried(connErr('ECONNREFUSED'))).broker).toBe(B);
    expect(classifyKafkaError(new KafkaJSSASLAuthenticationError('x')).broker).toBeUndefined();
  });

  it('walks cause, originalError and aggregates, once each, and stops on a cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = Object.assign(new Error('b'), { originalError: a });
    a.cause = b;
    expect(errorChain(a).map((e) => e.message)).toEqual(['a', 'b']);
    const agg = Object.assign(new Error('agg'), { errors: [new Error('x'), connErr('ECONNREFUSED')] });
    expect(classifyKafkaError(agg).key).toBe('connection_refused');
  });
});

describe('socketCause', () => {
  it.each<[string, string | undefined]>([
    ['ECONNREFUSED', 'connection_refused'],
    ['ENOTFOUND', 'host_not_found'],
    ['ETIMEDOUT', 'connect_timeout'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls_failed'],
    ['ERR_OSSL_EVP_BAD_DECRYPT', 'tls_failed'],
    ['EACCES', undefined],
  ])('%s -> %s', (code, key) => {
    expect(socketCause(code, B)?.key).toBe(key);
  });

  it('ignores a code that is not a string', () => {
    expect(socketCause(-111, B)).toBeUndefined();
  });
});

describe('kafkaError and causeOf', () => {
  it('turns a kafkajs error into one of ours with the code and message of its cause', () => {
    const err = kafkaError(retried(connErr('ECONNREFUSED')));
    expect(err).toBeInstanceOf(InsightsError);
    expect(err.code).toBe('KAFKA_CONNECT');
    expect(err.message).toBe(`connection refused to ${B}`);
    expect(causeOf(err).key).toBe('connection_refused');
  });

  it('passes our own errors through, and finds the cause behind them', () => {
    const ours = new InsightsError('CONSUMER_CRASH', 'consumer crashed', { cause: protocol(30) });
    expect(kafkaError(ours)).toBe(ours);
    expect(causeOf(ours, { group: 'g' })).toMatchObject({ key: 'group_not_authorized', code: 'KAFKA_NOT_AUTHORIZED' });
    expect(causeOf(new InsightsError('CONSUMER_CRASH', 'stopped'))).toMatchObject({ key: 'kafka_error', message: 'stopped', code: 'CONSUMER_CRASH' });
  });
});
