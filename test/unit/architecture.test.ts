/**
 * The layout's rules (ARCHITECTURE.md), checked on the sources: pure stages import nothing from
 * the runtime side, no import cycle between folders of src/, no file in src/ over 300 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Folder of a file under src/; a file at its root (cli, errors, tunables) is a node of its own. */
const nodeOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0] : rel.replace(/\.ts$/, ''));
const folderOf = (file: string) => nodeOf(relative(SRC, file));

/** Every relative import of a file, as the folder under src/ it lands in. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]));
  return targets.filter((t) => t.startsWith(SRC)).map((t) => nodeOf(relative(SRC, t)));
}

const FILES = sources(SRC);
const EDGES = new Map<string, Set<string>>();
for (const f of FILES) {
  const from = folderOf(f);
  for (const to of importedFolders(f)) if (to !== from) (EDGES.get(from) ?? EDGES.set(from, new Set()).get(from)!).add(to);
}

describe('architecture', () => {
  it('finds the folders it checks', () => {
    expect([...new Set(FILES.map(folderOf))].sort()).toEqual(expect.arrayContaining(['config', 'decode', 'encode', 'map', 'runtime', 'sink', 'source', 'telemetry']));
  });

  it.each(['decode', 'map', 'sink'])('the pure stage %s imports nothing from the runtime side', (stage) => {
    const runtimeSide = ['runtime', 'source', 'telemetry', 'encode', 'cli.ts', 'log'];
    const bad = FILES.filter((f) => folderOf(f) === stage).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)]
        .map((m) => relative(SRC, resolve(dirname(f), m[1])))
        .filter((target) => runtimeSide.some((side) => target === side.replace('.ts', '') || target.startsWith(`${side}/`)))
        .map((target) => `${relative(SRC, f)} -> ${target}`),
    );
    expect(bad).toEqual([]);
  });

  it('has no import cycle between folders of src/', () => {
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of EDGES.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else visit(next, [...path, next]);
      }
    };
    for (const start of EDGES.keys()) visit(start, [start]);
    expect(cycles).toEqual([]);
  });

  it('keeps every file in src/ within 300 lines (the declarative config schema within 400)', () => {
    const long = FILES.map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter(({ file, lines }) => lines > (file === 'config/schema.ts' ? 400 : 300))
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
