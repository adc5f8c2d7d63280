import { parseArgs } from '../../src/cli';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';

describe('parseArgs', () => {
  it.each([
    [['run', '-c', 'x.yaml'], { command: 'run', config: 'x.yaml', dryRun: false, json: false }],
    [['run', '--config=x.yaml', '--dry-run'], { command: 'run', config: 'x.yaml', dryRun: true, json: false }],
    [['validate'], { command: 'validate', config: DEFAULT_CONFIG_PATH, dryRun: false, json: false }],
    [['print-config', '--config', 'y'], { command: 'print-config', config: 'y', dryRun: false, json: false }],
    [[], { command: 'help', config: DEFAULT_CONFIG_PATH, dryRun: false, json: false }],
    [['--version'], { command: 'version', config: DEFAULT_CONFIG_PATH, dryRun: false, json: false }],
    [['status'], { command: 'status', config: DEFAULT_CONFIG_PATH, dryRun: false, json: false }],
    [['status', '-c', 'x.yaml', '--json'], { command: 'status', config: 'x.yaml', dryRun: false, json: true }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['run', '-c'], /-c needs a file path/],
    [['run', '--bogus'], /unknown argument "--bogus"/],
    [['validate', '--dry-run'], /--dry-run goes with run/],
    [['run', 'extra'], /unknown argument "extra"/],
    [['run', '--json'], /--json goes with status/],
    [['status', '--dry-run'], /--dry-run goes with run/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
