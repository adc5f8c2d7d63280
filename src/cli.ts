#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * algorithmia-insights run | validate | print-config | status  [-c FILE] [--dry-run] [--strict] [--json]
 *
 * The node flag on the first line caps V8's young generation when started as the installed
 * command (deploy/ and the benchmark read it from here); `run` applies the same cap in the
 * process (runtime/memoryLimits.ts), so `node dist/src/cli.js` and any wrapper get it too.
 * Exit codes: 0 ok; 1 a stop that did not finish in time or an internal error; 2 a bad command
 * line or a bad config file (nothing is consumed then). `status`: 0 every instance healthy, 1 one
 * is not, 3 no running process answered.
 */
// Light imports only: `run` caps the young generation before kafkajs, ajv and the rest are
// loaded (loading them already grows it), so those come in with `await import` below.
import type { LoadedConfig } from './config/load';
import { DEFAULT_CONFIG_PATH } from './config/schema';
import { ConfigError, InsightsError } from './errors';
import { capYoungGeneration } from './youngGeneration';

export const USAGE = `Usage: algorithmia-insights <command> [options]

Commands:
  run            consume the Insights topic(s) and send metrics to DogStatsD (the daemon)
  validate       check the config file; prints OK or every problem
  print-config   print the effective config as conf.yaml (defaults applied, secrets as ***,
                 DD_* environment variables as comments)
  status         ask the running process for this config how each instance is doing
                 (exit 0 all healthy, 1 one is not, 3 no process answered)

Options:
  -c, --config FILE   config file (default ${DEFAULT_CONFIG_PATH})
  --dry-run           run: write the DogStatsD lines to stdout instead of the network
  --strict            validate: warnings are errors (exit 2)
  --json              print-config: the resolved config as JSON; status: the full answer
  -h, --help          this text
  -v, --version       the version
`;

export interface CliArgs {
  command: 'run' | 'validate' | 'print-config' | 'status' | 'help' | 'version';
  config: string;
  dryRun: boolean;
  /** validate: warnings are errors. */
  strict: boolean;
  /** Machine-readable output (print-config, status). */
  json: boolean;
}

/** The commands with a --json form. */
const JSON_COMMANDS: readonly string[] = ['print-config', 'status'];

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: 'help', config: DEFAULT_CONFIG_PATH, dryRun: false, strict: false, json: false };
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c' || a === '--config') {
      const v = argv[++i];
      if (!v) throw new InsightsError('CLI_USAGE', `${a} needs a file path`);
      args.config = v;
    } else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a === '--dry-run') args.dryRun = true;
    else if (a === '--strict') args.strict = true;
    else if (a === '--json') args.json = true;
    else if (a === '-h' || a === '--help') command = 'help';
    else if (a === '-v' || a === '--version') command = 'version';
    else if (!a.startsWith('-') && command === undefined) command = a;
    else throw new InsightsError('CLI_USAGE', `unknown argument ${JSON.stringify(a)}`);
  }
  command ??= 'help';
  if (!['run', 'validate', 'print-config', 'status', 'help', 'version'].includes(command)) {
    throw new InsightsError('CLI_USAGE', `unknown command ${JSON.stringify(command)}`);
  }
  args.command = command as CliArgs['command'];
  if (args.dryRun && args.command !== 'run') throw new InsightsError('CLI_USAGE', '--dry-run goes with run');
  if (args.strict && args.command !== 'validate') throw new InsightsError('CLI_USAGE', '--strict goes with validate');
  if (args.json && !JSON_COMMANDS.includes(args.command)) throw new InsightsError('CLI_USAGE', `--json goes with ${JSON_COMMANDS.join(' or ')}`);
  return args;
}

function version(): string {
  // src/cli.ts runs from dist/src/ when built and from src/ under the test runner
  for (const p of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(p) as { name?: string; version: string };
      if (pkg.name === 'algorithmia-insights-datadog') return pkg.version;
    } catch {
      /* try the next */
    }
  }
  return 'unknown';
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (args.command === 'status') {
    // Not the config loader: `status` needs no secrets and must not fail for their absence.
    const { statusCommand } = await import('./status/command');
    return statusCommand(args.config, args.json, process.stdout, process.stderr);
  }
  // First of all (with 'reexec' this does not return: the process starts again with the flag).
  const youngGeneration = args.command === 'run' ? capYoungGeneration() : undefined;
  const { loadConfigDetailed } = await import('./config/load');
  let loaded: LoadedConfig;
  try {
    // validate and print-config run in a shell, not the service's environment: an unset
    // *_env secret is a warning there (run still fails on it).
    loaded = loadConfigDetailed(args.config, process.env, { deferUnsetEnvSecrets: args.command !== 'run' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const config = loaded.config;
  if (args.command === 'validate') {
    const { validateCommand } = await import('./config/commands');
    const { systemProbe } = await import('./config/probe');
    return validateCommand(loaded, systemProbe(process.env), args.strict, process.stdout, process.stderr);
  }
  if (args.command === 'print-config') {
    const { printConfigCommand } = await import('./config/commands');
    return printConfigCommand(loaded, process.env, args.json, process.stdout);
  }
  const { createLogger } = await import('./log/logger');
  const log = createLogger({ level: config.init.log_level, format: config.init.log_format });
  process.on('uncaughtException', (err) => {
    log.error('internal error; exiting so a supervisor restarts from the last commit', { error: err.message, stack: err.stack });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) });
  });
  try {
    const { runDaemon } = await import('./runtime/runDaemon');
    return await runDaemon(config, { dryRun: args.dryRun, log, youngGeneration: youngGeneration ?? 'flag' });
  } catch (err) {
    if (err instanceof InsightsError) {
      log.error(err.message, { code: err.code });
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Exit once stdout and stderr are flushed (dry-run into a pipe); libraries may keep
      // handles open (sockets being closed, timers), which must not delay the exit.
      let pending = 2;
      const done = () => --pending === 0 && process.exit(code);
      process.stdout.write('', done);
      process.stderr.write('', done);
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (err: Error) => {
      process.stderr.write(`internal error: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
