/**
 * JSON Schema validation of the parsed file (ajv, every error at once, schema defaults applied in
 * place) and the translation of each ajv error into the user's terms:
 * `<key path>: <what is expected> (got <value>)`, with a hint for unknown keys.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { configSchema } from './schema';
import { describeValue, formatPath, orderOf, TOP, type Issues, type Json } from './issues';

/** The custom annotations of schema.ts, declared so that ajv's strict mode accepts them. */
export const SCHEMA_ANNOTATIONS = ['x-secret', 'x-example', 'x-env', 'x-pattern-hint', 'x-warning'] as const;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true, keywords: [...SCHEMA_ANNOTATIONS] });
addFormats(ajv, ['regex']);
const validate = ajv.compile(configSchema as object);

type SchemaNode = Json & { properties?: Record<string, SchemaNode>; items?: SchemaNode };

/**
 * Validates `data` against the schema, filling in defaults, and adds one issue per problem.
 * Returns the indexes of the instances that failed (the cross-field rules skip them).
 */
export function validateSchema(data: unknown, issues: Issues): Set<number> {
  const badInstances = new Set<number>();
  if (validate(data)) return badInstances;
  for (const e of validate.errors ?? []) {
    const { segments, text } = describeAjvError(e, data);
    const order = orderOf(segments);
    if (order >= 0) badInstances.add(order);
    issues.add(order, text);
  }
  return badInstances;
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
    case 'uniqueItems': {
      const twice = Array.isArray(e.data) ? describeValue(e.data[Number(p.j)], parent['x-secret'] === true) : got();
      return { segments, text: `${at}: must not list an entry twice (got ${twice} twice)` };
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
