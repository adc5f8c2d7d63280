import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfigDetailed } from '../../src/config/load';
import { printConfigYaml } from '../../src/config/printYaml';

const dir = mkdtempSync(join(tmpdir(), 'config-print-'));
const f = (name: string): string => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Secret values: none may appear anywhere in the output. */
const INLINE = 'hunter2-inline';
const ENV_SECRET = 'env-secret-value';
const PASSPHRASE = 'pass-phrase-value';
const KEY_BODY = 'KEY-BODY-NOT-FOR-EYES';
writeFileSync(f('ca.pem'), '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n');
writeFileSync(f('cert.pem'), '-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n');
writeFileSync(f('key.pem'), `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${KEY_BODY}\n-----END ENCRYPTED PRIVATE KEY-----\n`);
writeFileSync(f('passphrase'), `${PASSPHRASE}\n`);

const CONF = f('conf.yaml');
const TEXT = `init_config:
  health_port: 8080
instances:
  - kafka_connect_str: "k1:9092, k2:9092"
    topic: insights
    security_protocol: SASL_SSL
    sasl:
      mechanism: SCRAM-SHA-512
      username: svc
      password: ${INLINE}
    tls:
      ca_file: ca.pem
      cert_file: cert.pem
      key_file: key.pem
      key_passphrase_file: passphrase
    tags: [team:ml-platform]
    metric_types: {risk_score: gauge}
    drift: {state_file: state/drift.json}
  - kafka_connect_str: [k3:9092]
    topic: other
    security_protocol: SASL_PLAINTEXT
    sasl: {mechanism: PLAIN, username: u, password_env: KAFKA_PASSWORD}
    dogstatsd: {url: "unix:///var/run/datadog/dsd.socket", max_datagram_bytes: 4096}
`;

const ENV = {
  KAFKA_PASSWORD: ENV_SECRET,
  DD_AGENT_HOST: '10.0.0.5',
  DD_DOGSTATSD_PORT: '9125',
  DD_ENV: 'prod',
  DD_TAGS: 'team:ml,region:eu',
  DD_SERVICE: 'insights-forwarder',
};

const print = (text: string, env: NodeJS.ProcessEnv): string => printConfigYaml(parseConfigDetailed(text, CONF, env, { deferUnsetEnvSecrets: true }), env);

describe('print-config as YAML', () => {
  const out = print(TEXT, ENV);

  it('never prints a secret value, a secret file or the variable behind password_env', () => {
    for (const secret of [INLINE, ENV_SECRET, PASSPHRASE, KEY_BODY]) expect(out).not.toContain(secret);
  });

  it("is conf.yaml's shape and key names, defaults written out, secrets as ***, files by path", () => {
    const doc = parse(out) as { init_config: Record<string, unknown>; instances: Record<string, Record<string, unknown>>[] };
    expect(Object.keys(doc)).toEqual(['init_config', 'instances']);
    expect(doc.init_config).toEqual({
      log_level: 'info',
      log_format: 'auto',
      telemetry_interval_seconds: 15,
      shutdown_timeout_seconds: 25,
      health_port: 8080,
      health_host: '127.0.0.1',
    });
    const [a, b] = doc.instances;
    expect(a.kafka_connect_str).toEqual(['k1:9092', 'k2:9092']);
    expect(a.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'svc', password: '***' });
    expect(a.tls).toEqual({ ca_file: f('ca.pem'), cert_file: f('cert.pem'), key_file: f('key.pem'), key_passphrase_file: f('passphrase'), verify: true });
    expect(a.drift).toEqual({
      enabled: true,
      field_health: true,
      interval_seconds: 60,
      baselines: ['trailing', 'previous_version'],
      min_samples: 500,
      max_series: 1000,
      state_file: f('state/drift.json'),
    });
    expect(a.consumer_group).toBe('algorithmia-insights-datadog');
    expect(a.tags).toEqual(['team:ml-platform']);
    expect(a.metric_types).toEqual({ risk_score: 'gauge' });
    expect(a.dogstatsd).toEqual({ host: 'localhost', port: 8125, pack_values: true, origin_detection: false, client_telemetry: true });
    expect(b.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password_env: 'KAFKA_PASSWORD' });
    // One target way: the schema's host/port defaults are not printed beside a url.
    expect(b.dogstatsd).toEqual({ url: 'unix:///var/run/datadog/dsd.socket', max_datagram_bytes: 4096, pack_values: true, origin_detection: false, client_telemetry: true });
    // No resolved-only field (camelCase) leaks in.
    expect(out).not.toMatch(/saslPassword|tlsFiles|metricTags|telemetryTags|maxDatagramBytes|^\s*(index|name|init|file):/m);
  });

  it('shows DD_* variables as comments beside their keys, not applied', () => {
    const lines = out.split('\n');
    expect(lines).toContain('      host: localhost # DD_AGENT_HOST=10.0.0.5 overrides this at run time');
    expect(lines).toContain('      port: 8125 # DD_DOGSTATSD_PORT=9125 overrides this at run time');
    expect(lines).toContain(
      '      url: unix:///var/run/datadog/dsd.socket # DD_AGENT_HOST=10.0.0.5, DD_DOGSTATSD_PORT=9125 override this at run time (DogStatsD at udp://10.0.0.5:9125)',
    );
    expect(lines.filter((l) => l === '    # DD_ENV=prod, DD_TAGS=team:ml,region:eu add env:prod, team:ml, region:eu to every metric at run time')).toHaveLength(2);
    expect(lines).toContain("    # DD_SERVICE=insights-forwarder adds service:insights-forwarder to the forwarder's own telemetry");
  });

  it('without DD_* variables, no comment but the header', () => {
    const plain = print(TEXT, { KAFKA_PASSWORD: ENV_SECRET });
    expect(plain.split('\n').filter((l) => l.includes('#'))).toEqual([
      `# The configuration in ${CONF}, as the forwarder reads it (algorithmia-insights print-config):`,
      '# every default written out, secrets as ***, files by path. DD_* environment variables are shown',
      '# as comments beside the keys they override and are not applied here.',
    ]);
  });

  it('round trip: the output with *** filled in validates and prints the same again, and applies DD_* only once', () => {
    expect(out.match(/"\*\*\*"/g)).toHaveLength(1);
    const filled = out.replace('"***"', `"${INLINE}"`);
    writeFileSync(CONF, filled);
    const again = parseConfigDetailed(filled, CONF, ENV);
    expect(printConfigYaml(again, ENV)).toBe(out);

    // The same environment gives the same effective config as the original file...
    const original = parseConfigDetailed(TEXT, CONF, ENV).config;
    const strip = (c: typeof original) => c.instances.map(({ dogstatsd, metricTags, telemetryTags, saslPassword, tlsFiles, kafka_connect_str }) => ({ dogstatsd, metricTags, telemetryTags, saslPassword, tlsFiles, kafka_connect_str }));
    expect(strip(again.config)).toEqual(strip(original));
    // ...and the printed values themselves carry nothing from the environment.
    const bare = parseConfigDetailed(filled, CONF, { KAFKA_PASSWORD: ENV_SECRET }).config;
    expect(bare.instances[0].dogstatsd).toMatchObject({ protocol: 'udp', host: 'localhost', port: 8125, source: 'config' });
    expect(bare.instances[1].dogstatsd).toMatchObject({ protocol: 'uds', path: '/var/run/datadog/dsd.socket', source: 'config' });
    expect(bare.instances[0].metricTags).toEqual(['team:ml-platform']);
  });

  it('masks a secret value wherever else it appears', () => {
    const text = TEXT.replace('username: svc', `username: ${INLINE}-user`);
    expect(print(text, ENV)).not.toContain(INLINE);
  });
});
