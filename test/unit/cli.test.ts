import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main, parseArgs } from '../../src/cli';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';

describe('parseArgs', () => {
  it.each([
    [['run', '-c', 'x.yaml'], { command: 'run', config: 'x.yaml', dryRun: false, strict: false, json: false }],
    [['run', '--config=x.yaml', '--dry-run'], { command: 'run', config: 'x.yaml', dryRun: true, strict: false, json: false }],
    [['validate'], { command: 'validate', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: false }],
    [['print-config', '--config', 'y'], { command: 'print-config', config: 'y', dryRun: false, strict: false, json: false }],
    [[], { command: 'help', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: false }],
    [['--version'], { command: 'version', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: false }],
    [['validate', '--strict', '-c', 'x'], { command: 'validate', config: 'x', dryRun: false, strict: true, json: false }],
    [['print-config', '--json'], { command: 'print-config', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: true }],
    [['status'], { command: 'status', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: false }],
    [['status', '-c', 'x.yaml', '--json'], { command: 'status', config: 'x.yaml', dryRun: false, strict: false, json: true }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['run', '-c'], /-c needs a file path/],
    [['run', '--bogus'], /unknown argument "--bogus"/],
    [['validate', '--dry-run'], /--dry-run goes with run/],
    [['run', 'extra'], /unknown argument "extra"/],
    [['run', '--json'], /--json goes with print-config or status/],
    [['status', '--dry-run'], /--dry-run goes with run/],
    [['run', '--strict'], /--strict goes with validate/],
    [['print-config', '--strict'], /--strict goes with validate/],
    [['validate', '--json'], /--json goes with print-config or status/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('main: validate and print-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const conf = join(dir, 'conf.yaml');
  let out: string;
  let err: string;
  const saved = { ...process.env };
  beforeEach(() => {
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
    for (const k of Object.keys(process.env)) if (k.startsWith('DD_') || k === 'KAFKA_PASSWORD') delete process.env[k];
    // `run` must not re-execute the test runner to cap the young generation (Node 22.15+).
    process.env.ALGORITHMIA_INSIGHTS_REEXEC = '1';
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string, mode: number): void => {
    writeFileSync(conf, text);
    chmodSync(conf, mode);
  };
  const sasl = (secret: string) =>
    `init_config:\ninstances:\n  - kafka_connect_str: "localhost:9092"\n    topic: insights\n    security_protocol: SASL_PLAINTEXT\n    sasl: {mechanism: PLAIN, username: u, ${secret}}\n`;

  it('validate: OK, then a WARN line per finding, exit 0', async () => {
    write(sasl('password: hunter2-inline'), 0o644);
    expect(await main(['validate', '-c', conf])).toBe(0);
    expect(out).toBe(
      `OK: ${conf} (1 instance)\n` +
        "WARN instances[0].sasl.password: a clear-text secret in a file every user can read (mode 0644); use password_env or password_file, or chmod 600 (640 with the service's group)\n",
    );
    expect(err).toBe('');
  });

  it('validate --strict: the warnings are errors, exit 2', async () => {
    write(sasl('password: hunter2-inline'), 0o644);
    expect(await main(['validate', '--strict', '-c', conf])).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `Invalid configuration (--strict makes warnings errors): ${conf}: instances[0].sasl.password: a clear-text secret in a file every user can read (mode 0644); use password_env or password_file, or chmod 600 (640 with the service's group)\n`,
    );
  });

  it('validate --strict with nothing to warn about: OK, exit 0', async () => {
    write(sasl('password: hunter2-inline'), 0o600);
    expect(await main(['validate', '--strict', '-c', conf])).toBe(0);
    expect(out).toBe(`OK: ${conf} (1 instance)\n`);
  });

  it('an unset password_env: validate warns (exit 0), run still exits 2', async () => {
    write(sasl('password_env: KAFKA_PASSWORD'), 0o640);
    expect(await main(['validate', '-c', conf])).toBe(0);
    expect(out).toBe(
      `OK: ${conf} (1 instance)\n` +
        "WARN instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is not set in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)\n",
    );
    out = '';
    expect(await main(['run', '-c', conf])).toBe(2);
    expect(err).toBe(`Invalid configuration: ${conf}: instances[0].sasl.password_env: environment variable KAFKA_PASSWORD is not set\n`);
    process.env.KAFKA_PASSWORD = 'env-secret-value';
    expect(await main(['validate', '--strict', '-c', conf])).toBe(0);
  });

  it('print-config: YAML by default, the resolved JSON with --json; never the secret', async () => {
    write(sasl('password: hunter2-inline'), 0o600);
    process.env.DD_AGENT_HOST = '10.0.0.5';
    expect(await main(['print-config', '-c', conf])).toBe(0);
    expect(out).not.toContain('hunter2-inline');
    expect(out).toContain('      host: localhost # DD_AGENT_HOST=10.0.0.5 overrides this at run time\n');
    const yaml = parse(out) as { instances: { kafka_connect_str: string[]; sasl: unknown }[] };
    expect(yaml.instances[0].kafka_connect_str).toEqual(['localhost:9092']);
    expect(yaml.instances[0].sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: '***' });
    out = '';
    expect(await main(['print-config', '--json', '-c', conf])).toBe(0);
    expect(out).not.toContain('hunter2-inline');
    const json = JSON.parse(out) as { instances: { saslPassword: string; dogstatsd: { host: string } }[] };
    expect(json.instances[0].saslPassword).toBe('***');
    expect(json.instances[0].dogstatsd.host).toBe('10.0.0.5');
  });
});
