/**
 * YAML text -> plain data. A syntax error is reported by line and column with yaml's first
 * message line only; near a secret key (`password:`, `key_passphrase:`), only messages known
 * never to quote the source are shown, so no secret value is echoed from the file.
 */
import { parseDocument, type YAMLParseError } from 'yaml';
import { ConfigError } from '../errors';
import { configSchema } from './schema';

type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode; type?: unknown; 'x-secret'?: boolean };

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

/** One yaml parse error -> `line L, column C: <message>`, withheld near a secret. */
export function yamlIssue(e: YAMLParseError, sourceLines: string[]): string {
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

/** Parses one YAML document; CONFIG_PARSE lists every syntax error. `file` names it in messages. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const sourceLines = text.split(/\r?\n/);
    throw new ConfigError('CONFIG_PARSE', file, doc.errors.map((e) => yamlIssue(e, sourceLines)));
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw new ConfigError('CONFIG_PARSE', file, [String((err as Error).message ?? err).split('\n')[0]]);
  }
}
