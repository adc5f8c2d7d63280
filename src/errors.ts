/**
 * Every error the product raises on purpose, with a stable code. Callers branch on `code`,
 * never on message text; failures met at run time are also counted by code and stage
 * (`algorithmia.forwarder.errors`), so a code is a bounded tag value.
 */
/** Every code (bounded: they are telemetry tag values), each with what it means. */
export const ERROR_CODES = [
  'CONFIG_READ', // the config file cannot be read
  'CONFIG_PARSE', // the file is not valid YAML
  'CONFIG_INVALID', // the file does not match the schema
  'SECRET_UNAVAILABLE', // a *_env variable is unset or a *_file cannot be read
  'CLI_USAGE', // bad command line
  'SINK_UNAVAILABLE', // the DogStatsD transport cannot be created (e.g. unix-dgram missing)
  'SINK_SEND', // a datagram was not handed to the socket
  'KAFKA_CONNECT', // brokers unreachable, or a request to them failed
  'KAFKA_AUTH', // authentication failed
  'KAFKA_TLS', // the TLS handshake with a broker failed (certificate, protocol)
  'KAFKA_NOT_AUTHORIZED', // an ACL denies the topic, the consumer group or the cluster action
  'KAFKA_UNKNOWN_TOPIC', // the topic does not exist (and is not created automatically)
  'CONSUMER_CRASH', // kafkajs stopped the consumer without restarting it
  'ENCODER_FAILED', // a chunk could not be encoded (the worker thread died or threw)
  'DEAD_LETTER_FAILED', // rejected messages could not be produced to the dead-letter topic
  'COMMIT_FAILED', // an offset commit failed (retried with the next one)
  'LAG_UNAVAILABLE', // consumer lag could not be read
  'CODEC_UNAVAILABLE', // a fetched batch uses a compression this client cannot decompress
  'DRIFT_REPORT_FAILED', // drift scores could not be computed or sent
  'DRIFT_STATE_UNREADABLE', // the drift state file is truncated, corrupt or of an unknown version
  'DRIFT_STATE_WRITE_FAILED', // the drift state file could not be written (the previous one is kept)
  'STATUS_SOCKET', // the status socket could not be opened (logged; `status` then finds no process)
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class InsightsError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'InsightsError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.cause = opts.cause;
  }
}

/**
 * A failure from a library (kafkajs, a socket, the worker) as one of ours: the message is kept,
 * the original is the cause. An InsightsError passes through unchanged.
 */
export function asInsightsError(err: unknown, code: ErrorCode, retriable = true): InsightsError {
  if (err instanceof InsightsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InsightsError(code, message, { retriable, cause: err });
}

// kafkajs's errors are classified into these codes by kafkaCauses.ts (by class and code).

/** A config file problem: every issue found, each with the key path and what was expected. */
export class ConfigError extends InsightsError {
  constructor(
    code: 'CONFIG_READ' | 'CONFIG_PARSE' | 'CONFIG_INVALID' | 'SECRET_UNAVAILABLE',
    readonly file: string,
    readonly issues: string[],
  ) {
    super(code, `${file}: ${issues.length === 1 ? issues[0] : `${issues.length} problems:\n  - ${issues.join('\n  - ')}`}`);
    this.name = 'ConfigError';
  }
}
