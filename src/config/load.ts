/**
 * Reads conf.yaml: YAML -> JSON Schema (defaults applied) -> cross-field rules -> DD_* environment
 * -> secrets and TLS files. A bad file fails with every problem found, each phrased as
 * `<key path>: <what is wrong> (got <value>)` in the user's terms (`instances[0].sasl.mechanism`),
 * and no secret value ever appears in a message.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument, type YAMLParseError } from 'yaml';
import { ConfigError } from '../errors';
import { configSchema, type RawConfig, type RawInstance } from './schema';
import type { DogStatsDTarget, InitConfig, ResolvedConfig, ResolvedInstance, TlsFiles } from './resolved';
import {
  metricTagsFor,
  parseDogStatsDUrl,
  readDogStatsDEnv,
  readEnvTags,
  resolveDogStatsDTarget,
  telemetryTagsFor,
  type DogStatsDSettings,
} from './env';
import { readPemFile, resolveSecretTrio } from './secrets';

export const DEFAULT_CONFIG_PATH = '/etc/algorithmia-insights/conf.yaml';

/** The custom annotations of schema.ts, declared so that ajv's strict mode accepts them. */
export const SCHEMA_ANNOTATIONS = ['x-secret', 'x-example', 'x-env', 'x-pattern-hint', 'x-warning'] as const;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true, keywords: [...SCHEMA_ANNOTATIONS] });
addFormats(ajv, ['regex']);
const validate = ajv.compile(configSchema as object);

type Json = Record<string, unknown>;
type SchemaNode = Json & { properties?: Record<string, SchemaNode>; items?: SchemaNode };

const TOP = 'top level';
const SASL_PROTOCOLS = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);
const TLS_PROTOCOLS = new Set(['SSL', 'SASL_SSL']);

// ---------------------------------------------------------------------------------------------
// Paths and values in the user's terms

/** `["instances", 0, "sasl"]` -> `instances[0].sasl`; odd keys are quoted: `metric_types["a.b"]`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? TOP : out;
}

/** JSON pointer of an ajv error -> path segments (array positions as numbers). */
function pointerSegments(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segs: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      segs.push(Number(key));
      cur = cur[Number(key)];
    } else {
      segs.push(key);
      cur = cur && typeof cur === 'object' ? (cur as Json)[key] : undefined;
    }
  }
  return segs;
}

/** The `got` part of a message. Mappings and lists are not printed: they could hold secrets. */
export function describeValue(v: unknown, secret = false): string {
  if (secret) return '***';
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 76)}..."` : s;
  }
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'mapping',
  array: 'list',
  null: 'empty',
  boolean: 'true or false',
};

function typeNames(t: unknown): string {
  const list = Array.isArray(t) ? t : String(t).split(',');
  return list.map((x) => TYPE_NAMES[String(x)] ?? String(x)).join(' or ');
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Where each key of the schema lives, as path templates (`instances[*].sasl`). */
const KEY_HOMES: Map<string, string[]> = (() => {
  const homes = new Map<string, string[]>();
  const walk = (node: SchemaNode, where: string): void => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      homes.set(k, [...(homes.get(k) ?? []), where]);
      const sub = child.type === 'array' ? child.items : child;
      const next = where === TOP ? k : `${where}.${k}`;
      if (sub?.properties) walk(sub, child.type === 'array' ? `${next}[*]` : next);
    }
  };
  walk(configSchema as unknown as SchemaNode, TOP);
  return homes;
})();

function unknownKeyHint(key: string, allowed: string[], segments: (string | number)[]): string {
  const idx = segments[0] === 'instances' && typeof segments[1] === 'number' ? segments[1] : undefined;
  const homes = (KEY_HOMES.get(key) ?? []).map((h) => (idx === undefined ? h.replace('[*]', '[]') : h.replace('[*]', `[${idx}]`)));
  if (homes.length > 0) return ` (${key} belongs in ${homes.join(' or ')})`;
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = levenshtein(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean ${best}?)`;
  return ` (allowed keys: ${allowed.join(', ')})`;
}

function regexProblem(source: string): string {
  if (/[^\\]\\Z/.test(source)) return '\\Z is not a JavaScript anchor, use $';
  try {
    new RegExp(source);
    return 'invalid';
  } catch (err) {
    return (err as Error).message;
  }
}

/** One ajv error -> one message in the user's terms. */
function describeAjvError(e: ErrorObject, data: unknown): { segments: (string | number)[]; text: string } {
  const segments = pointerSegments(e.instancePath, data);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const got = (): string => describeValue(e.data, parent['x-secret'] === true);
  const p = e.params as Record<string, unknown>;
  const at = formatPath(segments);
  switch (e.keyword) {
    case 'required':
      return { segments, text: `${at}: missing required key ${String(p.missingProperty)}` };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const keyPath = [...segments, key];
      return { segments: keyPath, text: `${formatPath(keyPath)}: unknown key${unknownKeyHint(key, allowed, segments)}` };
    }
    case 'type':
      return { segments, text: `${at}: must be ${typeNames(p.type)} (got ${got()})` };
    case 'enum':
      return { segments, text: `${at}: must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')} (got ${got()})` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const word = { minimum: 'at least', exclusiveMinimum: 'above', maximum: 'at most', exclusiveMaximum: 'below' }[e.keyword];
      return { segments, text: `${at}: must be ${word} ${String(p.limit)} (got ${got()})` };
    }
    case 'minLength':
      return {
        segments,
        text: p.limit === 1 ? `${at}: must not be empty (got ${got()})` : `${at}: must be at least ${String(p.limit)} characters long (got ${got()})`,
      };
    case 'maxLength':
      return { segments, text: `${at}: must be at most ${String(p.limit)} characters long (got ${got()})` };
    case 'minItems': {
      const n = Number(p.limit);
      return { segments, text: `${at}: must have at least ${n} ${n === 1 ? 'entry' : 'entries'} (got ${got()})` };
    }
    case 'pattern': {
      const hint = parent['x-pattern-hint'];
      return { segments, text: `${at}: must be ${typeof hint === 'string' ? hint : `a string matching ${String(p.pattern)}`} (got ${got()})` };
    }
    case 'format':
      if (p.format === 'regex') {
        return { segments, text: `${at}: must be a valid regular expression: ${regexProblem(String(e.data))} (got ${got()})` };
      }
      return { segments, text: `${at}: must be ${String(p.format)} (got ${got()})` };
    default:
      return { segments, text: `${at}: ${e.message ?? e.keyword} (got ${got()})` };
  }
}

// ---------------------------------------------------------------------------------------------
// Collecting problems

interface Issue {
  /** -1 for top level and init_config, the instance index, or Infinity for the environment. */
  order: number;
  secret: boolean;
  text: string;
}

class Issues {
  private readonly list: Issue[] = [];
  add(order: number, text: string, secret = false): void {
    if (!this.list.some((i) => i.text === text)) this.list.push({ order, secret, text });
  }
  get invalid(): boolean {
    return this.list.some((i) => !i.secret);
  }
  get any(): boolean {
    return this.list.length > 0;
  }
  texts(): string[] {
    return [...this.list].sort((a, b) => a.order - b.order).map((i) => i.text);
  }
}

function orderOf(segments: (string | number)[]): number {
  return segments[0] === 'instances' && typeof segments[1] === 'number' ? segments[1] : -1;
}

const setKeys = (obj: Json | undefined, keys: readonly string[]): string[] =>
  obj ? keys.filter((k) => obj[k] !== undefined) : [];

const joinAnd = (xs: string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** Rules the schema cannot express, for one schema-valid instance. `given` is the instance as written. */
function checkInstance(i: number, inst: RawInstance, given: Json, issues: Issues): void {
  const P = `instances[${i}]`;
  const proto = inst.security_protocol;
  const protoGot = `security_protocol: ${proto}${given.security_protocol === undefined ? ', the default' : ''}`;
  const add = (text: string): void => issues.add(i, text);

  if (SASL_PROTOCOLS.has(proto) && !inst.sasl) add(`${P}: missing required key sasl (security_protocol is ${proto})`);
  if (inst.sasl && !SASL_PROTOCOLS.has(proto)) {
    add(`${P}.sasl: only used with security_protocol SASL_PLAINTEXT or SASL_SSL (got ${protoGot})`);
  }
  if (inst.sasl) {
    const set = setKeys(inst.sasl, ['password', 'password_env', 'password_file']);
    if (set.length === 0) add(`${P}.sasl: missing password; set one of password, password_env, password_file`);
    if (set.length > 1) add(`${P}.sasl: set only one of password, password_env, password_file (got ${joinAnd(set)})`);
  }

  if (inst.tls) {
    if (!TLS_PROTOCOLS.has(proto)) add(`${P}.tls: only used with security_protocol SSL or SASL_SSL (got ${protoGot})`);
    const t = inst.tls;
    const pass = setKeys(t, ['key_passphrase', 'key_passphrase_env', 'key_passphrase_file']);
    if (pass.length > 1) add(`${P}.tls: set only one of key_passphrase, key_passphrase_env, key_passphrase_file (got ${joinAnd(pass)})`);
    if (t.cert_file !== undefined && t.key_file === undefined) add(`${P}.tls: cert_file is set but key_file is not (mutual TLS needs both)`);
    if (t.key_file !== undefined && t.cert_file === undefined) add(`${P}.tls: key_file is set but cert_file is not (mutual TLS needs both)`);
    if (pass.length > 0 && t.key_file === undefined) add(`${P}.tls: ${pass[0]} is set but key_file is not`);
  }

  const dsd = (given.dogstatsd ?? {}) as Json;
  const ways = [
    ...setKeys(dsd, ['url', 'socket']),
    ...(dsd.host !== undefined || dsd.port !== undefined ? [setKeys(dsd, ['host', 'port']).join('/')] : []),
  ];
  if (ways.length > 1) {
    add(`${P}.dogstatsd: set only one of url, socket, host/port (got ${joinAnd(ways)}); host and port are for UDP only`);
  }
  if (typeof dsd.url === 'string') {
    const parsed = parseDogStatsDUrl(dsd.url);
    if ('error' in parsed) add(`${P}.dogstatsd.url: ${parsed.error} (got ${JSON.stringify(dsd.url)})`);
  }

  if (inst.heartbeat_interval_ms >= inst.session_timeout_ms) {
    add(`${P}.heartbeat_interval_ms: must be below session_timeout_ms, ${inst.session_timeout_ms} (got ${inst.heartbeat_interval_ms})`);
  }
  if (inst.dead_letter_topic !== undefined && inst.dead_letter_topic === inst.topic) {
    add(`${P}.dead_letter_topic: must differ from topic (got ${JSON.stringify(inst.dead_letter_topic)})`);
  }
}

/** Reads the secrets and TLS files of one instance; problems are SECRET_UNAVAILABLE. */
function readInstanceSecrets(
  i: number,
  inst: RawInstance,
  file: string,
  env: NodeJS.ProcessEnv,
  issues: Issues,
): { saslPassword?: string; tlsFiles?: TlsFiles } {
  const P = `instances[${i}]`;
  const out: { saslPassword?: string; tlsFiles?: TlsFiles } = {};
  const take = (r: { value: string } | { issue: string } | undefined): string | undefined => {
    if (r === undefined) return undefined;
    if ('issue' in r) {
      issues.add(i, r.issue, true);
      return undefined;
    }
    return r.value;
  };
  if (inst.sasl) out.saslPassword = take(resolveSecretTrio(inst.sasl, 'password', `${P}.sasl`, file, env));
  if (inst.tls) {
    const t = inst.tls;
    const files: TlsFiles = {};
    if (t.ca_file !== undefined) files.ca = take(readPemFile(file, `${P}.tls.ca_file`, t.ca_file));
    if (t.cert_file !== undefined) files.cert = take(readPemFile(file, `${P}.tls.cert_file`, t.cert_file));
    if (t.key_file !== undefined) files.key = take(readPemFile(file, `${P}.tls.key_file`, t.key_file));
    files.keyPassphrase = take(resolveSecretTrio(t, 'key_passphrase', `${P}.tls`, file, env));
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;
    const passphraseGiven = setKeys(t, ['key_passphrase', 'key_passphrase_env', 'key_passphrase_file']).length > 0;
    if (files.key !== undefined && !passphraseGiven && encrypted.test(files.key)) {
      issues.add(i, `${P}.tls.key_file: the key is encrypted; set key_passphrase_env or key_passphrase_file`);
    }
    for (const k of Object.keys(files) as (keyof TlsFiles)[]) if (files[k] === undefined) delete files[k];
    out.tlsFiles = files;
  }
  if (out.saslPassword === undefined) delete out.saslPassword;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Names of the keys marked x-secret (password, key_passphrase). */
const SECRET_KEYS: string[] = (() => {
  const names = new Set<string>();
  const walk = (node: SchemaNode): void => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      if (child['x-secret'] === true) names.add(k);
      walk(child.type === 'array' && child.items ? child.items : child);
    }
  };
  walk(configSchema as unknown as SchemaNode);
  return [...names];
})();
const SECRET_LINE = new RegExp(`(^|[\\s{,])(${SECRET_KEYS.join('|')})\\s*:`);

/** yaml error codes whose messages never quote the source text. */
const SAFE_YAML_CODES = new Set([
  'ALIAS_PROPS',
  'BAD_ALIAS',
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'BLOCK_IN_FLOW',
  'DUPLICATE_KEY',
  'IMPOSSIBLE',
  'KEY_OVER_1024_CHARS',
  'MISSING_CHAR',
  'MULTILINE_IMPLICIT_KEY',
  'MULTIPLE_ANCHORS',
  'MULTIPLE_DOCS',
  'MULTIPLE_TAGS',
  'NON_STRING_KEY',
  'RESOURCE_EXHAUSTION',
  'TAB_AS_INDENT',
]);

function yamlIssue(e: YAMLParseError, sourceLines: string[]): string {
  // The first line only: the rest of yaml's message quotes the source.
  let msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (e.code === 'MULTIPLE_DOCS') msg = 'the file holds several YAML documents (---); it must hold one';
  const pos = e.linePos?.[0];
  // Some messages quote a piece of the value (`Block scalar header includes extra characters: |...`):
  // near a secret key, only messages known not to quote anything are shown.
  const nearSecret = pos ? sourceLines.slice(Math.max(0, pos.line - 3), pos.line).some((l) => SECRET_LINE.test(l)) : true;
  if (nearSecret && !SAFE_YAML_CODES.has(e.code)) msg = `YAML syntax error ${e.code} (details withheld: the line holds a secret)`;
  return pos ? `line ${pos.line}, column ${pos.col}: ${msg}` : msg;
}

/** Parses, validates and resolves a config text. `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const sourceLines = text.split(/\r?\n/);
    throw new ConfigError('CONFIG_PARSE', file, doc.errors.map((e) => yamlIssue(e, sourceLines)));
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    throw new ConfigError('CONFIG_PARSE', file, [String((err as Error).message ?? err).split('\n')[0]]);
  }
  if (data === null || data === undefined) {
    throw new ConfigError('CONFIG_INVALID', file, [`${TOP}: missing required key instances (the file is empty)`]);
  }
  if (typeof data === 'object' && !Array.isArray(data) && (data as Json).init_config === null) (data as Json).init_config = {};
  const given = structuredClone(data) as Json;

  const issues = new Issues();
  const badInstances = new Set<number>();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const { segments, text: t } = describeAjvError(e, data);
      const order = orderOf(segments);
      if (order >= 0) badInstances.add(order);
      issues.add(order, t);
    }
  }
  const cfg = data as RawConfig;
  const instances = Array.isArray(cfg.instances) ? cfg.instances : [];
  const givenInstances = (Array.isArray(given.instances) ? given.instances : []) as Json[];

  const denv = readDogStatsDEnv(env);
  const envTags = readEnvTags(env);
  for (const t of [...denv.issues, ...envTags.issues]) issues.add(Infinity, t);

  instances.forEach((inst, i) => {
    if (!badInstances.has(i)) checkInstance(i, inst, givenInstances[i] ?? {}, issues);
  });
  // Secrets and TLS files of every schema-valid instance are read even when other rules failed,
  // so that one run lists every problem.
  const secrets = instances.map((inst, i) => (badInstances.has(i) ? {} : readInstanceSecrets(i, inst, file, env, issues)));
  if (issues.any) throw new ConfigError(issues.invalid ? 'CONFIG_INVALID' : 'SECRET_UNAVAILABLE', file, issues.texts());

  const topicCount = new Map<string, number>();
  for (const inst of instances) topicCount.set(inst.topic, (topicCount.get(inst.topic) ?? 0) + 1);

  const resolved: ResolvedInstance[] = instances.map((inst, i) => {
    const { dogstatsd: _dogstatsd, tags, ...rest } = inst;
    const target: DogStatsDTarget = resolveDogStatsDTarget((givenInstances[i]?.dogstatsd ?? {}) as DogStatsDSettings, denv);
    const metricTags = metricTagsFor(envTags, tags);
    return {
      ...rest,
      index: i,
      name: (topicCount.get(inst.topic) ?? 0) > 1 ? `${inst.topic}#${i}` : inst.topic,
      ...secrets[i],
      dogstatsd: target,
      metricTags,
      telemetryTags: telemetryTagsFor(envTags, metricTags),
    };
  });
  return { file, init: cfg.init_config as InitConfig, instances: resolved };
}

/** Reads and parses a config file (CONFIG_READ when it cannot be read). */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = String(e.message ?? err).split(',')[0];
    throw new ConfigError('CONFIG_READ', file, [`cannot read the config file (${reason})`]);
  }
  return parseConfig(text, file, env);
}
