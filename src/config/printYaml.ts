/**
 * `print-config` as YAML in conf.yaml's own shape: the user's key names in the schema's order,
 * every default written out, secrets as `***` (the `*_env` names and `*_file` paths stay), files
 * by absolute path. DD_* variables are not applied: each is a comment beside the key it
 * overrides, so that the output, used as conf.yaml in the same environment, does not apply them
 * twice, and prints the same again once the `***` are filled in.
 */
import { Document, isMap, isScalar, type Pair, type YAMLMap } from 'yaml';
import type { LoadedConfig } from './load';
import type { DogStatsDTarget } from './resolved';
import { envValue, readDogStatsDEnv, readEnvTags } from './env';
import type { Json } from './issues';
import { maskBySchema, scrub, secretValues, type SchemaNode } from './redact';
import { configSchema } from './schema';
import { resolveConfigPath } from './secrets';

type Node = SchemaNode & { additionalProperties?: unknown };

const ROOT = configSchema as unknown as Node;

/** Keys holding a path, made absolute so that the output works wherever it is saved. */
const PATH_KEYS: Record<string, readonly string[]> = {
  sasl: ['password_file'],
  tls: ['ca_file', 'cert_file', 'key_file', 'key_passphrase_file'],
  drift: ['state_file'],
};

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `value` with its keys in the schema's order (keys the schema does not list keep theirs). */
function ordered(value: unknown, node: Node | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, node?.items));
  if (!isObj(value)) return value;
  const props = node?.properties ?? {};
  const keys = [...Object.keys(props).filter((k) => k in value), ...Object.keys(value).filter((k) => !(k in props))];
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, ordered(value[k], props[k])]));
}

/** One instance as printed: defaults from `raw`, the DogStatsD target as written, absolute paths. */
function instanceOut(raw: Json, given: Json, file: string): Json {
  const out = structuredClone(raw);
  for (const [sec, keys] of Object.entries(PATH_KEYS)) {
    const s = out[sec];
    if (!isObj(s)) continue;
    for (const k of keys) if (typeof s[k] === 'string') s[k] = resolveConfigPath(file, s[k]);
  }
  // The schema fills in host and port even beside a url or socket; one target way is allowed.
  const dsd = out.dogstatsd as Json;
  const givenDsd = isObj(given.dogstatsd) ? given.dogstatsd : {};
  if (givenDsd.url !== undefined || givenDsd.socket !== undefined) {
    delete dsd.host;
    delete dsd.port;
  }
  return out;
}

/** The pair of `key` in `map`, if the map has it. */
function pairOf(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

/** Adds `text` as a comment at the end of the key's line (scalar values) or the line above it. */
function note(map: unknown, key: string, text: string): void {
  const pair = pairOf(map, key);
  if (!pair) return;
  if (isScalar(pair.value)) pair.value.comment = pair.value.comment ? `${pair.value.comment}; ${text}` : ` ${text}`;
  else if (isScalar(pair.key)) pair.key.commentBefore = pair.key.commentBefore ? `${pair.key.commentBefore}\n ${text}` : ` ${text}`;
}

/** The DD_* variables that take effect at run time (env.ts's precedence), as comments beside their keys. */
function envNotes(doc: Document, targets: readonly string[], env: NodeJS.ProcessEnv): void {
  const count = targets.length;
  const denv = readDogStatsDEnv(env);
  const shown = (name: string): string => `${name}=${envValue(env, name) ?? ''}`;
  const target: string[] = [];
  const host: string[] = [];
  const port: string[] = [];
  if (denv.url) target.push(shown('DD_DOGSTATSD_URL'));
  else if (denv.socket !== undefined) target.push(shown('DD_DOGSTATSD_SOCKET'));
  else {
    if (denv.host !== undefined) host.push(shown('DD_AGENT_HOST'));
    if (denv.port !== undefined) port.push(shown('DD_DOGSTATSD_PORT'));
  }
  const tags = readEnvTags(env);
  const tagVars = ['DD_ENV', 'DD_TAGS'].filter((n) => envValue(env, n) !== undefined).map(shown);
  const selfVars = ['DD_SERVICE', 'DD_VERSION'].filter((n) => envValue(env, n) !== undefined).map(shown);
  for (let i = 0; i < count; i++) {
    const dsd = doc.getIn(['instances', i, 'dogstatsd'], true);
    const first = ['url', 'socket', 'host'].find((k) => pairOf(dsd, k)) ?? 'host';
    // Beside a key of another kind (a url overridden by DD_AGENT_HOST), say where metrics go.
    const over = (vars: string[], key: string): string =>
      `${vars.join(', ')} override${vars.length === 1 ? 's' : ''} this at run time${key === first && key !== 'host' ? ` (DogStatsD at ${targets[i]})` : ''}`;
    const at = (key: string): string => (pairOf(dsd, key) ? key : first);
    const byKey = new Map<string, string[]>();
    for (const [key, vars] of [[first, target], [at('host'), host], [at('port'), port]] as const) {
      if (vars.length > 0) byKey.set(key, [...(byKey.get(key) ?? []), ...vars]);
    }
    for (const [key, vars] of byKey) note(dsd, key, over(vars, key));
    const inst = doc.getIn(['instances', i], true);
    const add = (vars: string[]): string => `${vars.join(', ')} add${vars.length === 1 ? 's' : ''}`;
    if (tagVars.length > 0) note(inst, 'tags', `${add(tagVars)} ${tags.metric.join(', ')} to every metric at run time`);
    if (selfVars.length > 0) note(inst, 'tags', `${add(selfVars)} ${tags.forwarder.join(', ')} to the forwarder's own telemetry`);
  }
}

/** A resolved DogStatsD target as a URL. */
function targetText(t: DogStatsDTarget): string {
  if (t.protocol === 'uds') return `unix://${t.path ?? ''}`;
  const host = (t.host ?? '').includes(':') ? `[${t.host ?? ''}]` : (t.host ?? '');
  return `udp://${host}:${t.port ?? ''}`;
}

export function printConfigYaml(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string {
  const { config, raw, given } = loaded;
  const file = config.file;
  const instanceNode = ROOT.properties?.instances?.items;
  const givenInstances = (Array.isArray(given.instances) ? given.instances : []) as Json[];
  const instances = (raw.instances as unknown as Json[]).map((inst, i) =>
    maskBySchema(ordered(instanceOut(inst, givenInstances[i] ?? {}, file), instanceNode), instanceNode),
  );
  const init = maskBySchema(ordered(raw.init_config ?? {}, ROOT.properties?.init_config), ROOT.properties?.init_config);
  const data = scrub({ init_config: init, instances }, secretValues(config));
  const doc = new Document(data);
  doc.commentBefore = [
    ` The configuration in ${file}, as the forwarder reads it (algorithmia-insights print-config):`,
    ' every default written out, secrets as ***, files by path. DD_* environment variables are shown',
    ' as comments beside the keys they override and are not applied here.',
  ].join('\n');
  envNotes(doc, config.instances.map((inst) => targetText(inst.dogstatsd)), env);
  return doc.toString({ lineWidth: 0 });
}
