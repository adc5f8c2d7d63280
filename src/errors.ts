/**
 * Every error the product raises on purpose, with a stable code. Callers branch on `code`,
 * never on message text.
 */
export type ErrorCode =
  | 'CONFIG_READ' // the config file cannot be read
  | 'CONFIG_PARSE' // the file is not valid YAML
  | 'CONFIG_INVALID' // the file does not match the schema
  | 'SECRET_UNAVAILABLE' // a *_env variable is unset or a *_file cannot be read
  | 'CLI_USAGE' // bad command line
  | 'SINK_UNAVAILABLE' // the DogStatsD transport cannot be created (e.g. unix-dgram missing)
  | 'SINK_SEND' // a datagram was not handed to the socket
  | 'KAFKA_CONNECT' // brokers unreachable
  | 'KAFKA_AUTH'; // authentication failed

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
