/**
 * What `validate` and `print-config` write, once the file has loaded (cli.ts handles a file that
 * does not load). Streams are parameters so that tests read the output.
 */
import { ConfigError } from '../errors';
import { configFindings, formatFinding, type ConfigProbe } from './findings';
import type { LoadedConfig } from './load';
import { printConfigYaml } from './printYaml';
import { redactConfig } from './redact';

type Out = Pick<NodeJS.WriteStream, 'write'>;

/** `validate`: OK and one WARN line per finding (exit 0); with `strict`, findings are errors (exit 2). */
export function validateCommand(loaded: LoadedConfig, probe: ConfigProbe, strict: boolean, stdout: Out, stderr: Out): number {
  const { config } = loaded;
  const findings = configFindings(loaded.given, config, probe);
  if (strict && findings.length > 0) {
    const err = new ConfigError('CONFIG_INVALID', config.file, findings.map(formatFinding));
    stderr.write(`Invalid configuration (--strict makes warnings errors): ${err.message}\n`);
    return 2;
  }
  const n = config.instances.length;
  stdout.write(`OK: ${config.file} (${n} instance${n === 1 ? '' : 's'})\n`);
  for (const f of findings) stdout.write(`WARN ${formatFinding(f)}\n`);
  return 0;
}

/** `print-config`: conf.yaml's own shape (YAML), or with `json` the resolved form; secrets as ***. */
export function printConfigCommand(loaded: LoadedConfig, env: NodeJS.ProcessEnv, json: boolean, stdout: Out): number {
  stdout.write(json ? `${JSON.stringify(redactConfig(loaded.config), null, 2)}\n` : printConfigYaml(loaded, env));
  return 0;
}
