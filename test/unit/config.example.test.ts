import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { generateExample, MAX_LINE } from '../../src/config/example';
import { parseConfig, SCHEMA_ANNOTATIONS } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';

const EXAMPLE_PATH = resolve(__dirname, '../../conf.yaml.example');
const onDisk = readFileSync(EXAMPLE_PATH, 'utf8');
const lines = onDisk.split('\n');

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
  items?: SchemaNode;
  default?: unknown;
  'x-env'?: string;
  'x-warning'?: string;
}
const root = configSchema as unknown as SchemaNode;
const initNode = root.properties!.init_config;
const instanceNode = root.properties!.instances.items!;

/** Every option of the schema as `section.path` -> its schema node and whether it is required. */
function schemaOptions(): Map<string, { node: SchemaNode; required: boolean }> {
  const out = new Map<string, { node: SchemaNode; required: boolean }>();
  const walk = (node: SchemaNode, prefix: string): void => {
    const req = new Set(node.required ?? []);
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      out.set(`${prefix}.${k}`, { node: child, required: req.has(k) });
      if (child.properties) walk(child, `${prefix}.${k}`);
    }
  };
  walk(initNode, 'init_config');
  walk(instanceNode, 'instances');
  return out;
}

interface Block {
  path: string;
  name: string;
  type: string;
  required: boolean;
  defaultText?: string;
  indent: number;
  line: number;
  description: string[];
  commented: boolean;
  optionLines: string[];
}

const PARAM_RE = /^## @param ([a-zA-Z0-9_-]+) - (.+?) - (required|optional)( - default: .*)?$/;
const TYPE_RE = /^(boolean|string|integer|double|float|object|dictionary)$|^list/;

/** Reads every @param block; structural problems are collected, not thrown, so one run shows them all. */
function readBlocks(): { blocks: Block[]; problems: string[] } {
  const blocks: Block[] = [];
  const problems: string[] = [];
  let section = '';
  const stack: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === 'init_config:' || l === 'instances:') section = l.slice(0, -1);
    const m = /^( *)## @param /.exec(l);
    if (!m) continue;
    const at = `line ${i + 1}`;
    const indent = m[1].length;
    const head = PARAM_RE.exec(l.slice(indent));
    if (!head) {
      problems.push(`${at}: bad @param line: ${l}`);
      continue;
    }
    const [, name, type, req, def] = head;
    if (!TYPE_RE.test(type)) problems.push(`${at}: type ${type} is not a Datadog @param type`);
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1];
    const pad = ' '.repeat(indent);
    const description: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].startsWith(`${pad}## `); j++) {
      const text = lines[j].slice(indent + 3);
      if (text.trim() === '') problems.push(`line ${j + 1}: empty description line`);
      if (lines[j].length > MAX_LINE) problems.push(`line ${j + 1}: description line longer than ${MAX_LINE}`);
      description.push(text);
    }
    if (description.length === 0) problems.push(`${at}: ${name} has no description`);
    if (lines[j] !== `${pad}#`) problems.push(`line ${j + 1}: expected a line holding only "#" before the option ${name} (got ${JSON.stringify(lines[j])})`);
    j++;
    const opt = lines[j] ?? '';
    const commentedOpt = opt.startsWith(`${pad}# ${name}:`);
    const plainOpt = opt.startsWith(`${pad}${name}:`) || (indent >= 2 && opt.startsWith(`${' '.repeat(indent - 2)}- ${name}:`));
    if (!commentedOpt && !plainOpt) problems.push(`line ${j + 1}: expected the option ${name} at indentation ${indent} (got ${JSON.stringify(opt)})`);
    const optionLines = [opt];
    const isObject = type === 'object';
    if (isObject && !/^ *(# |- )?[a-zA-Z0-9_-]+:$/.test(opt)) problems.push(`line ${j + 1}: object ${name} must have nothing after the colon`);
    if (!isObject) {
      for (let k = j + 1; k < lines.length && lines[k] !== ''; k++) {
        const cont = lines[k];
        const ok = commentedOpt ? cont.startsWith(`${pad}#   `) : cont.startsWith(`${pad}  `) && !cont.trimStart().startsWith('#');
        if (!ok) problems.push(`line ${k + 1}: continuation of ${name} must keep its indentation and comment state`);
        optionLines.push(cont);
      }
    }
    const path = parent ? `${parent.path}.${name}` : `${section}.${name}`;
    const block: Block = {
      path,
      name,
      type,
      required: req === 'required',
      defaultText: def?.slice(' - default: '.length),
      indent,
      line: i + 1,
      description,
      commented: commentedOpt,
      optionLines,
    };
    const mustComment = (parent?.commented ?? false) || !block.required;
    if (commentedOpt !== mustComment) {
      problems.push(`${at}: ${path} is ${block.required ? 'required' : 'optional'} and must be ${mustComment ? 'commented out' : 'written plainly'}`);
    }
    if (parent && indent !== parent.indent + 2) problems.push(`${at}: member ${name} of ${parent.name} must be indented by 2 more`);
    blocks.push(block);
    if (isObject) stack.push(block);
  }
  return { blocks, problems };
}

const { blocks, problems } = readBlocks();

describe('conf.yaml.example', () => {
  it('is up to date with the schema', () => {
    const generated = generateExample();
    if (onDisk !== generated) {
      const a = onDisk.split('\n');
      const b = generated.split('\n');
      const n = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `conf.yaml.example differs from what src/config/schema.ts generates (first at line ${n + 1}: ` +
          `${JSON.stringify(a[n])} vs ${JSON.stringify(b[n])}). Run \`npm run gen:example\` and commit the result.`,
      );
    }
  });

  it('parses and validates as a config file, with a valid instance', () => {
    const cfg = parseConfig(onDisk, EXAMPLE_PATH, {});
    expect(cfg.init.log_level).toBe('info');
    expect(cfg.instances).toHaveLength(1);
    expect(cfg.instances[0]).toMatchObject({ kafka_connect_str: ['localhost:9092'], topic: 'insights', name: 'insights' });
    expect(cfg.instances[0].dogstatsd.source).toBe('default');
  });

  it('has the generated-file header and the two top-level keys with nothing after the colon', () => {
    expect(lines[0]).toMatch(/^## GENERATED FILE: do not edit\./);
    expect(lines.slice(0, 3).join(' ')).toContain('src/config/schema.ts');
    expect(lines.slice(0, 3).join(' ')).toContain('npm run gen:example');
    expect(lines.filter((l) => /^\S/.test(l) && !l.startsWith('##'))).toEqual(['init_config:', 'instances:']);
    expect(lines.indexOf('init_config:')).toBeLessThan(lines.indexOf('instances:'));
  });

  it('never has a logs line (Datadog would demand the Log Collection tag)', () => {
    expect(onDisk.toLowerCase()).not.toContain('# logs');
    expect(onDisk.toLowerCase()).not.toContain('# log collection');
  });

  it('follows the @param block rules', () => {
    expect(problems).toEqual([]);
    for (const l of lines) if (/^\s*#/.test(l)) expect(l.length).toBeLessThanOrEqual(MAX_LINE);
  });

  it('has exactly one @param block per schema option, at the right level, with its required flag', () => {
    const options = schemaOptions();
    expect(blocks.map((b) => b.path).sort()).toEqual([...options.keys()].sort());
    for (const b of blocks) expect({ path: b.path, required: b.required }).toEqual({ path: b.path, required: options.get(b.path)!.required });
    const names = new Map<string, number>();
    for (const b of blocks.filter((x) => x.path.startsWith('instances.'))) names.set(b.name, (names.get(b.name) ?? 0) + 1);
    // ddev flattens nested blocks into their parent's level: names must be unique within a section.
    expect([...names].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('states the schema default of every optional scalar', () => {
    for (const b of blocks) {
      const { node, required } = schemaOptions().get(b.path)!;
      if (required || node.properties || node.default === undefined) continue;
      const expected = Array.isArray(node.default) ? JSON.stringify(node.default) : typeof node.default === 'object' ? '{}' : String(node.default);
      expect({ path: b.path, default: b.defaultText }).toEqual({ path: b.path, default: expected });
    }
  });

  it('names the environment variable of x-env keys and warns on request and session tags', () => {
    for (const b of blocks) {
      const { node } = schemaOptions().get(b.path)!;
      if (node['x-env']) expect(b.description.join(' ')).toContain(node['x-env']);
    }
    for (const name of ['tag_request_id', 'tag_session_id']) {
      expect(blocks.find((b) => b.path === `instances.${name}`)!.description.join(' ')).toMatch(/WARNING: .*time series/);
    }
  });

  it('shows a value for every option that is valid for that option', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, keywords: [...SCHEMA_ANNOTATIONS] });
    addFormats(ajv, ['regex']);
    const options = schemaOptions();
    for (const b of blocks.filter((x) => x.type !== 'object')) {
      const text = b.optionLines
        .map((l) => l.slice(b.indent))
        .map((l) => (l.startsWith('# ') ? l.slice(2) : l))
        .map((l, i) => (i === 0 && l.startsWith('- ') ? l.slice(2) : l))
        .join('\n');
      const value = (parse(text) as Record<string, unknown>)[b.name];
      const ok = ajv.validate(options.get(b.path)!.node as object, value);
      expect({ path: b.path, value, errors: ok ? null : ajv.errors }).toEqual({ path: b.path, value, errors: null });
    }
  });
});
