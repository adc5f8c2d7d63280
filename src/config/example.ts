/**
 * Generates conf.yaml.example from the schema, in Datadog's `@param` convention (the format
 * `ddev validate config` checks):
 *
 *     ## @param <name> - <type> - required|optional[ - default: <value>]
 *     ## <description, wrapped at 120 characters>
 *     #
 *     <name>: <value>          (required)
 *     # <name>: <value>        (optional: commented out)
 *
 * Nested objects are `object` blocks whose members have their own blocks, indented by two.
 * The file is written by `npm run gen:example`; a unit test fails when it drifts.
 */
import { stringify } from 'yaml';
import { InsightsError } from '../errors';
import { configSchema, DEFAULT_CONFIG_PATH } from './schema';

export const MAX_LINE = 120;
const INDENT = 4;
const GENERATOR = 'src/config/schema.ts';

interface Node {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  additionalProperties?: unknown;
  required?: readonly string[];
  items?: Node;
  'x-example'?: unknown;
  'x-env'?: string;
  'x-warning'?: string;
  'x-secret'?: boolean;
}

/** The @param type of a schema node. */
export function paramType(node: Node): string {
  if (node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array'))) return `list of ${paramType(node.items ?? {})}s`;
  if (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'))) {
    return node.properties ? 'object' : 'dictionary';
  }
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'double';
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'string') return 'string';
  // A fairness group value: as the message has it.
  if (Array.isArray(node.type) && node.type.length === 2 && node.type.includes('string') && node.type.includes('number')) return 'string or number';
  if (node.enum) {
    const kinds = new Set(node.enum.map((v) => typeof v));
    if (kinds.size === 1 && kinds.has('number')) return 'double';
    if (kinds.size === 1 && kinds.has('boolean')) return 'boolean';
    return 'string';
  }
  throw new InsightsError('CONFIG_INVALID', `example generator: the schema node ${JSON.stringify(node)} has no @param type`);
}

function scalar(v: unknown): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

/** Word-wraps `text` into lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur !== '' && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur === '' ? word : `${cur} ${word}`;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

function comment(indent: number, text: string): string[] {
  const pad = ' '.repeat(indent);
  return wrap(text, MAX_LINE - indent - 3).map((l) => `${pad}## ${l}`);
}

/** The value shown for an option: its example, else its default, else a placeholder. */
function shownValue(name: string, node: Node): unknown {
  if (node['x-example'] !== undefined) return node['x-example'];
  if (node.default !== undefined && !(Array.isArray(node.default) && node.default.length === 0)) return node.default;
  const placeholder = `<${name.toUpperCase()}>`;
  return node.type === 'array' ? [placeholder] : placeholder;
}

/** The option's YAML lines (uncommented, at indentation 0). */
function valueLines(name: string, node: Node): string[] {
  const v = shownValue(name, node);
  // A list of objects (fairness checks): each entry as a block mapping under its dash.
  if (Array.isArray(v)) return [`${name}:`, ...v.flatMap((x) => (isMap(x) ? Object.entries(x).map(([k, y], j) => `  ${j === 0 ? '-' : ' '} ${k}: ${Array.isArray(y) ? JSON.stringify(y) : scalar(y)}`) : [`  - ${scalar(x)}`]))];
  if (v !== null && typeof v === 'object') return [`${name}:`, ...Object.entries(v).map(([k, x]) => `  ${k}: ${scalar(x)}`)];
  return [`${name}: ${scalar(v)}`];
}

const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** The keys of a list's objects, one comment line each (the list itself has no @param per key). */
function itemKeys(indent: number, node: Node): string[] {
  const items = node.items;
  if (items?.properties === undefined) return [];
  const req = new Set(items.required ?? []);
  return Object.entries(items.properties).flatMap(([k, child]) =>
    comment(indent, `- ${k} (${paramType(child)}, ${req.has(k) ? 'required' : `optional${defaultText(child)}`}): ${child.description ?? k}`),
  );
}

function defaultText(node: Node): string {
  if (node.default === undefined || node.properties) return '';
  const d = node.default;
  // A list default is written in flow style on the @param line: `["trailing","previous_version"]`.
  const text = Array.isArray(d) ? JSON.stringify(d) : typeof d === 'object' && d !== null && Object.keys(d).length === 0 ? '{}' : scalar(d);
  return ` - default: ${text}`;
}

/** One @param block, plus the blocks of an object's members. */
function block(name: string, node: Node, required: boolean, indent: number, parentCommented: boolean): string[] {
  const pad = ' '.repeat(indent);
  const commented = parentCommented || !required;
  const out = [`${pad}## @param ${name} - ${paramType(node)} - ${required ? 'required' : 'optional'}${required ? '' : defaultText(node)}`];
  out.push(...comment(indent, node.description ?? name));
  if (node['x-env']) out.push(...comment(indent, `The environment variable ${node['x-env']} takes precedence over this setting.`));
  if (node['x-secret']) out.push(...comment(indent, 'This is a secret: it is never logged, and print-config shows it as ***.'));
  if (node['x-warning']) out.push(...comment(indent, `WARNING: ${node['x-warning']}`));
  out.push(...itemKeys(indent, node));
  out.push(`${pad}#`);
  const prefix = commented ? '# ' : '';
  if (node.properties) {
    out.push(`${pad}${prefix}${name}:`);
    const req = new Set(node.required ?? []);
    for (const [k, child] of Object.entries(node.properties)) {
      out.push('', ...block(k, child, req.has(k), indent + 2, commented));
    }
    return out;
  }
  return [...out, ...valueLines(name, node).map((l) => `${pad}${prefix}${l}`)];
}

function section(node: Node, indent: number): string[] {
  const req = new Set(node.required ?? []);
  const out: string[] = [];
  for (const [k, child] of Object.entries(node.properties ?? {})) {
    if (out.length > 0) out.push('');
    out.push(...block(k, child, req.has(k), indent, false));
  }
  return out;
}

export function generateExample(): string {
  const root = configSchema as unknown as Node;
  const init = root.properties?.init_config ?? {};
  const instances = root.properties?.instances ?? {};
  const instance = instances.items ?? {};

  const instanceLines = section(instance, INDENT);
  // The list item starts at the first option written plainly (a required one): `  - name: value`.
  const first = instanceLines.findIndex((l) => l.startsWith(' '.repeat(INDENT)) && /^[A-Za-z_]/.test(l.slice(INDENT)));
  if (first < 0) throw new InsightsError('CONFIG_INVALID', 'example generator: the schema of an instance needs at least one required option');
  instanceLines[first] = `${' '.repeat(INDENT - 2)}- ${instanceLines[first].slice(INDENT)}`;

  const lines = [
    ...comment(0, `GENERATED FILE: do not edit. It is generated from ${GENERATOR} by \`npm run gen:example\`; edit ${GENERATOR} and run \`npm run gen:example\` again.`),
    '##',
    ...comment(0, 'Algorithmia Insights integration for Datadog: the forwarder reads the Insights Kafka topic and sends metrics to the Datadog Agent through DogStatsD.'),
    ...comment(0, `Copy this file to ${DEFAULT_CONFIG_PATH} (or pass -c <PATH>). Do not put it in the Agent's conf.d/ folder: the Agent would try to load a Python check of that name.`),
    ...comment(0, 'DD_* environment variables (DD_DOGSTATSD_URL, DD_DOGSTATSD_SOCKET, DD_AGENT_HOST, DD_DOGSTATSD_PORT, DD_ENV, DD_TAGS) take precedence over the matching settings here, as with the Datadog Agent.'),
    '',
    'init_config:',
    '',
    ...comment(INDENT, init.description ?? ''),
    '',
    ...section(init, INDENT),
    '',
    'instances:',
    '',
    ...comment(INDENT, instances.description ?? ''),
    '',
    ...instanceLines,
  ];
  return `${lines.join('\n')}\n`;
}
