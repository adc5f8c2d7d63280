/**
 * What `validate` warns about in a config that loads: things that are not wrong in the file but
 * will hurt at run time, or that only the service's own environment can settle. A pure function
 * of the config as written, the resolved config and a probe of the file system and environment
 * (probe.ts does the calls), so that tables test every finding.
 */
import { dirname } from 'node:path';
import type { Json } from './issues';
import type { ResolvedConfig, ResolvedInstance } from './resolved';

/** What a path is, or the system error code (`ENOENT`, `EACCES`) of looking it up. */
export type PathInfo = { kind: 'file' | 'dir' | 'socket' | 'other'; mode: number } | { code: string };

/** The file system and environment as this user sees them. */
export interface ConfigProbe {
  env(name: string): string | undefined;
  /** stat(2), following links. */
  stat(path: string): PathInfo;
  /** Whether this user may create files in `dir` (access W_OK | X_OK). */
  writableDir(dir: string): boolean;
}

export interface Finding {
  /** The key path as in conf.yaml (`instances[0].sasl.password`), or `environment variable X`. */
  path: string;
  text: string;
}

const WORLD_READABLE = 0o004;

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** The secrets that may be written in clear in the file: [section, key, the env/file alternatives]. */
const CLEAR_SECRETS = [
  ['sasl', 'password', 'password_env or password_file'],
  ['tls', 'key_passphrase', 'key_passphrase_env or key_passphrase_file'],
] as const;

const ENV_SECRETS = [
  ['sasl', 'password_env'],
  ['tls', 'key_passphrase_env'],
] as const;

const section = (given: Json, key: string): Json | undefined => {
  const v = given[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
};

function clearSecrets(i: number, given: Json, fileMode: number | undefined): Finding[] {
  if (fileMode === undefined || (fileMode & WORLD_READABLE) === 0) return [];
  return CLEAR_SECRETS.filter(([sec, key]) => typeof section(given, sec)?.[key] === 'string').map(([sec, key, alt]) => ({
    path: `instances[${i}].${sec}.${key}`,
    text: `a clear-text secret in a file every user can read (mode ${octal(fileMode)}); use ${alt}, or chmod 600 (640 with the service's group)`,
  }));
}

function unsetEnvSecrets(i: number, given: Json, probe: ConfigProbe): Finding[] {
  const out: Finding[] = [];
  for (const [sec, key] of ENV_SECRETS) {
    const name = section(given, sec)?.[key];
    if (typeof name !== 'string') continue;
    const v = probe.env(name);
    if (v !== undefined && v !== '') continue;
    out.push({
      path: `instances[${i}].${sec}.${key}`,
      text: `environment variable ${name} is ${v === undefined ? 'not set' : 'empty'} in this shell; run needs it in the service's environment (e.g. /etc/algorithmia-insights/env)`,
    });
  }
  return out;
}

function stateFile(i: number, inst: ResolvedInstance, probe: ConfigProbe): Finding[] {
  const file = inst.drift.stateFile;
  // The state file holds every model-monitoring signal: used while drift scores, field health or fairness are on.
  if (!(inst.drift.enabled || inst.drift.fieldHealth || inst.fairness.length > 0) || file === undefined) return [];
  const dir = dirname(file);
  const info = probe.stat(dir);
  const path = `instances[${i}].drift.state_file`;
  if ('code' in info) {
    const why = info.code === 'ENOENT' ? 'does not exist' : `cannot be looked up (${info.code})`;
    return [{ path, text: `its folder ${dir} ${why}; drift state will not be kept across restarts` }];
  }
  if (info.kind !== 'dir') return [{ path, text: `${dir} is not a folder; drift state will not be kept across restarts` }];
  if (!probe.writableDir(dir)) return [{ path, text: `its folder ${dir} is not writable by this user; drift state will not be kept across restarts` }];
  return [];
}

/** Where a UDS target was set: the variable that won (env.ts's precedence) or the instance's key. */
function socketKey(i: number, inst: ResolvedInstance, given: Json, probe: ConfigProbe): string {
  if (inst.dogstatsd.source === 'env') {
    return `environment variable ${probe.env('DD_DOGSTATSD_URL')?.trim() ? 'DD_DOGSTATSD_URL' : 'DD_DOGSTATSD_SOCKET'}`;
  }
  return `instances[${i}].dogstatsd.${section(given, 'dogstatsd')?.url !== undefined ? 'url' : 'socket'}`;
}

function dogstatsdSocket(i: number, inst: ResolvedInstance, given: Json, probe: ConfigProbe): Finding[] {
  const target = inst.dogstatsd;
  if (target.protocol !== 'uds' || target.path === undefined) return [];
  const path = socketKey(i, inst, given, probe);
  const info = probe.stat(target.path);
  if ('code' in info) {
    if (info.code === 'ENOENT') {
      return [{ path, text: `the DogStatsD socket ${target.path} does not exist yet (is the Agent running with dogstatsd_socket set?)` }];
    }
    return [{ path, text: `the DogStatsD socket ${target.path} cannot be reached by this user (${info.code}); see the dd-agent group in deploy/README.md` }];
  }
  if (info.kind !== 'socket') return [{ path, text: `${target.path} is not a Unix socket` }];
  return [];
}

/**
 * Every finding, instance by instance, each once. `given` is the file as written (after
 * kafka_connect_str strings were split), `config` the same file resolved.
 */
export function configFindings(given: Json, config: ResolvedConfig, probe: ConfigProbe): Finding[] {
  const fileInfo = probe.stat(config.file);
  const fileMode = 'code' in fileInfo ? undefined : fileInfo.mode;
  const instances = (Array.isArray(given.instances) ? given.instances : []) as Json[];
  const out: Finding[] = [];
  config.instances.forEach((inst, i) => {
    const g = instances[i] ?? {};
    out.push(...clearSecrets(i, g, fileMode), ...unsetEnvSecrets(i, g, probe), ...stateFile(i, inst, probe), ...dogstatsdSocket(i, inst, g, probe));
  });
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.path}: ${f.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const formatFinding = (f: Finding): string => `${f.path}: ${f.text}`;
