/**
 * Reads conf.yaml: YAML (yamlErrors.ts) -> JSON Schema, defaults applied (validate.ts) ->
 * cross-field rules (rules.ts) -> DD_* environment (env.ts) -> secrets and TLS files
 * (secrets.ts) -> ResolvedConfig (resolve.ts). A bad file fails with every problem found, each
 * phrased as `<key path>: <what is wrong> (got <value>)` in the user's terms
 * (`instances[0].sasl.mechanism`), and no secret value ever appears in a message.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { RawConfig } from './schema';
import type { ResolvedConfig } from './resolved';
import { readDogStatsDEnv, readEnvTags } from './env';
import { ENV_ORDER, Issues, TOP, type Json } from './issues';
import { resolveConfig } from './resolve';
import { checkRules } from './rules';
import { normaliseConnectStrings } from './connectStr';
import { readInstanceSecrets } from './secrets';
import { validateSchema } from './validate';
import { parseYaml } from './yamlErrors';

export { DEFAULT_CONFIG_PATH } from './schema';
export { SCHEMA_ANNOTATIONS } from './validate';
export { describeValue, formatPath } from './issues';

/** How a load treats what only the running service has. */
export interface LoadOptions {
  /**
   * A `*_env` secret whose variable is not set (or empty) in this environment is left unread
   * instead of failing the load (SECRET_UNAVAILABLE): `validate` and `print-config` run in a
   * shell, not in the service's environment, and report it as a warning (findings.ts).
   */
  deferUnsetEnvSecrets?: boolean;
}

/** A loaded config with the forms print-config and validate's findings read. */
export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file as written (kafka_connect_str strings split into lists), no defaults. */
  given: Json;
  /** The schema-valid file with every schema default applied, before resolution. */
  raw: RawConfig;
}

/** Parses, validates and resolves a config text. `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): ResolvedConfig {
  return parseConfigDetailed(text, file, env, opts).config;
}

/** parseConfig, also returning the config as written and with its defaults (print-config, validate). */
export function parseConfigDetailed(text: string, file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): LoadedConfig {
  const data = parseYaml(text, file);
  if (data === null || data === undefined) {
    throw new ConfigError('CONFIG_INVALID', file, [`${TOP}: missing required key instances (the file is empty)`]);
  }
  if (typeof data === 'object' && !Array.isArray(data) && (data as Json).init_config === null) (data as Json).init_config = {};

  const issues = new Issues();
  const badConnect = normaliseConnectStrings(data, issues);
  const given = structuredClone(data) as Json;
  const badInstances = validateSchema(data, issues);
  for (const i of badConnect) badInstances.add(i);
  const cfg = data as RawConfig;
  const instances = Array.isArray(cfg.instances) ? cfg.instances : [];
  const givenInstances = (Array.isArray(given.instances) ? given.instances : []) as Json[];

  const denv = readDogStatsDEnv(env);
  const envTags = readEnvTags(env);
  for (const t of [...denv.issues, ...envTags.issues]) issues.add(ENV_ORDER, t);

  checkRules(instances, givenInstances, badInstances, file, issues);
  // Secrets and TLS files of every schema-valid instance are read even when other rules failed,
  // so that one run lists every problem.
  const defer = opts.deferUnsetEnvSecrets === true;
  const secrets = instances.map((inst, i) => (badInstances.has(i) ? {} : readInstanceSecrets(i, inst, file, env, issues, defer)));
  if (issues.any) throw new ConfigError(issues.invalid ? 'CONFIG_INVALID' : 'SECRET_UNAVAILABLE', file, issues.texts());

  const raw = structuredClone(cfg);
  return { config: resolveConfig(cfg, { file, givenInstances, denv, envTags, secrets }), given, raw };
}

/** Reads and parses a config file (CONFIG_READ when it cannot be read). */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): ResolvedConfig {
  return loadConfigDetailed(file, env, opts).config;
}

/** loadConfig, also returning the config as written and with its defaults. */
export function loadConfigDetailed(file: string, env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = String(e.message ?? err).split(',')[0];
    throw new ConfigError('CONFIG_READ', file, [`cannot read the config file (${reason})`]);
  }
  return parseConfigDetailed(text, file, env, opts);
}
