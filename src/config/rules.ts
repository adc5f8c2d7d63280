/**
 * Rules the schema cannot express: keys that go together or exclude each other within an
 * instance, and what instances may not share. They run on schema-valid instances only (defaults
 * applied); `given` is an instance as written, for rules that depend on what the user set.
 */
import type { RawInstance } from './schema';
import { parseDogStatsDUrl } from './env';
import type { Issues, Json } from './issues';
import { resolveConfigPath, setSecretKeys } from './secrets';
import { fairnessProblems } from './fairnessRules';

const SASL_PROTOCOLS = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);
const TLS_PROTOCOLS = new Set(['SSL', 'SASL_SSL']);

const setKeys = (obj: Json | undefined, keys: readonly string[]): string[] =>
  obj ? keys.filter((k) => obj[k] !== undefined) : [];

const joinAnd = (xs: string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * Checks every instance not in `badInstances` (those failed the schema), then what the valid
 * ones share. `file` anchors relative paths.
 */
export function checkRules(
  instances: readonly RawInstance[],
  givenInstances: readonly Json[],
  badInstances: ReadonlySet<number>,
  file: string,
  issues: Issues,
): void {
  instances.forEach((inst, i) => {
    if (!badInstances.has(i)) checkInstance(i, inst, givenInstances[i] ?? {}, issues);
  });
  checkStateFiles(instances, badInstances, file, issues);
}

/** Rules for one schema-valid instance. */
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
    const set = setSecretKeys(inst.sasl, 'password');
    if (set.length === 0) add(`${P}.sasl: missing password; set one of password, password_env, password_file`);
    if (set.length > 1) add(`${P}.sasl: set only one of password, password_env, password_file (got ${joinAnd(set)})`);
  }

  if (inst.tls) {
    if (!TLS_PROTOCOLS.has(proto)) add(`${P}.tls: only used with security_protocol SSL or SASL_SSL (got ${protoGot})`);
    const t = inst.tls;
    const pass = setSecretKeys(t, 'key_passphrase');
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
  for (const problem of fairnessProblems(i, inst.fairness ?? [])) add(problem);
}

/** Two instances writing one drift state file would overwrite each other's state. */
function checkStateFiles(instances: readonly RawInstance[], badInstances: ReadonlySet<number>, file: string, issues: Issues): void {
  const owner = new Map<string, number>();
  instances.forEach((inst, i) => {
    const stateFile = inst.drift?.state_file;
    if (badInstances.has(i) || stateFile === undefined) return;
    const abs = resolveConfigPath(file, stateFile);
    const first = owner.get(abs);
    if (first === undefined) owner.set(abs, i);
    else issues.add(i, `instances[${i}].drift.state_file: the same file as instances[${first}].drift.state_file; each instance needs its own state file`);
  });
}
