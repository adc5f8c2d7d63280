/**
 * The effective config for `print-config`, with every secret shown as `***`: each key marked
 * `x-secret` in the schema, and every secret resolved at load (the SASL password, the TLS key and
 * its passphrase). The names in `*_env` and the paths in `*_file` are not secret and stay.
 * As a last guard, any other occurrence of a secret value (in any string or key) is masked too.
 */
import { configSchema } from './schema';
import type { ResolvedConfig, ResolvedInstance } from './resolved';

export const MASK = '***';

export type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode; 'x-secret'?: boolean };

const schemaRoot = configSchema as unknown as SchemaNode;
const initSchema = schemaRoot.properties?.init_config;
const instanceSchema = schemaRoot.properties?.instances?.items;

/** Copies `value` to plain JSON data, masking every property whose schema is `x-secret`. */
export function maskBySchema(value: unknown, node: SchemaNode | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => maskBySchema(v, node?.items));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = node?.properties?.[k];
    out[k] = child?.['x-secret'] === true && v !== undefined ? MASK : maskBySchema(v, child);
  }
  return out;
}

export function secretsOf(inst: ResolvedInstance): string[] {
  return [inst.saslPassword, inst.sasl?.password, inst.tls?.key_passphrase, inst.tlsFiles?.key, inst.tlsFiles?.keyPassphrase].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

/** Replaces every occurrence of a secret in every string and key. */
export function scrub(value: unknown, secrets: readonly string[]): unknown {
  const clean = (s: string): string => secrets.reduce((acc, secret) => acc.split(secret).join(MASK), s);
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), scrub(v, secrets)]));
}

/** Every secret value of the config, longest first, so that a secret containing another is masked whole. */
export function secretValues(cfg: ResolvedConfig): string[] {
  return [...new Set(cfg.instances.flatMap(secretsOf))].sort((a, b) => b.length - a.length);
}

export function redactConfig(cfg: ResolvedConfig): unknown {
  const instances = cfg.instances.map((inst) => {
    const { saslPassword, tlsFiles, ...rest } = inst;
    const out = maskBySchema(rest, instanceSchema) as Record<string, unknown>;
    if (saslPassword !== undefined) out.saslPassword = MASK;
    if (tlsFiles !== undefined) {
      out.tlsFiles = {
        ...(tlsFiles.ca !== undefined ? { ca: tlsFiles.ca } : {}),
        ...(tlsFiles.cert !== undefined ? { cert: tlsFiles.cert } : {}),
        ...(tlsFiles.key !== undefined ? { key: MASK } : {}),
        ...(tlsFiles.keyPassphrase !== undefined ? { keyPassphrase: MASK } : {}),
      };
    }
    return out;
  });
  return scrub({ file: cfg.file, init: maskBySchema(cfg.init, initSchema), instances }, secretValues(cfg));
}
