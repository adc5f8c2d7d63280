/**
 * The one source of truth for the configuration: types, defaults, descriptions and which keys
 * are secrets. conf.yaml.example is generated from this schema (npm run gen:example) and a test
 * fails when the two drift. The TypeScript types of the raw config are derived from it.
 *
 * Custom annotations (ignored by ajv, used by the example generator and print-config):
 * - `x-secret: true`   a value never printed or logged
 * - `x-example`        a placeholder value for conf.yaml.example when there is no default
 * - `x-env`            the DD_* environment variable that overrides this key
 * - `x-pattern-hint`   what a `pattern` means, in words, for error messages ("must be <hint>")
 * - `x-warning`        a warning line added to the key's block in conf.yaml.example
 */
import type { FromSchema } from 'json-schema-to-ts';
import { CARDINALITY, DRIFT, FAIRNESS, INIT_CONFIG } from './schemaSections';

// Kept with the mapping stage (which imports nothing from config/), so config may use map/'s tag rules.
import { METRIC_TYPES } from '../map/metricTypes';
export { METRIC_TYPES, type MetricType } from '../map/metricTypes';

/** Where the forwarder looks for its config file when `-c` is not given (not the Agent's conf.d/). */
export const DEFAULT_CONFIG_PATH = '/etc/algorithmia-insights/conf.yaml';

/** Largest datagram when `max_datagram_bytes` is not set: UDP (below a network MTU). */
export const DEFAULT_UDP_DATAGRAM_BYTES = 1432;
/** Largest datagram over a Unix socket, and its default: the Agent cuts larger ones. */
export const MAX_UDS_DATAGRAM_BYTES = 8192;

/** The rule of a Kafka topic name (`topic`, `dead_letter_topic`). */
const KAFKA_TOPIC_NAME = {
  type: 'string',
  pattern: '^[A-Za-z0-9._-]{1,249}$',
  'x-pattern-hint': "a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-')",
} as const;

export { DRIFT_BASELINES, type DriftBaseline } from './schemaSections';

export const configSchema = {
  $id: 'https://algorithmia-insights/conf.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['instances'],
  properties: {
    init_config: INIT_CONFIG,
    instances: {
      description: 'One entry per Kafka cluster and Insights topic. Several instances run in one process.',
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kafka_connect_str', 'topic'],
        properties: {
          kafka_connect_str: {
            description:
              "Kafka bootstrap servers: a list of host:port strings, or one string of host:port entries separated by commas (k1:9092,k2:9092), as in Datadog's kafka_consumer.",
            // A string is split into the list before validation (connectStr.ts), so the
            // entries are checked one by one and the resolved config always has a list.
            type: ['array', 'string'],
            minItems: 1,
            items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$', 'x-pattern-hint': 'host:port' },
            'x-example': ['localhost:9092'],
          },
          topic: {
            description: 'The Algorithmia Insights topic configured in the Algorithmia admin panel.',
            ...KAFKA_TOPIC_NAME,
            'x-example': 'insights',
          },
          consumer_group: {
            description: 'Kafka consumer group id. Processes sharing it split the partitions between them.',
            type: 'string',
            minLength: 1,
            default: 'algorithmia-insights-datadog',
          },
          client_id: {
            description: 'Kafka client id, visible in broker logs and quotas.',
            type: 'string',
            minLength: 1,
            default: 'algorithmia-insights-datadog',
          },
          start_from: {
            description: 'Where a consumer group with no committed offset starts: latest or earliest.',
            enum: ['earliest', 'latest'],
            default: 'latest',
          },
          security_protocol: {
            description: 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (SASL/SCRAM over TLS is what Algorithmia offers).',
            enum: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'],
            default: 'PLAINTEXT',
          },
          sasl: {
            description: 'SASL credentials; required when security_protocol is SASL_PLAINTEXT or SASL_SSL.',
            type: 'object',
            additionalProperties: false,
            required: ['mechanism', 'username'],
            properties: {
              mechanism: {
                description: 'SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN.',
                enum: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
                'x-example': 'SCRAM-SHA-512',
              },
              username: { description: 'SASL user name.', type: 'string', minLength: 1, 'x-example': '<USERNAME>' },
              password: { description: 'The SASL password itself (prefer password_env or password_file).', type: 'string', minLength: 1, 'x-secret': true },
              password_env: { description: 'Name of an environment variable holding the SASL password.', type: 'string', minLength: 1, 'x-example': 'KAFKA_PASSWORD' },
              password_file: { description: 'Path of a file holding the SASL password (a trailing newline is ignored).', type: 'string', minLength: 1, 'x-example': '/etc/algorithmia-insights/kafka-password' },
            },
          },
          tls: {
            description: 'TLS settings for SSL and SASL_SSL.',
            type: 'object',
            additionalProperties: false,
            properties: {
              ca_file: { description: 'PEM file of the CA that signed the brokers\' certificates.', type: 'string', minLength: 1, 'x-example': '/etc/algorithmia-insights/ca.pem' },
              cert_file: { description: 'PEM client certificate, for mutual TLS.', type: 'string', minLength: 1, 'x-example': '/etc/algorithmia-insights/client.pem' },
              key_file: { description: 'PEM private key of the client certificate, for mutual TLS.', type: 'string', minLength: 1, 'x-example': '/etc/algorithmia-insights/client-key.pem' },
              key_passphrase: { description: 'Passphrase of key_file (prefer key_passphrase_env or key_passphrase_file).', type: 'string', minLength: 1, 'x-secret': true },
              key_passphrase_env: { description: 'Name of an environment variable holding the key passphrase.', type: 'string', minLength: 1, 'x-example': 'KAFKA_KEY_PASSPHRASE' },
              key_passphrase_file: { description: 'Path of a file holding the key passphrase (a trailing newline is ignored).', type: 'string', minLength: 1, 'x-example': '/etc/algorithmia-insights/key-passphrase' },
              verify: { description: 'Verify the brokers\' certificates and host names. Turn off only for testing.', type: 'boolean', default: true },
              server_name: { description: 'Host name to verify the brokers\' certificates against, if not the one connected to.', type: 'string', minLength: 1, 'x-example': 'kafka.example.com' },
            },
          },
          dogstatsd: {
            description: 'Where the metrics go: the local Datadog Agent\'s DogStatsD server.',
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: {
              url: {
                description: 'udp://host:port or unix:///path/to/dsd.socket.',
                type: 'string',
                pattern: '^(udp://[^/\\s]+:[0-9]{1,5}|unix:///.+)$',
                'x-pattern-hint': 'udp://host:port or unix:///path/to/socket',
                'x-env': 'DD_DOGSTATSD_URL',
                'x-example': 'udp://localhost:8125',
              },
              socket: {
                description: 'Path of the Agent\'s DogStatsD Unix socket (dogstatsd_socket).',
                type: 'string',
                minLength: 1,
                'x-env': 'DD_DOGSTATSD_SOCKET',
                'x-example': '/var/run/datadog/dsd.socket',
              },
              host: {
                description: 'Agent host for UDP.',
                type: 'string',
                minLength: 1,
                default: 'localhost',
                'x-env': 'DD_AGENT_HOST',
              },
              port: {
                description: 'Agent DogStatsD UDP port.',
                type: 'integer',
                minimum: 1,
                maximum: 65535,
                default: 8125,
                'x-env': 'DD_DOGSTATSD_PORT',
              },
              max_datagram_bytes: {
                description: `Largest datagram sent. Default ${DEFAULT_UDP_DATAGRAM_BYTES} for UDP (below a network MTU), ${MAX_UDS_DATAGRAM_BYTES} for a Unix socket.`,
                type: 'integer',
                minimum: 512,
                maximum: 65000,
                'x-example': DEFAULT_UDP_DATAGRAM_BYTES,
              },
              pack_values: {
                description: 'Send the values of one series in a batch as one line (DogStatsD 1.1; Agent 6.25/7.25 or later).',
                type: 'boolean',
                default: true,
              },
              origin_detection: {
                description: 'Let the Agent tag metrics with this forwarder\'s container (usually unwanted for a relay).',
                type: 'boolean',
                default: false,
              },
              client_telemetry: {
                description: 'Send the DogStatsD client\'s own datadog.dogstatsd.client.* metrics.',
                type: 'boolean',
                default: true,
              },
            },
          },
          tags: {
            description: 'Tags added to every metric of this instance, as key:value strings. DD_ENV and DD_TAGS are added too.',
            type: 'array',
            items: {
              type: 'string',
              pattern: '^[A-Za-z][^\\s,|#]{0,199}$',
              'x-pattern-hint': "a tag such as key:value (starts with a letter, at most 200 characters, no spaces, ',', '|' or '#')",
            },
            default: [],
            'x-example': ['team:ml-platform'],
          },
          prefix: {
            description: 'Prefix of every metric name. The shipped dashboard and monitors assume algorithmia.',
            type: 'string',
            pattern: '^[A-Za-z][A-Za-z0-9_.]{0,99}\\.$',
            'x-pattern-hint': "a metric name prefix ending in '.' (letters, digits, '_' and '.', starting with a letter)",
            default: 'algorithmia.',
          },
          default_metric_type: {
            description: 'DogStatsD type of every numeric field not listed in metric_types.',
            enum: [...METRIC_TYPES],
            default: 'distribution',
          },
          metric_types: {
            description: 'DogStatsD type per field name, e.g. {risk_score: gauge}.',
            type: 'object',
            additionalProperties: { enum: [...METRIC_TYPES] },
            default: {},
            'x-example': { risk_score: 'gauge' },
          },
          tag_request_id: {
            description: 'Tag metrics with request_id. One time series per execution: a Datadog cost trap.',
            type: 'boolean',
            default: false,
            'x-warning': 'request_id is unique per execution: every execution creates new time series, billed as custom metrics.',
          },
          tag_session_id: {
            description: 'Tag metrics with session_id. One time series per session: a Datadog cost trap.',
            type: 'boolean',
            default: false,
            'x-warning': 'session_id is unique per session: every session creates new time series, billed as custom metrics.',
          },
          use_message_time: {
            description: 'Stamp gauges and counts with the message time (DogStatsD |T); distributions are never stamped.',
            type: 'boolean',
            default: false,
          },
          max_message_bytes: {
            description: 'Messages larger than this are rejected (reason too_large). Insights caps payloads at 25 KB.',
            type: 'integer',
            minimum: 64,
            maximum: 104857600,
            default: 25600,
          },
          metric_allowlist: {
            description: 'If not empty, only fields whose name matches one of these regular expressions are sent.',
            type: 'array',
            items: { type: 'string', minLength: 1, format: 'regex' },
            default: [],
            'x-example': ['^duration_milliseconds$', '^risk_'],
          },
          metric_denylist: {
            description: 'Fields whose name matches one of these regular expressions are not sent.',
            type: 'array',
            items: { type: 'string', minLength: 1, format: 'regex' },
            default: [],
            'x-example': ['^debug_'],
          },
          cardinality: CARDINALITY,
          drift: DRIFT,
          fairness: FAIRNESS,
          dead_letter_topic: {
            description: 'If set, rejected messages are copied to this topic with the reason in a header.',
            ...KAFKA_TOPIC_NAME,
            'x-example': 'insights-rejected',
          },
          session_timeout_ms: { description: 'Kafka consumer group session timeout.', type: 'integer', minimum: 1000, default: 30000 },
          rebalance_timeout_ms: { description: 'Kafka consumer group rebalance timeout.', type: 'integer', minimum: 1000, default: 60000 },
          heartbeat_interval_ms: { description: 'Kafka consumer group heartbeat interval (below a third of the session timeout).', type: 'integer', minimum: 100, default: 3000 },
          commit_interval_ms: { description: 'Commit offsets (only those already sent) this often; 0 after every batch. Bounds what a crash re-sends.', type: 'integer', minimum: 0, default: 1000 },
          worker_thread: {
            description: 'Decode, map and pack messages in a worker thread, on a second core beside fetching and sending. Off: all on one thread (a single-core host).',
            type: 'boolean',
            default: true,
          },
          max_bytes_per_partition: {
            description:
              'Largest fetch per partition and request, in bytes as stored (compressed on a compressed topic, where a fetch decodes to several times this). Larger fetches buy no throughput and cost memory.',
            type: 'integer',
            minimum: 1024,
            default: 262144,
          },
          max_wait_ms: { description: 'Longest time the broker holds a fetch waiting for data (latency when the topic is quiet).', type: 'integer', minimum: 0, default: 500 },
          connection_timeout_ms: { description: 'Kafka connection timeout.', type: 'integer', minimum: 100, default: 3000 },
          request_timeout_ms: { description: 'Kafka request timeout.', type: 'integer', minimum: 100, default: 30000 },
          retry_max_ms: { description: 'Cap of the exponential backoff between reconnects and re-sends.', type: 'integer', minimum: 100, default: 30000 },
        },
      },
    },
  },
} as const;

export type RawConfig = FromSchema<typeof configSchema>;
export type RawInstance = RawConfig['instances'][number];
