/**
 * `npm run gen:example`: writes conf.yaml.example at the repository root from the config schema.
 * `--check` writes nothing and exits 1 when the file on disk differs (for CI).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateExample } from '../src/config/example';

/** The repository root: the nearest folder above this script holding package.json and tsconfig.json (works from dist/ too). */
function repoRoot(): string {
  let dir = __dirname;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json with tsconfig.json above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const EXAMPLE_FILE = 'conf.yaml.example';

function main(): number {
  const file = join(repoRoot(), EXAMPLE_FILE);
  const text = generateExample();
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (process.argv.includes('--check')) {
    if (current === text) return 0;
    process.stderr.write(`${file} is out of date with src/config/schema.ts: run \`npm run gen:example\`\n`);
    return 1;
  }
  if (current !== text) writeFileSync(file, text);
  process.stdout.write(`${current === text ? 'unchanged' : 'wrote'} ${file}\n`);
  return 0;
}

process.exitCode = main();
