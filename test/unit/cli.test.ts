import { parseArgs } from '../../src/cli';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';

describe('parseArgs', () => {
  it.each([
    [['run', '-c', 'x.yaml'], { command: 'run', config: 'x.yaml', dryRun: false }],
    [['run', '--config=x.yaml', '--dry-run'], { command: 'run', config: 'x.yaml', dryRun: true }],
    [['validate'], { command: 'validate', config: DEFAULT_CONFIG_PATH, dryRun: false }],
    [['print-config', '--config', 'y'], { command: 'print-config', config: 'y', dryRun: false }],
    [[], { command: 'help', config: DEFAULT_CONFIG_PATH, dryRun: false }],
    [['--version'], { command: 'version', config: DEFAULT_CONFIG_PATH, dryRun: false }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['run', '-c'], /-c needs a file path/],
    [['run', '--bogus'], /unknown argument "--bogus"/],
    [['validate', '--dry-run'], /--dry-run goes with run/],
    [['run', 'extra'], /unknown argument "extra"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
