import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/errors';
import { DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from '../../src/config/load';
import { redactConfig } from '../../src/config/redact';
import { configSchema } from '../../src/config/schema';

/** Secret values used below: none may appear in any message or in redacted output. */
const SECRETS = ['hunter2-inline', 'env-secret-value', 'file-secret-value', 'pass-phrase-value', 'KEY-BODY-NOT-FOR-EYES'];

const dir = mkdtempSync(join(tmpdir(), 'config-load-'));
const f = (name: string): string => join(dir, name);
writeFileSync(f('password.txt'), 'file-secret-value\n');
writeFileSync(f('password-crlf.txt'), 'file-secret-value\r\n');
writeFileSync(f('empty.txt'), '');
writeFileSync(f('passphrase.txt'), 'pass-phrase-value\n');
writeFileSync(f('ca.pem'), '-----BEGIN CERTIFICATE-----\nQ0EgY29udGVudHM=\n-----END CERTIFICATE-----\n');
writeFileSync(f('cert.pem'), '-----BEGIN CERTIFICATE-----\nY2VydCBjb250ZW50cw==\n-----END CERTIFICATE-----\n');
writeFileSync(f('key.pem'), '-----BEGIN PRIVATE KEY-----\nKEY-BODY-NOT-FOR-EYES\n-----END PRIVATE KEY-----\n');
writeFileSync(f('enc-key.pem'), '-----BEGIN ENCRYPTED PRIVATE KEY-----\nKEY-BODY-NOT-FOR-EYES\n-----END ENCRYPTED PRIVATE KEY-----\n');
writeFileSync(f('not-pem.txt'), 'just text\n');
const CONF = f('conf.yaml');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIN = `init_config:
instances:
  - kafka_connect_str: [localhost:9092]
    topic: insights
`;

/** MIN plus the given lines, indented into the first instance. */
const withInstance = (...lines: string[]): string => MIN + lines.map((l) => `    ${l}\n`).join('');

function failure(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, CONF, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

const INSTANCE_KEYS = Object.keys(configSchema.properties.instances.items.properties).join(', ');

interface Bad {
  id: string;
  yaml: string;
  env?: NodeJS.ProcessEnv;
  code: ConfigError['code'];
  issues: string[];
}

const BAD: Bad[] = [
  // --- YAML syntax: line and column, never the source text
  {
    id: 'yaml: unterminated quote on a password line',
    yaml: 'instances:\n  - topic: insights\n    sasl:\n      password: "hunter2-inline\n',
    code: 'CONFIG_PARSE',
    issues: ['line 5, column 1: Missing closing "quote'],
  },
  {
    id: 'yaml: a message that would quote a secret value is withheld',
    yaml: 'instances:\n  - topic: insights\n    sasl:\n      password: |hunter2-inline\n        x\n',
    code: 'CONFIG_PARSE',
    issues: ['line 4, column 18: YAML syntax error UNEXPECTED_TOKEN (details withheld: the line holds a secret)'],
  },
  {
    id: 'yaml: the same error elsewhere keeps its details',
    yaml: 'instances:\n  - topic: |insights\n        x\n',
    code: 'CONFIG_PARSE',
    issues: ['line 2, column 13: Block scalar header includes extra characters: |insights'],
  },
  {
    id: 'yaml: duplicate key',
    yaml: 'instances:\n  - topic: a\n    topic: b\n    kafka_connect_str: [localhost:9092]\n',
    code: 'CONFIG_PARSE',
    issues: ['line 3, column 5: Map keys must be unique'],
  },
  {
    id: 'yaml: tab indentation',
    yaml: 'instances:\n\t- topic: a\n',
    code: 'CONFIG_PARSE',
    issues: ['line 2, column 1: Tabs are not allowed as indentation'],
  },
  {
    id: 'yaml: several documents',
    yaml: `${MIN}---\ninstances: []\n`,
    code: 'CONFIG_PARSE',
    issues: ['line 5, column 1: the file holds several YAML documents (---); it must hold one'],
  },
  {
    id: 'yaml: every syntax error is listed',
    yaml: 'a: 1\na: 2\nb: [1, 2\n',
    code: 'CONFIG_PARSE',
    issues: [
      'line 2, column 1: Map keys must be unique',
      'line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  },
  // --- top level
  { id: 'empty file', yaml: '', code: 'CONFIG_INVALID', issues: ['top level: missing required key instances (the file is empty)'] },
  { id: 'only comments', yaml: '# nothing\n', code: 'CONFIG_INVALID', issues: ['top level: missing required key instances (the file is empty)'] },
  { id: 'top level is a list', yaml: '- a\n', code: 'CONFIG_INVALID', issues: ['top level: must be mapping (got a list of 1)'] },
  { id: 'no instances key', yaml: 'init_config:\n', code: 'CONFIG_INVALID', issues: ['top level: missing required key instances'] },
  { id: 'instances empty', yaml: 'instances:\n', code: 'CONFIG_INVALID', issues: ['instances: must be list (got null)'] },
  { id: 'instances []', yaml: 'instances: []\n', code: 'CONFIG_INVALID', issues: ['instances: must have at least 1 entry (got an empty list)'] },
  {
    id: 'instances is a mapping (its contents are not printed)',
    yaml: 'instances:\n  sasl:\n    password: hunter2-inline\n',
    code: 'CONFIG_INVALID',
    issues: ['instances: must be list (got a mapping)'],
  },
  {
    id: 'top-level typo',
    yaml: 'instance:\n  - topic: insights\n',
    code: 'CONFIG_INVALID',
    issues: ['top level: missing required key instances', 'instance: unknown key (did you mean instances?)'],
  },
  // --- init_config
  {
    id: 'init_config is a string',
    yaml: `init_config: fast\n${MIN.slice('init_config:\n'.length)}`,
    code: 'CONFIG_INVALID',
    issues: ['init_config: must be mapping or empty (got "fast")'],
  },
  {
    id: 'init_config typo',
    yaml: `init_config:\n  log_levle: info\n${MIN.slice('init_config:\n'.length)}`,
    code: 'CONFIG_INVALID',
    issues: ['init_config.log_levle: unknown key (did you mean log_level?)'],
  },
  {
    id: 'init_config enum',
    yaml: `init_config:\n  log_level: verbose\n${MIN.slice('init_config:\n'.length)}`,
    code: 'CONFIG_INVALID',
    issues: ['init_config.log_level: must be one of debug, info, warn, error (got "verbose")'],
  },
  {
    id: 'init_config number range and integer',
    yaml: `init_config:\n  telemetry_interval_seconds: 0\n  health_port: 80.5\n${MIN.slice('init_config:\n'.length)}`,
    code: 'CONFIG_INVALID',
    issues: ['init_config.telemetry_interval_seconds: must be at least 1 (got 0)', 'init_config.health_port: must be integer (got 80.5)'],
  },
  // --- instance keys and types
  {
    id: 'missing topic',
    yaml: 'instances:\n  - kafka_connect_str: [localhost:9092]\n',
    code: 'CONFIG_INVALID',
    issues: ['instances[0]: missing required key topic'],
  },
  {
    id: 'typo in the second instance: unknown key and missing topic',
    yaml: `${MIN}  - kafka_connect_str: [localhost:9092]\n    topik: insights\n`,
    code: 'CONFIG_INVALID',
    issues: ['instances[1]: missing required key topic', 'instances[1].topik: unknown key (did you mean topic?)'],
  },
  {
    id: 'unknown key with no close match lists the allowed keys',
    yaml: withInstance('brokers_please: 3'),
    code: 'CONFIG_INVALID',
    issues: [`instances[0].brokers_please: unknown key (allowed keys: ${INSTANCE_KEYS})`],
  },
  {
    id: 'key at the wrong level says where it belongs',
    yaml: withInstance('mechanism: PLAIN', 'log_level: debug'),
    code: 'CONFIG_INVALID',
    issues: [
      'instances[0].mechanism: unknown key (mechanism belongs in instances[0].sasl)',
      'instances[0].log_level: unknown key (log_level belongs in init_config)',
    ],
  },
  {
    id: 'sasl mechanism enum',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: SCRAM, username: u, password_env: KAFKA_PASSWORD}'),
    env: { KAFKA_PASSWORD: 'env-secret-value' },
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl.mechanism: must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (got "SCRAM")'],
  },
  {
    id: 'sasl missing username',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: PLAIN, password_env: KAFKA_PASSWORD}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl: missing required key username'],
  },
  {
    id: 'integer given as text',
    yaml: withInstance('dogstatsd: {port: abc}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd.port: must be integer (got "abc")'],
  },
  {
    id: 'port out of range',
    yaml: withInstance('dogstatsd: {port: 70000}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd.port: must be at most 65535 (got 70000)'],
  },
  {
    id: 'boolean given as yes (YAML 1.2)',
    yaml: withInstance('tag_request_id: yes'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tag_request_id: must be true or false (got "yes")'],
  },
  {
    id: 'broker without port',
    yaml: 'instances:\n  - kafka_connect_str: [localhost, "kafka:9092"]\n    topic: insights\n',
    code: 'CONFIG_INVALID',
    issues: ['instances[0].kafka_connect_str[0]: must be host:port (got "localhost")'],
  },
  {
    // One string is accepted since 1.1.0 (comma-separated, config.connectStr.test.ts).
    id: 'brokers as a mapping instead of a list or string',
    yaml: 'instances:\n  - kafka_connect_str: {localhost: 9092}\n    topic: insights\n',
    code: 'CONFIG_INVALID',
    issues: ['instances[0].kafka_connect_str: must be list or string (got a mapping)'],
  },
  {
    id: 'no brokers',
    yaml: 'instances:\n  - kafka_connect_str: []\n    topic: insights\n',
    code: 'CONFIG_INVALID',
    issues: ['instances[0].kafka_connect_str: must have at least 1 entry (got an empty list)'],
  },
  {
    id: 'bad topic name',
    yaml: 'instances:\n  - kafka_connect_str: [localhost:9092]\n    topic: "my topic"\n',
    code: 'CONFIG_INVALID',
    issues: [`instances[0].topic: must be a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-') (got "my topic")`],
  },
  {
    id: 'bad tag and empty consumer group',
    yaml: withInstance('tags: ["team ml"]', 'consumer_group: ""'),
    code: 'CONFIG_INVALID',
    issues: [
      'instances[0].consumer_group: must not be empty (got "")',
      `instances[0].tags[0]: must be a tag such as key:value (starts with a letter, at most 200 characters, no spaces, ',', '|' or '#') (got "team ml")`,
    ],
  },
  {
    id: 'prefix without trailing dot',
    yaml: withInstance('prefix: algorithmia'),
    code: 'CONFIG_INVALID',
    issues: [`instances[0].prefix: must be a metric name prefix ending in '.' (letters, digits, '_' and '.', starting with a letter) (got "algorithmia")`],
  },
  {
    id: 'metric_types value and odd key',
    yaml: withInstance('metric_types: {"risk.score": summary}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].metric_types["risk.score"]: must be one of gauge, count, histogram, distribution (got "summary")'],
  },
  {
    id: 'allowlist regex that does not compile',
    yaml: withInstance('metric_allowlist: ["(risk"]', 'metric_denylist: ["^debug\\\\Z"]'),
    code: 'CONFIG_INVALID',
    issues: [
      'instances[0].metric_allowlist[0]: must be a valid regular expression: Invalid regular expression: /(risk/: Unterminated group (got "(risk")',
      'instances[0].metric_denylist[0]: must be a valid regular expression: \\Z is not a JavaScript anchor, use $ (got "^debug\\\\Z")',
    ],
  },
  {
    id: 'secret of the wrong type is masked',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: PLAIN, username: u, password: [hunter2-inline]}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl.password: must be string (got ***)'],
  },
  {
    id: 'timeouts below their minimum',
    yaml: withInstance('session_timeout_ms: 10', 'max_wait_ms: -1'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].session_timeout_ms: must be at least 1000 (got 10)', 'instances[0].max_wait_ms: must be at least 0 (got -1)'],
  },
  // --- cross-field rules
  {
    id: 'SASL protocol without sasl',
    yaml: withInstance('security_protocol: SASL_SSL'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0]: missing required key sasl (security_protocol is SASL_SSL)'],
  },
  {
    id: 'sasl with the default PLAINTEXT',
    yaml: withInstance('sasl: {mechanism: PLAIN, username: u, password_env: KAFKA_PASSWORD}'),
    env: { KAFKA_PASSWORD: 'env-secret-value' },
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl: only used with security_protocol SASL_PLAINTEXT or SASL_SSL (got security_protocol: PLAINTEXT, the default)'],
  },
  {
    id: 'sasl with SSL',
    yaml: withInstance('security_protocol: SSL', 'sasl: {mechanism: PLAIN, username: u, password_env: KAFKA_PASSWORD}'),
    env: { KAFKA_PASSWORD: 'env-secret-value' },
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl: only used with security_protocol SASL_PLAINTEXT or SASL_SSL (got security_protocol: SSL)'],
  },
  {
    id: 'sasl without a password',
    yaml: withInstance('security_protocol: SASL_PLAINTEXT', 'sasl: {mechanism: PLAIN, username: u}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl: missing password; set one of password, password_env, password_file'],
  },
  {
    id: 'sasl with two passwords',
    yaml: withInstance('security_protocol: SASL_PLAINTEXT', `sasl: {mechanism: PLAIN, username: u, password: hunter2-inline, password_file: ${f('password.txt')}}`),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].sasl: set only one of password, password_env, password_file (got password and password_file)'],
  },
  {
    id: 'two key passphrases',
    yaml: withInstance(
      'security_protocol: SSL',
      `tls: {cert_file: ${f('cert.pem')}, key_file: ${f('key.pem')}, key_passphrase: pass-phrase-value, key_passphrase_env: PASS}`,
    ),
    env: { PASS: 'pass-phrase-value' },
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: set only one of key_passphrase, key_passphrase_env, key_passphrase_file (got key_passphrase and key_passphrase_env)'],
  },
  {
    id: 'cert_file without key_file',
    yaml: withInstance('security_protocol: SSL', `tls: {cert_file: ${f('cert.pem')}}`),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: cert_file is set but key_file is not (mutual TLS needs both)'],
  },
  {
    id: 'key_file without cert_file',
    yaml: withInstance('security_protocol: SSL', `tls: {key_file: ${f('key.pem')}}`),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: key_file is set but cert_file is not (mutual TLS needs both)'],
  },
  {
    id: 'passphrase without key_file',
    yaml: withInstance('security_protocol: SSL', `tls: {key_passphrase_file: ${f('passphrase.txt')}}`),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: key_passphrase_file is set but key_file is not'],
  },
  {
    id: 'tls with SASL_PLAINTEXT',
    yaml: withInstance('security_protocol: SASL_PLAINTEXT', 'sasl: {mechanism: PLAIN, username: u, password_env: P}', `tls: {ca_file: ${f('ca.pem')}}`),
    env: { P: 'env-secret-value' },
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: only used with security_protocol SSL or SASL_SSL (got security_protocol: SASL_PLAINTEXT)'],
  },
  {
    id: 'tls with the default PLAINTEXT',
    yaml: withInstance('tls: {verify: false}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls: only used with security_protocol SSL or SASL_SSL (got security_protocol: PLAINTEXT, the default)'],
  },
  {
    id: 'dogstatsd url and socket',
    yaml: withInstance('dogstatsd: {url: "udp://localhost:8125", socket: /var/run/datadog/dsd.socket}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd: set only one of url, socket, host/port (got url and socket); host and port are for UDP only'],
  },
  {
    id: 'dogstatsd socket and port',
    yaml: withInstance('dogstatsd: {socket: /var/run/datadog/dsd.socket, port: 8125}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd: set only one of url, socket, host/port (got socket and port); host and port are for UDP only'],
  },
  {
    id: 'dogstatsd url and host/port',
    yaml: withInstance('dogstatsd: {url: "unix:///var/run/datadog/dsd.socket", host: agent, port: 8125}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd: set only one of url, socket, host/port (got url and host/port); host and port are for UDP only'],
  },
  {
    id: 'dogstatsd url of the wrong scheme',
    yaml: withInstance('dogstatsd: {url: "tcp://localhost:8125"}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd.url: must be udp://host:port or unix:///path/to/socket (got "tcp://localhost:8125")'],
  },
  {
    id: 'dogstatsd url port out of range',
    yaml: withInstance('dogstatsd: {url: "udp://localhost:0"}'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dogstatsd.url: port must be a number from 1 to 65535 (got "udp://localhost:0")'],
  },
  {
    id: 'heartbeat not below the session timeout',
    yaml: withInstance('session_timeout_ms: 6000', 'heartbeat_interval_ms: 6000'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].heartbeat_interval_ms: must be below session_timeout_ms, 6000 (got 6000)'],
  },
  {
    id: 'dead letters to the topic itself',
    yaml: withInstance('dead_letter_topic: insights'),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].dead_letter_topic: must differ from topic (got "insights")'],
  },
  // --- secrets
  {
    id: 'password_env names an unset variable',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: SCRAM-SHA-512, username: u, password_env: KAFKA_PASSWORD}'),
    code: 'SECRET_UNAVAILABLE',
    issues: ['instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is not set'],
  },
  {
    id: 'password_env names an empty variable',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: SCRAM-SHA-512, username: u, password_env: KAFKA_PASSWORD}'),
    env: { KAFKA_PASSWORD: '' },
    code: 'SECRET_UNAVAILABLE',
    issues: ['instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is empty'],
  },
  {
    id: 'password_file missing',
    yaml: withInstance('security_protocol: SASL_SSL', `sasl: {mechanism: SCRAM-SHA-512, username: u, password_file: ${f('nope.txt')}}`),
    code: 'SECRET_UNAVAILABLE',
    issues: [`instances[0].sasl.password_file: cannot read ${f('nope.txt')} (ENOENT: no such file or directory)`],
  },
  {
    id: 'password_file empty',
    yaml: withInstance('security_protocol: SASL_SSL', `sasl: {mechanism: SCRAM-SHA-512, username: u, password_file: ${f('empty.txt')}}`),
    code: 'SECRET_UNAVAILABLE',
    issues: [`instances[0].sasl.password_file: ${f('empty.txt')} is empty`],
  },
  {
    id: 'password_file relative to the config file',
    yaml: withInstance('security_protocol: SASL_SSL', 'sasl: {mechanism: SCRAM-SHA-512, username: u, password_file: secrets/pw.txt}'),
    code: 'SECRET_UNAVAILABLE',
    issues: [`instances[0].sasl.password_file: cannot read ${f('secrets/pw.txt')} (ENOENT: no such file or directory)`],
  },
  {
    id: 'ca_file and key_passphrase_file unreadable, cert not PEM',
    yaml: withInstance(
      'security_protocol: SSL',
      `tls: {ca_file: ${f('nope.pem')}, cert_file: ${f('not-pem.txt')}, key_file: ${f('key.pem')}, key_passphrase_file: ${dir}}`,
    ),
    code: 'SECRET_UNAVAILABLE',
    issues: [
      `instances[0].tls.ca_file: cannot read ${f('nope.pem')} (ENOENT: no such file or directory)`,
      `instances[0].tls.cert_file: ${f('not-pem.txt')} is not a PEM file (no -----BEGIN line)`,
      `instances[0].tls.key_passphrase_file: cannot read ${dir} (EISDIR: illegal operation on a directory)`,
    ],
  },
  {
    id: 'encrypted key without passphrase',
    yaml: withInstance('security_protocol: SSL', `tls: {cert_file: ${f('cert.pem')}, key_file: ${f('enc-key.pem')}}`),
    code: 'CONFIG_INVALID',
    issues: ['instances[0].tls.key_file: the key is encrypted; set key_passphrase_env or key_passphrase_file'],
  },
  // --- environment
  {
    id: 'malformed DD_DOGSTATSD_URL',
    yaml: MIN,
    env: { DD_DOGSTATSD_URL: 'localhost:8125' },
    code: 'CONFIG_INVALID',
    issues: ['environment variable DD_DOGSTATSD_URL: must be udp://host:port or unix:///path/to/socket (got "localhost:8125")'],
  },
  {
    id: 'DD_DOGSTATSD_URL with a bad port',
    yaml: MIN,
    env: { DD_DOGSTATSD_URL: 'udp://agent:99999' },
    code: 'CONFIG_INVALID',
    issues: ['environment variable DD_DOGSTATSD_URL: port must be a number from 1 to 65535 (got "udp://agent:99999")'],
  },
  {
    id: 'malformed DD_DOGSTATSD_PORT',
    yaml: MIN,
    env: { DD_DOGSTATSD_PORT: '8125/udp' },
    code: 'CONFIG_INVALID',
    issues: ['environment variable DD_DOGSTATSD_PORT: must be a port number from 1 to 65535 (got "8125/udp")'],
  },
  {
    id: 'DD_AGENT_HOST with a port',
    yaml: MIN,
    env: { DD_AGENT_HOST: 'agent:8125' },
    code: 'CONFIG_INVALID',
    issues: ['environment variable DD_AGENT_HOST: must be a host name or IP address, without port or scheme (got "agent:8125")'],
  },
  {
    id: 'bad DD_TAGS entry and DD_ENV value',
    yaml: MIN,
    env: { DD_TAGS: 'team:ml,1bad|tag', DD_ENV: 'my env' },
    code: 'CONFIG_INVALID',
    issues: [
      `environment variable DD_ENV: must make a valid tag env:<value>; a tag starts with a letter and has at most 200 characters, no spaces, ',', '|' or '#' (got "my env")`,
      `environment variable DD_TAGS: a tag starts with a letter and has at most 200 characters, no spaces, ',', '|' or '#' (got "1bad|tag")`,
    ],
  },
  // --- every problem at once, instance by instance, then the environment
  {
    id: 'several problems in several places',
    yaml: `init_config:
  log_format: xml
instances:
  - kafka_connect_str: [localhost:9092]
    topic: insights
    security_protocol: SASL_SSL
    sasl: {mechanism: PLAIN, username: u, password_env: MISSING_VAR}
    heartbeat_interval_ms: 40000
  - topic: second
    sesion_timeout_ms: 1
`,
    env: { DD_DOGSTATSD_PORT: 'x' },
    code: 'CONFIG_INVALID',
    issues: [
      'init_config.log_format: must be one of auto, json, pretty (got "xml")',
      'instances[0].heartbeat_interval_ms: must be below session_timeout_ms, 30000 (got 40000)',
      'instances[0].sasl.password_env: environment variable MISSING_VAR is not set',
      'instances[1]: missing required key kafka_connect_str',
      'instances[1].sesion_timeout_ms: unknown key (did you mean session_timeout_ms?)',
      'environment variable DD_DOGSTATSD_PORT: must be a port number from 1 to 65535 (got "x")',
    ],
  },
];

describe('bad config files', () => {
  it.each(BAD.map((b) => [b.id, b] as const))('%s', (_id, b) => {
    const err = failure(b.yaml, b.env ?? {});
    expect({ code: err.code, issues: err.issues }).toEqual({ code: b.code, issues: b.issues });
    expect(err.file).toBe(CONF);
    expect(err.message.startsWith(`${CONF}: `)).toBe(true);
    for (const s of SECRETS) expect(err.message).not.toContain(s);
  });

  it('the message lists every problem on its own line', () => {
    const err = failure(withInstance('topik: x', 'prefix: 5'));
    expect(err.message).toBe(
      `${CONF}: 2 problems:\n  - instances[0].topik: unknown key (did you mean topic?)\n  - instances[0].prefix: must be string (got 5)`,
    );
  });
});

describe('valid config files', () => {
  it('applies every default to a minimal file (init_config: with nothing after it)', () => {
    const cfg = parseConfig(MIN, CONF, {});
    expect(cfg.file).toBe(CONF);
    expect(cfg.init).toEqual({ log_level: 'info', log_format: 'auto', telemetry_interval_seconds: 15, shutdown_timeout_seconds: 25, health_host: '127.0.0.1' });
    expect(cfg.instances).toHaveLength(1);
    const i = cfg.instances[0];
    expect(i).toMatchObject({
      index: 0,
      name: 'insights',
      kafka_connect_str: ['localhost:9092'],
      topic: 'insights',
      consumer_group: 'algorithmia-insights-datadog',
      client_id: 'algorithmia-insights-datadog',
      start_from: 'latest',
      security_protocol: 'PLAINTEXT',
      prefix: 'algorithmia.',
      default_metric_type: 'distribution',
      metric_types: {},
      tag_request_id: false,
      tag_session_id: false,
      use_message_time: false,
      max_message_bytes: 25600,
      metric_allowlist: [],
      metric_denylist: [],
      cardinality: { max_metric_names_per_algorithm: 50, max_versions_per_algorithm: 50, window_seconds: 3600 },
      session_timeout_ms: 30000,
      heartbeat_interval_ms: 3000,
      metricTags: [],
      telemetryTags: [],
    });
    expect(i.dogstatsd).toEqual({ protocol: 'udp', host: 'localhost', port: 8125, maxDatagramBytes: 1432, originDetection: false, clientTelemetry: true, packValues: true, source: 'default' });
    expect(i).not.toHaveProperty('tags');
    expect(i).not.toHaveProperty('saslPassword');
    expect(i).not.toHaveProperty('tlsFiles');
  });

  it('accepts a file without init_config', () => {
    const cfg = parseConfig(MIN.replace('init_config:\n', ''), CONF, {});
    expect(cfg.init.log_level).toBe('info');
    expect(cfg.init.telemetry_interval_seconds).toBe(15);
  });

  it('names instances by topic, with the index when two share one', () => {
    const yaml = `${MIN}  - {kafka_connect_str: ["b:9092"], topic: insights}\n  - {kafka_connect_str: ["b:9092"], topic: other}\n`;
    expect(parseConfig(yaml, CONF, {}).instances.map((i) => i.name)).toEqual(['insights#0', 'insights#1', 'other']);
  });

  it('does not read process.env when an env object is given', () => {
    const cfg = parseConfig(MIN, CONF, {});
    expect(cfg.instances[0].dogstatsd.source).toBe('default');
  });

  it.each([
    ['inline', 'password: hunter2-inline', {}, 'hunter2-inline'],
    ['from the environment', 'password_env: KAFKA_PASSWORD', { KAFKA_PASSWORD: 'env-secret-value' }, 'env-secret-value'],
    ['from a file (trailing newline dropped)', `password_file: ${f('password.txt')}`, {}, 'file-secret-value'],
    ['from a file with CRLF', `password_file: ${f('password-crlf.txt')}`, {}, 'file-secret-value'],
  ])('resolves the SASL password %s', (_how, line, env, expected) => {
    const cfg = parseConfig(withInstance('security_protocol: SASL_SSL', `sasl: {mechanism: SCRAM-SHA-256, username: u, ${line}}`), CONF, env);
    expect(cfg.instances[0].saslPassword).toBe(expected);
  });

  it('reads TLS files and the key passphrase at load', () => {
    const cfg = parseConfig(
      withInstance(
        'security_protocol: SSL',
        `tls: {ca_file: ${f('ca.pem')}, cert_file: ${f('cert.pem')}, key_file: ${f('key.pem')}, key_passphrase_file: ${f('passphrase.txt')}, server_name: kafka}`,
      ),
      CONF,
      {},
    );
    const i = cfg.instances[0];
    expect(i.tlsFiles).toEqual({
      ca: '-----BEGIN CERTIFICATE-----\nQ0EgY29udGVudHM=\n-----END CERTIFICATE-----\n',
      cert: '-----BEGIN CERTIFICATE-----\nY2VydCBjb250ZW50cw==\n-----END CERTIFICATE-----\n',
      key: '-----BEGIN PRIVATE KEY-----\nKEY-BODY-NOT-FOR-EYES\n-----END PRIVATE KEY-----\n',
      keyPassphrase: 'pass-phrase-value',
    });
    expect(i.tls).toEqual({ ca_file: f('ca.pem'), cert_file: f('cert.pem'), key_file: f('key.pem'), key_passphrase_file: f('passphrase.txt'), server_name: 'kafka', verify: true });
  });

  it('loads a file from disk; relative paths are relative to the file', () => {
    const file = resolve(__dirname, 'fixtures/config/full.yaml');
    const cfg = loadConfig(file, { DD_ENV: 'prod' });
    expect(cfg.file).toBe(file);
    expect(cfg.init).toMatchObject({ log_level: 'debug', health_port: 0 });
    const [a, b] = cfg.instances;
    expect(a.name).toBe('insights#0');
    expect(a.saslPassword).toBe('fixture-kafka-password');
    expect(a.tlsFiles?.ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(a.dogstatsd).toMatchObject({ protocol: 'uds', path: '/var/run/datadog/dsd.socket', maxDatagramBytes: 8192, source: 'config' });
    expect(a.metricTags).toEqual(['env:prod', 'team:ml-platform']);
    expect(a.metric_types).toEqual({ risk_score: 'gauge' });
    expect(b).toMatchObject({ name: 'insights#1', consumer_group: 'second', metricTags: ['env:prod'] });
  });

  it('CONFIG_READ when the file cannot be read', () => {
    const missing = f('missing.yaml');
    let err: unknown;
    try {
      loadConfig(missing, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_READ');
    expect((err as ConfigError).issues).toEqual(['cannot read the config file (ENOENT: no such file or directory)']);
  });

  it('exports the default path', () => {
    expect(DEFAULT_CONFIG_PATH).toBe('/etc/algorithmia-insights/conf.yaml');
  });
});

describe('redactConfig', () => {
  const yaml = `init_config:
instances:
  - kafka_connect_str: [localhost:9092]
    topic: insights
    security_protocol: SASL_SSL
    sasl: {mechanism: PLAIN, username: datadog, password: hunter2-inline}
    tls:
      ca_file: ${f('ca.pem')}
      cert_file: ${f('cert.pem')}
      key_file: ${f('key.pem')}
      key_passphrase: pass-phrase-value
  - kafka_connect_str: [localhost:9092]
    topic: second
    security_protocol: SASL_SSL
    sasl: {mechanism: PLAIN, username: datadog, password_env: KAFKA_PASSWORD}
    tls:
      cert_file: ${f('cert.pem')}
      key_file: ${f('key.pem')}
      key_passphrase_file: ${f('passphrase.txt')}
  - kafka_connect_str: [localhost:9092]
    topic: third
    security_protocol: SASL_PLAINTEXT
    sasl: {mechanism: PLAIN, username: datadog, password_file: ${f('password.txt')}}
    tags: ["note:file-secret-value"]
`;
  const cfg = parseConfig(yaml, CONF, { KAFKA_PASSWORD: 'env-secret-value' });
  const out = redactConfig(cfg) as { instances: Record<string, unknown>[] };
  const json = JSON.stringify(out);

  it('leaves no secret anywhere in the output', () => {
    for (const s of SECRETS) expect(json).not.toContain(s);
  });

  it('shows secrets as *** and keeps the *_env names and *_file paths', () => {
    const [a, b, c] = out.instances;
    expect(a.sasl).toEqual({ mechanism: 'PLAIN', username: 'datadog', password: '***' });
    expect(a.saslPassword).toBe('***');
    expect(a.tls).toMatchObject({ key_passphrase: '***', key_file: f('key.pem') });
    expect(a.tlsFiles).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE'), cert: expect.stringContaining('BEGIN CERTIFICATE'), key: '***', keyPassphrase: '***' });
    expect(b.sasl).toEqual({ mechanism: 'PLAIN', username: 'datadog', password_env: 'KAFKA_PASSWORD' });
    expect(b.tls).toMatchObject({ key_passphrase_file: f('passphrase.txt') });
    expect(b.saslPassword).toBe('***');
    expect(c.sasl).toEqual({ mechanism: 'PLAIN', username: 'datadog', password_file: f('password.txt') });
    // A secret value that turns up elsewhere is masked too.
    expect(c.metricTags).toEqual(['note:***']);
  });

  it('keeps everything else, and does not change the config it is given', () => {
    expect(out.instances[0]).toMatchObject({ name: 'insights', topic: 'insights', dogstatsd: { protocol: 'udp', port: 8125 } });
    expect(cfg.instances[0].saslPassword).toBe('hunter2-inline');
    expect(cfg.instances[0].sasl?.password).toBe('hunter2-inline');
  });
});
