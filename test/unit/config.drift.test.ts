import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError } from '../../src/errors';
import { loadConfig, parseConfig } from '../../src/config/load';
import { redactConfig } from '../../src/config/redact';
import type { DriftSettings } from '../../src/config/resolved';
import { configSchema } from '../../src/config/schema';

const dir = mkdtempSync(join(tmpdir(), 'config-drift-'));
const CONF = join(dir, 'conf.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One instance per entry: the lines of its `drift` section (undefined: no drift section; []: `drift: {}`). */
function yaml(...drifts: (string[] | undefined)[]): string {
  const instances = drifts.map((lines, i) => {
    const head = `  - kafka_connect_str: [localhost:9092]\n    topic: t${i}\n`;
    if (lines === undefined) return head;
    return lines.length === 0 ? `${head}    drift: {}\n` : `${head}    drift:\n${lines.map((l) => `      ${l}\n`).join('')}`;
  });
  return `init_config:\ninstances:\n${instances.join('')}`;
}

function failure(text: string): ConfigError {
  try {
    parseConfig(text, CONF, {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

const DEFAULTS: DriftSettings = { enabled: true, fieldHealth: true, intervalMs: 60000, baselines: ['trailing', 'previous_version'], minSamples: 500, maxSeries: 1000 };

describe('drift: defaults and values', () => {
  it.each<[string, string[] | undefined, DriftSettings]>([
    ['no drift section: every default', undefined, DEFAULTS],
    ['empty drift section: every default', [], DEFAULTS],
    ['drift turned off', ['enabled: false'], { ...DEFAULTS, enabled: false }],
    ['field health turned off', ['field_health: false'], { ...DEFAULTS, fieldHealth: false }],
    ['interval in seconds -> intervalMs', ['interval_seconds: 300'], { ...DEFAULTS, intervalMs: 300000 }],
    ['one baseline', ['baselines: [previous_version]'], { ...DEFAULTS, baselines: ['previous_version'] }],
    ['baselines in the order given', ['baselines: [previous_version, trailing]'], { ...DEFAULTS, baselines: ['previous_version', 'trailing'] }],
    ['min_samples and max_series', ['min_samples: 1', 'max_series: 20'], { ...DEFAULTS, minSamples: 1, maxSeries: 20 }],
    ['an absolute state file', ['state_file: /var/lib/algorithmia-insights/drift.json'], { ...DEFAULTS, stateFile: '/var/lib/algorithmia-insights/drift.json' }],
  ])('%s', (_id, lines, expected) => {
    expect(parseConfig(yaml(lines), CONF, {}).instances[0].drift).toEqual(expected);
  });

  it('the defaults are the schema defaults', () => {
    const p = configSchema.properties.instances.items.properties.drift.properties;
    expect(DEFAULTS).toEqual({
      enabled: p.enabled.default,
      fieldHealth: p.field_health.default,
      intervalMs: p.interval_seconds.default * 1000,
      baselines: p.baselines.default,
      minSamples: p.min_samples.default,
      maxSeries: p.max_series.default,
    });
  });

  it('each instance gets a baselines list of its own', () => {
    const [a, b] = parseConfig(yaml(undefined, undefined), CONF, {}).instances;
    expect(a.drift.baselines).toEqual(b.drift.baselines);
    expect(a.drift.baselines).not.toBe(b.drift.baselines);
  });
});

describe('drift: a relative state_file is relative to the config file', () => {
  it.each([
    ['a bare name', 'drift.json', join(dir, 'drift.json')],
    ['a subfolder', 'state/drift.json', join(dir, 'state/drift.json')],
    ['a parent folder', '../drift.json', join(dir, '../drift.json')],
    ['dot segments collapse', './state/../drift.json', join(dir, 'drift.json')],
  ])('%s', (_id, given, expected) => {
    expect(parseConfig(yaml([`state_file: ${given}`]), CONF, {}).instances[0].drift.stateFile).toBe(expected);
  });

  it('from a file on disk, given by a relative path', () => {
    const sub = join(dir, 'etc');
    const file = join(sub, 'conf.yaml');
    mkdirSync(sub, { recursive: true });
    writeFileSync(file, yaml(['state_file: drift-t0.json']));
    const given = relative(process.cwd(), file);
    expect(given.startsWith('/')).toBe(false);
    expect(loadConfig(given, {}).instances[0].drift.stateFile).toBe(join(sub, 'drift-t0.json'));
  });
});

describe('drift: bad values give the key path and what is expected', () => {
  it.each<[string, string, string[]]>([
    ['drift is not a mapping', '    drift: false\n', ['instances[0].drift: must be mapping (got false)']],
    ['drift: with nothing after it', '    drift:\n', ['instances[0].drift: must be mapping (got null)']],
    ['enabled as yes', '    drift: {enabled: yes}\n', ['instances[0].drift.enabled: must be true or false (got "yes")']],
    ['interval of 0', '    drift: {interval_seconds: 0}\n', ['instances[0].drift.interval_seconds: must be at least 1 (got 0)']],
    ['interval not an integer', '    drift: {interval_seconds: 1.5}\n', ['instances[0].drift.interval_seconds: must be integer (got 1.5)']],
    ['interval as text', '    drift: {interval_seconds: 1m}\n', ['instances[0].drift.interval_seconds: must be integer (got "1m")']],
    ['no baselines', '    drift: {baselines: []}\n', ['instances[0].drift.baselines: must have at least 1 entry (got an empty list)']],
    ['baselines as a string', '    drift: {baselines: trailing}\n', ['instances[0].drift.baselines: must be list (got "trailing")']],
    ['unknown baseline', '    drift: {baselines: [trailing, weekly]}\n', ['instances[0].drift.baselines[1]: must be one of trailing, previous_version (got "weekly")']],
    ['a baseline twice', '    drift: {baselines: [trailing, trailing]}\n', ['instances[0].drift.baselines: must not list an entry twice (got "trailing" twice)']],
    ['min_samples of 0', '    drift: {min_samples: 0}\n', ['instances[0].drift.min_samples: must be at least 1 (got 0)']],
    ['max_series below 1', '    drift: {max_series: -5}\n', ['instances[0].drift.max_series: must be at least 1 (got -5)']],
    ['max_series not an integer', '    drift: {max_series: 10.5}\n', ['instances[0].drift.max_series: must be integer (got 10.5)']],
    ['empty state_file', '    drift: {state_file: ""}\n', ['instances[0].drift.state_file: must not be empty (got "")']],
    ['state_file as a list', '    drift: {state_file: [a.json]}\n', ['instances[0].drift.state_file: must be string (got a list of 1)']],
    ['typo in a drift key', '    drift: {min_sample: 10}\n', ['instances[0].drift.min_sample: unknown key (did you mean min_samples?)']],
    ['a drift key at the instance level', '    max_series: 10\n', ['instances[0].max_series: unknown key (max_series belongs in instances[0].drift)']],
    ['a drift key in init_config', '', ['init_config.state_file: unknown key (state_file belongs in instances[].drift)']],
  ])('%s', (id, lines, issues) => {
    const text = id === 'a drift key in init_config' ? yaml(undefined).replace('init_config:\n', 'init_config:\n  state_file: x.json\n') : yaml(undefined) + lines;
    const err = failure(text);
    expect({ code: err.code, issues: err.issues }).toEqual({ code: 'CONFIG_INVALID', issues });
  });
});

describe('drift: two instances may not share a state file', () => {
  const abs = join(dir, 'shared.json');
  it.each<[string, (string[] | undefined)[], string[]]>([
    ['the same absolute path', [[`state_file: ${abs}`], [`state_file: ${abs}`]], ['instances[1].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file']],
    ['relative and absolute forms of one file', [['state_file: shared.json'], undefined, [`state_file: ${abs}`]], ['instances[2].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file']],
    ['written differently', [['state_file: ./state/../shared.json'], ['state_file: shared.json']], ['instances[1].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file']],
    [
      'every later instance names the first',
      [['state_file: a.json'], ['state_file: b.json'], ['state_file: a.json'], ['state_file: b.json'], ['state_file: a.json']],
      [
        'instances[2].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file',
        'instances[3].drift.state_file: the same file as instances[1].drift.state_file; each instance needs its own state file',
        'instances[4].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file',
      ],
    ],
    ['even with drift turned off in one', [['state_file: a.json'], ['enabled: false', 'state_file: a.json']], ['instances[1].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file']],
  ])('%s', (_id, drifts, issues) => {
    const err = failure(yaml(...drifts));
    expect({ code: err.code, issues: err.issues }).toEqual({ code: 'CONFIG_INVALID', issues });
  });

  it.each<[string, (string[] | undefined)[]]>([
    ['different files', [['state_file: a.json'], ['state_file: b.json']]],
    ['one state file, the other instance none', [['state_file: a.json'], undefined]],
    ['no state files at all', [undefined, undefined]],
  ])('accepts %s', (_id, drifts) => {
    expect(parseConfig(yaml(...drifts), CONF, {}).instances).toHaveLength(drifts.length);
  });

  it('is listed with the other problems of that instance, and only for schema-valid instances', () => {
    const text = yaml(['state_file: a.json'], ['state_file: a.json'], ['state_file: a.json', 'min_samples: 0']).replace(
      '    topic: t1\n',
      '    topic: t1\n    dead_letter_topic: t1\n',
    );
    expect(failure(text).issues).toEqual([
      'instances[1].dead_letter_topic: must differ from topic (got "t1")',
      'instances[1].drift.state_file: the same file as instances[0].drift.state_file; each instance needs its own state file',
      'instances[2].drift.min_samples: must be at least 1 (got 0)',
    ]);
  });
});

describe('drift in print-config', () => {
  it('shows the resolved drift settings of each instance', () => {
    const cfg = parseConfig(yaml(['state_file: drift.json', 'baselines: [trailing]'], undefined), CONF, {});
    const out = redactConfig(cfg) as { instances: { drift: unknown }[] };
    expect(out.instances.map((i) => i.drift)).toEqual([
      { ...DEFAULTS, baselines: ['trailing'], stateFile: join(dir, 'drift.json') },
      DEFAULTS,
    ]);
  });
});
