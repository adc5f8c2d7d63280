import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFindings, formatFinding, type ConfigProbe, type PathInfo } from '../../src/config/findings';
import { parseConfigDetailed } from '../../src/config/load';
import { systemProbe } from '../../src/config/probe';

/** The config's folder holds real PEM files: loading reads them. */
const confDir = mkdtempSync(join(tmpdir(), 'config-findings-conf-'));
const CONF = join(confDir, 'conf.yaml');
writeFileSync(join(confDir, 'c.pem'), '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n');
writeFileSync(join(confDir, 'k.pem'), '-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n');
afterAll(() => rmSync(confDir, { recursive: true, force: true }));
const SOCKET = '/var/run/datadog/dsd.socket';
const STATE_DIR = '/var/lib/algorithmia-insights';

/** A fake file system: path -> what stat says; everything else is ENOENT. */
interface World {
  env?: NodeJS.ProcessEnv;
  paths?: Record<string, PathInfo>;
  notWritable?: string[];
}

const probeOf = (w: World): ConfigProbe => ({
  env: (name) => w.env?.[name],
  stat: (p) => w.paths?.[p] ?? { code: 'ENOENT' },
  writableDir: (d) => !(w.notWritable ?? []).includes(d),
});

/** A config file at 0640 and the folders a clean setup has. */
const CLEAN: Record<string, PathInfo> = {
  [CONF]: { kind: 'file', mode: 0o100640 },
  [STATE_DIR]: { kind: 'dir', mode: 0o40700 },
  [SOCKET]: { kind: 'socket', mode: 0o140777 },
};

const instance = (...lines: string[]): string =>
  `init_config:\ninstances:\n  - kafka_connect_str: k1:9092\n    topic: insights\n${lines.map((l) => `    ${l}\n`).join('')}`;

const SASL_ENV = ['security_protocol: SASL_SSL', 'sasl: {mechanism: PLAIN, username: u, password_env: KAFKA_PASSWORD}'];
const SASL_CLEAR = ['security_protocol: SASL_SSL', 'sasl: {mechanism: PLAIN, username: u, password: hunter2-inline}'];
const STATE = [`drift: {state_file: ${STATE_DIR}/drift.json}`];

/** The findings for a config text in a world; load env = the world's env (validate's load defers unset *_env). */
function findings(text: string, w: World): string[] {
  const env = w.env ?? {};
  const loaded = parseConfigDetailed(text, CONF, env, { deferUnsetEnvSecrets: true });
  return configFindings(loaded.given, loaded.config, probeOf({ ...w, env })).map(formatFinding);
}

describe('validate findings (pure, by table)', () => {
  const cases: { id: string; text: string; world: World; expected: string[] }[] = [
    {
      id: 'a clean config: nothing',
      text: instance(...SASL_ENV, ...STATE, `dogstatsd: {socket: ${SOCKET}}`),
      world: { env: { KAFKA_PASSWORD: 'x' }, paths: CLEAN },
      expected: [],
    },
    {
      id: 'the minimal config: nothing',
      text: instance(),
      world: { paths: { [CONF]: { kind: 'file', mode: 0o100644 } } },
      expected: [],
    },
    {
      id: 'clear-text password in a world-readable file',
      text: instance(...SASL_CLEAR),
      world: { paths: { ...CLEAN, [CONF]: { kind: 'file', mode: 0o100644 } } },
      expected: [
        "instances[0].sasl.password: a clear-text secret in a file every user can read (mode 0644); use password_env or password_file, or chmod 600 (640 with the service's group)",
      ],
    },
    {
      id: 'clear-text password in a 0640 file: nothing',
      text: instance(...SASL_CLEAR),
      world: { paths: CLEAN },
      expected: [],
    },
    {
      id: 'clear-text TLS key passphrase in a world-readable file',
      text: instance('security_protocol: SSL', 'tls: {cert_file: c.pem, key_file: k.pem, key_passphrase: pass-phrase-value}'),
      world: { paths: { ...CLEAN, [CONF]: { kind: 'file', mode: 0o100604 } } },
      expected: [
        "instances[0].tls.key_passphrase: a clear-text secret in a file every user can read (mode 0604); use key_passphrase_env or key_passphrase_file, or chmod 600 (640 with the service's group)",
      ],
    },
    {
      id: 'password_env not set in this shell',
      text: instance(...SASL_ENV),
      world: { paths: CLEAN },
      expected: [
        "instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is not set in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)",
      ],
    },
    {
      id: 'password_env empty in this shell',
      text: instance(...SASL_ENV),
      world: { env: { KAFKA_PASSWORD: '' }, paths: CLEAN },
      expected: [
        "instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is empty in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)",
      ],
    },
    {
      id: 'key_passphrase_env not set',
      text: instance('security_protocol: SSL', 'tls: {cert_file: c.pem, key_file: k.pem, key_passphrase_env: KEY_PASS}'),
      world: { paths: CLEAN },
      expected: [
        "instances[0].tls.key_passphrase_env: environment variable KEY_PASS is not set in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)",
      ],
    },
    {
      id: 'state file folder missing',
      text: instance(...STATE),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [`instances[0].drift.state_file: its folder ${STATE_DIR} does not exist; drift state will not be kept across restarts`],
    },
    {
      id: 'state file folder not writable',
      text: instance(...STATE),
      world: { paths: CLEAN, notWritable: [STATE_DIR] },
      expected: [`instances[0].drift.state_file: its folder ${STATE_DIR} is not writable by this user; drift state will not be kept across restarts`],
    },
    {
      id: 'state file folder is a file',
      text: instance(...STATE),
      world: { paths: { ...CLEAN, [STATE_DIR]: { kind: 'file', mode: 0o100600 } } },
      expected: [`instances[0].drift.state_file: ${STATE_DIR} is not a folder; drift state will not be kept across restarts`],
    },
    {
      id: 'state file with drift scores and field health off: not used, nothing',
      text: instance(`drift: {enabled: false, field_health: false, state_file: ${STATE_DIR}/drift.json}`),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [],
    },
    {
      id: 'state file with drift scores off but field health on: still used',
      text: instance(`drift: {enabled: false, state_file: ${STATE_DIR}/drift.json}`),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [`instances[0].drift.state_file: its folder ${STATE_DIR} does not exist; drift state will not be kept across restarts`],
    },
    {
      id: 'dogstatsd.socket missing',
      text: instance(`dogstatsd: {socket: ${SOCKET}}`),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [`instances[0].dogstatsd.socket: the DogStatsD socket ${SOCKET} does not exist yet (is the Agent running with dogstatsd_socket set?)`],
    },
    {
      id: 'unix:// url missing',
      text: instance(`dogstatsd: {url: "unix://${SOCKET}"}`),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [`instances[0].dogstatsd.url: the DogStatsD socket ${SOCKET} does not exist yet (is the Agent running with dogstatsd_socket set?)`],
    },
    {
      id: 'DD_DOGSTATSD_SOCKET missing: named once for two instances',
      text: `${instance()}  - {kafka_connect_str: [k2:9092], topic: other}\n`,
      world: { env: { DD_DOGSTATSD_SOCKET: SOCKET }, paths: { [CONF]: CLEAN[CONF] } },
      expected: [`environment variable DD_DOGSTATSD_SOCKET: the DogStatsD socket ${SOCKET} does not exist yet (is the Agent running with dogstatsd_socket set?)`],
    },
    {
      id: 'DD_DOGSTATSD_URL wins over DD_DOGSTATSD_SOCKET and is named',
      text: instance(),
      world: { env: { DD_DOGSTATSD_URL: 'unix:///run/dsd.sock', DD_DOGSTATSD_SOCKET: SOCKET }, paths: CLEAN },
      expected: ['environment variable DD_DOGSTATSD_URL: the DogStatsD socket /run/dsd.sock does not exist yet (is the Agent running with dogstatsd_socket set?)'],
    },
    {
      id: 'socket folder closed to this user',
      text: instance(`dogstatsd: {socket: ${SOCKET}}`),
      world: { paths: { [CONF]: CLEAN[CONF], [SOCKET]: { code: 'EACCES' } } },
      expected: [`instances[0].dogstatsd.socket: the DogStatsD socket ${SOCKET} cannot be reached by this user (EACCES); see the dd-agent group in deploy/README.md`],
    },
    {
      id: 'socket path is a regular file',
      text: instance(`dogstatsd: {socket: ${SOCKET}}`),
      world: { paths: { ...CLEAN, [SOCKET]: { kind: 'file', mode: 0o100644 } } },
      expected: [`instances[0].dogstatsd.socket: ${SOCKET} is not a Unix socket`],
    },
    {
      id: 'UDP target: no socket finding',
      text: instance('dogstatsd: {host: localhost, port: 8125}'),
      world: { paths: { [CONF]: CLEAN[CONF] } },
      expected: [],
    },
    {
      id: 'every finding, instance by instance',
      text: `${instance(...SASL_CLEAR, ...STATE)}  - kafka_connect_str: [k2:9092]\n    topic: other\n    security_protocol: SASL_SSL\n    sasl: {mechanism: PLAIN, username: u, password_env: KAFKA_PASSWORD}\n    dogstatsd: {socket: ${SOCKET}}\n`,
      world: { paths: { [CONF]: { kind: 'file', mode: 0o100666 } } },
      expected: [
        "instances[0].sasl.password: a clear-text secret in a file every user can read (mode 0666); use password_env or password_file, or chmod 600 (640 with the service's group)",
        `instances[0].drift.state_file: its folder ${STATE_DIR} does not exist; drift state will not be kept across restarts`,
        "instances[1].sasl.password_env: environment variable KAFKA_PASSWORD is not set in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)",
        `instances[1].dogstatsd.socket: the DogStatsD socket ${SOCKET} does not exist yet (is the Agent running with dogstatsd_socket set?)`,
      ],
    },
  ];
  it.each(cases)('$id', ({ text, world, expected }) => {
    expect(findings(text, world)).toEqual(expected);
  });
});

describe('the system probe on a real file system', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-findings-'));
  let server: Server;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'dsd.socket'), resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees the mode of the file, missing folders and sockets', () => {
    const conf = join(dir, 'conf.yaml');
    mkdirSync(join(dir, 'state'));
    const text = `${instance(...SASL_CLEAR, `drift: {state_file: state/drift.json}`, `dogstatsd: {socket: ${join(dir, 'dsd.socket')}}`)}  - kafka_connect_str: [k2:9092]\n    topic: other\n    drift: {state_file: missing/drift.json}\n    dogstatsd: {socket: ${join(dir, 'no.socket')}}\n`;
    writeFileSync(conf, text);
    const run = (): string[] => {
      const loaded = parseConfigDetailed(text, conf, {}, { deferUnsetEnvSecrets: true });
      return configFindings(loaded.given, loaded.config, systemProbe({})).map(formatFinding);
    };
    chmodSync(conf, 0o644);
    expect(run()).toEqual([
      "instances[0].sasl.password: a clear-text secret in a file every user can read (mode 0644); use password_env or password_file, or chmod 600 (640 with the service's group)",
      `instances[1].drift.state_file: its folder ${join(dir, 'missing')} does not exist; drift state will not be kept across restarts`,
      `instances[1].dogstatsd.socket: the DogStatsD socket ${join(dir, 'no.socket')} does not exist yet (is the Agent running with dogstatsd_socket set?)`,
    ]);
    chmodSync(conf, 0o640);
    expect(run()).toHaveLength(2);
  });
});
