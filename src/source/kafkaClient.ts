/** kafkajs client options from a resolved instance: brokers, TLS, SASL, timeouts, sockets, logging. */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, KafkaConfig, logLevel, SASLOptions } from 'kafkajs';
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import { registerCodecs } from './codecs';
import { CONNECT_TIMEOUT_BACKSTOP_MS, watchedSocketFactory, type ConnectionWatcher } from './kafkaConnections';
import { kafkaLogCreator } from './kafkaLog';
import { installRecordBatchDecoder } from './recordBatchDecoder';

export function tlsOptions(inst: ResolvedInstance): ConnectionOptions | undefined {
  if (inst.security_protocol !== 'SSL' && inst.security_protocol !== 'SASL_SSL') return undefined;
  const files = inst.tlsFiles ?? {};
  return {
    ca: files.ca ? [files.ca] : undefined,
    cert: files.cert,
    key: files.key,
    passphrase: files.keyPassphrase,
    rejectUnauthorized: inst.tls?.verify ?? true,
    servername: inst.tls?.server_name,
  };
}

export function saslOptions(inst: ResolvedInstance): SASLOptions | undefined {
  if (inst.security_protocol !== 'SASL_PLAINTEXT' && inst.security_protocol !== 'SASL_SSL') return undefined;
  const sasl = inst.sasl;
  if (!sasl) return undefined;
  const password = inst.saslPassword ?? '';
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username: sasl.username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password };
  }
}

/** The instance's kafkajs client; `watcher` is told of every connection attempt that fails, as it fails. */
export function createKafka(inst: ResolvedInstance, log: Logger, watcher?: ConnectionWatcher): Kafka {
  registerCodecs();
  const decoder = installRecordBatchDecoder();
  if (decoder !== 'installed' && decoder !== 'already') log.rateLimited('record-batch-decoder', 'info', "record batches are decoded by kafkajs's own decoder", { reason: decoder });
  const config: KafkaConfig = {
    clientId: inst.client_id,
    brokers: inst.kafka_connect_str,
    ssl: tlsOptions(inst),
    sasl: saslOptions(inst),
    // Our socket factory enforces connection_timeout_ms (with a code); kafkajs's timer is the backstop.
    connectionTimeout: inst.connection_timeout_ms + CONNECT_TIMEOUT_BACKSTOP_MS,
    socketFactory: watchedSocketFactory(inst.connection_timeout_ms, watcher ?? { attemptFailed: () => undefined }),
    requestTimeout: inst.request_timeout_ms,
    retry: { initialRetryTime: 300, maxRetryTime: inst.retry_max_ms, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
  };
  return new Kafka(config);
}
