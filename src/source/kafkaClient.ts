/** kafkajs client options from a resolved instance: brokers, TLS, SASL, timeouts, logging. */
import type { ConnectionOptions } from 'node:tls';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { ResolvedInstance } from '../config/resolved';
import type { Logger } from '../log/logger';
import { registerCodecs } from './codecs';
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

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through ours: warnings and errors, rate-limited per message text. */
function kafkaLogCreator(log: Logger) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const lvl = LEVELS[level] ?? 'info';
      if (lvl !== 'error' && lvl !== 'warn') return;
      const { message, timestamp: _t, logger: _l, ...rest } = entry as Record<string, unknown>;
      // kafkajs entries never carry credentials, but be strict: drop anything SASL-shaped.
      delete rest.sasl;
      delete rest.password;
      log.rateLimited(`kafkajs:${namespace}:${String(message)}`, lvl === 'error' ? 'warn' : lvl, `kafka: ${String(message)}`, { namespace, ...rest });
    };
}

export function createKafka(inst: ResolvedInstance, log: Logger): Kafka {
  registerCodecs();
  const decoder = installRecordBatchDecoder();
  if (decoder !== 'installed' && decoder !== 'already') log.rateLimited('record-batch-decoder', 'info', "record batches are decoded by kafkajs's own decoder", { reason: decoder });
  const config: KafkaConfig = {
    clientId: inst.client_id,
    brokers: inst.kafka_connect_str,
    ssl: tlsOptions(inst),
    sasl: saslOptions(inst),
    connectionTimeout: inst.connection_timeout_ms,
    requestTimeout: inst.request_timeout_ms,
    retry: { initialRetryTime: 300, maxRetryTime: inst.retry_max_ms, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
  };
  return new Kafka(config);
}
