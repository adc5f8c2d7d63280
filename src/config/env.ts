/**
 * The DD_* environment, read the way the Datadog Agent and its clients read it, as pure functions
 * of an `env` object (tests pass their own; nothing here touches process.env).
 *
 * Precedence (DECISIONS.md "Configuration"): a DD_* variable > the same setting in conf.yaml >
 * the built-in default. For the DogStatsD target:
 *   DD_DOGSTATSD_URL > DD_DOGSTATSD_SOCKET > DD_AGENT_HOST / DD_DOGSTATSD_PORT (each overrides only
 *   its own part) > conf url > conf socket > conf host/port > udp://localhost:8125.
 */
import type { DogStatsDTarget } from './resolved';
import { configSchema, DEFAULT_UDP_DATAGRAM_BYTES, MAX_UDS_DATAGRAM_BYTES } from './schema';

/** The schema of an instance: its defaults are the built-in defaults here (one source). */
const INSTANCE = configSchema.properties.instances.items.properties;
const DOGSTATSD = INSTANCE.dogstatsd.properties;

export const DEFAULT_DOGSTATSD_HOST: string = DOGSTATSD.host.default;
export const DEFAULT_DOGSTATSD_PORT: number = DOGSTATSD.port.default;
export { DEFAULT_UDP_DATAGRAM_BYTES, MAX_UDS_DATAGRAM_BYTES };

export type Endpoint = { protocol: 'udp'; host: string; port: number } | { protocol: 'uds'; path: string };

/** The DogStatsD settings of one instance as the user wrote them (before schema defaults). */
export interface DogStatsDSettings {
  url?: string;
  socket?: string;
  host?: string;
  port?: number;
  max_datagram_bytes?: number;
  origin_detection?: boolean;
  client_telemetry?: boolean;
  pack_values?: boolean;
}

/** What the DD_* variables say about the DogStatsD target; `issues` name the variable. */
export interface DogStatsDEnv {
  url?: Endpoint;
  socket?: string;
  host?: string;
  port?: number;
  issues: string[];
}

const envLabel = (name: string): string => `environment variable ${name}`;

/** A variable's value, or undefined when unset or blank (the Agent ignores empty variables). */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * Parses `udp://host:port` (IPv6 hosts in brackets: `udp://[::1]:8125`) or `unix:///path`.
 * Returns the endpoint or a description of what is wrong.
 */
export function parseDogStatsDUrl(url: string): Endpoint | { error: string } {
  if (url.startsWith('unix://')) {
    const path = url.slice('unix://'.length);
    if (!path.startsWith('/') || path.length < 2) return { error: 'must be unix:///absolute/path/to/socket' };
    return { protocol: 'uds', path };
  }
  if (url.startsWith('udp://')) {
    const m = /^udp:\/\/(\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+):([^\s/:]*)$/.exec(url);
    if (!m) return { error: 'must be udp://host:port (an IPv6 host in brackets: udp://[::1]:8125)' };
    const port = parsePort(m[2]);
    if (port === undefined) return { error: 'port must be a number from 1 to 65535' };
    const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    return { protocol: 'udp', host, port };
  }
  return { error: 'must be udp://host:port or unix:///path/to/socket' };
}

/** Reads DD_DOGSTATSD_URL, DD_DOGSTATSD_SOCKET, DD_AGENT_HOST and DD_DOGSTATSD_PORT. */
export function readDogStatsDEnv(env: NodeJS.ProcessEnv): DogStatsDEnv {
  const out: DogStatsDEnv = { issues: [] };
  const url = envValue(env, 'DD_DOGSTATSD_URL');
  if (url !== undefined) {
    const parsed = parseDogStatsDUrl(url);
    if ('error' in parsed) out.issues.push(`${envLabel('DD_DOGSTATSD_URL')}: ${parsed.error} (got ${JSON.stringify(url)})`);
    else out.url = parsed;
  }
  out.socket = envValue(env, 'DD_DOGSTATSD_SOCKET');
  const host = envValue(env, 'DD_AGENT_HOST');
  if (host !== undefined) {
    // A name, an IPv4 address or an IPv6 address (bare or in brackets); not host:port, not a URL.
    const colons = (host.match(/:/g) ?? []).length;
    if (/[\s/]/.test(host) || colons === 1) {
      out.issues.push(`${envLabel('DD_AGENT_HOST')}: must be a host name or IP address, without port or scheme (got ${JSON.stringify(host)})`);
    } else {
      out.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    }
  }
  const port = envValue(env, 'DD_DOGSTATSD_PORT');
  if (port !== undefined) {
    const n = parsePort(port);
    if (n === undefined) out.issues.push(`${envLabel('DD_DOGSTATSD_PORT')}: must be a port number from 1 to 65535 (got ${JSON.stringify(port)})`);
    else out.port = n;
  }
  return out;
}

/**
 * The DogStatsD target of one instance. `given` is the instance's `dogstatsd` section as written
 * (no defaults), already checked for url/socket/host-port exclusivity; a conf url that does not
 * parse was reported by the caller and is ignored here.
 */
export function resolveDogStatsDTarget(given: DogStatsDSettings, denv: DogStatsDEnv): DogStatsDTarget {
  const parsedUrl = given.url === undefined ? undefined : parseDogStatsDUrl(given.url);
  const confUrl = parsedUrl && !('error' in parsedUrl) ? parsedUrl : undefined;
  let endpoint: Endpoint;
  let source: DogStatsDTarget['source'];
  if (denv.url) {
    endpoint = denv.url;
    source = 'env';
  } else if (denv.socket !== undefined) {
    endpoint = { protocol: 'uds', path: denv.socket };
    source = 'env';
  } else if (denv.host !== undefined || denv.port !== undefined) {
    // Each variable overrides its own part; the other part comes from conf.yaml (a udp url or
    // host/port) or the default. A conf socket or unix url contributes nothing to UDP.
    const base = confUrl?.protocol === 'udp' ? confUrl : { host: given.host, port: given.port };
    endpoint = {
      protocol: 'udp',
      host: denv.host ?? base.host ?? DEFAULT_DOGSTATSD_HOST,
      port: denv.port ?? base.port ?? DEFAULT_DOGSTATSD_PORT,
    };
    source = 'env';
  } else if (confUrl) {
    endpoint = confUrl;
    source = 'config';
  } else if (given.socket !== undefined) {
    endpoint = { protocol: 'uds', path: given.socket };
    source = 'config';
  } else if (given.host !== undefined || given.port !== undefined) {
    endpoint = { protocol: 'udp', host: given.host ?? DEFAULT_DOGSTATSD_HOST, port: given.port ?? DEFAULT_DOGSTATSD_PORT };
    source = 'config';
  } else {
    endpoint = { protocol: 'udp', host: DEFAULT_DOGSTATSD_HOST, port: DEFAULT_DOGSTATSD_PORT };
    source = 'default';
  }
  const common = {
    originDetection: given.origin_detection ?? DOGSTATSD.origin_detection.default,
    clientTelemetry: given.client_telemetry ?? DOGSTATSD.client_telemetry.default,
    packValues: given.pack_values ?? DOGSTATSD.pack_values.default,
    source,
  };
  if (endpoint.protocol === 'uds') {
    const max = Math.min(given.max_datagram_bytes ?? MAX_UDS_DATAGRAM_BYTES, MAX_UDS_DATAGRAM_BYTES);
    return { protocol: 'uds', path: endpoint.path, maxDatagramBytes: max, ...common };
  }
  return {
    protocol: 'udp',
    host: endpoint.host,
    port: endpoint.port,
    maxDatagramBytes: given.max_datagram_bytes ?? DEFAULT_UDP_DATAGRAM_BYTES,
    ...common,
  };
}

// ---------------------------------------------------------------------------------------------
// Tags

/** The schema's rule for `tags` items: starts with a letter, no whitespace, ',', '|' or '#'. */
const TAG_RE = new RegExp(INSTANCE.tags.items.pattern);
const TAG_RULE = "a tag starts with a letter and has at most 200 characters, no spaces, ',', '|' or '#'";

/** Splits DD_TAGS as the Agent does: on commas when there is one, else on whitespace. */
export function splitDdTags(value: string | undefined): string[] {
  if (value === undefined) return [];
  const parts = value.includes(',') ? value.split(',') : value.split(/\s+/);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The key of a tag: the part before the first ':' (the whole tag when there is none). */
export function tagKey(tag: string): string {
  const i = tag.indexOf(':');
  return i < 0 ? tag : tag.slice(0, i);
}

/** Tags that come from the environment: DD_ENV, DD_TAGS (metrics) and DD_SERVICE, DD_VERSION (telemetry). */
export interface EnvTags {
  /** `env:<DD_ENV>` then the DD_TAGS entries (an `env:` entry of DD_TAGS gives way to DD_ENV). */
  metric: string[];
  /** `service:<DD_SERVICE>`, `version:<DD_VERSION>`: they describe the forwarder only. */
  forwarder: string[];
  issues: string[];
}

export function readEnvTags(env: NodeJS.ProcessEnv): EnvTags {
  const issues: string[] = [];
  const single = (name: string, key: string): string[] => {
    const v = envValue(env, name);
    if (v === undefined) return [];
    const tag = `${key}:${v}`;
    if (!TAG_RE.test(tag)) {
      issues.push(`${envLabel(name)}: must make a valid tag ${key}:<value>; ${TAG_RULE} (got ${JSON.stringify(v)})`);
      return [];
    }
    return [tag];
  };
  const envTag = single('DD_ENV', 'env');
  const ddTags: string[] = [];
  for (const t of splitDdTags(envValue(env, 'DD_TAGS'))) {
    if (!TAG_RE.test(t)) issues.push(`${envLabel('DD_TAGS')}: ${TAG_RULE} (got ${JSON.stringify(t)})`);
    else if (!(envTag.length > 0 && tagKey(t) === 'env')) ddTags.push(t);
  }
  const forwarder = [...single('DD_SERVICE', 'service'), ...single('DD_VERSION', 'version')];
  return { metric: dedupe([...envTag, ...ddTags]), forwarder, issues };
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags)];
}

/** Later lists give way to earlier ones: a tag whose key an earlier list already has is dropped. */
function mergeByKey(first: string[], then: string[]): string[] {
  const keys = new Set(first.map(tagKey));
  return dedupe([...first, ...then.filter((t) => !keys.has(tagKey(t)))]);
}

/** Tags of algorithm metrics: env tags first; an instance tag with the same key as an env tag is dropped. */
export function metricTagsFor(envTags: EnvTags, instanceTags: readonly string[]): string[] {
  return mergeByKey(envTags.metric, [...instanceTags]);
}

/** Tags of the forwarder's own telemetry: metricTags plus service/version (which win on their key). */
export function telemetryTagsFor(envTags: EnvTags, metricTags: readonly string[]): string[] {
  const keys = new Set(envTags.forwarder.map(tagKey));
  return dedupe([...metricTags.filter((t) => !keys.has(tagKey(t))), ...envTags.forwarder]);
}
