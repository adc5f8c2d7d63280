/**
 * The release artifact: `npm pack` of the build, installed with `npm install -g` into a temporary
 * prefix, runs as the `algorithmia-insights` command. It needs no broker; it lives here because
 * this project's globalSetup has just built dist/ (packing with `--ignore-scripts` so that the
 * prepack build does not rewrite dist/ under the integration tests running beside it).
 */
import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws on a non-zero exit, so that the test asserts it. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024, timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('the packed release artifact', () => {
  let dir: string;
  let tarball: string;
  let entries: string[];
  let bin: string;
  let installed: string;
  // A clean environment: no NODE_PATH that could lend the installed command this checkout's modules.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: '', npm_config_loglevel: 'warn' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aik-pack-'));
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env });
    expect({ code: pack.code, stderr: pack.code === 0 ? '' : pack.stderr }).toEqual({ code: 0, stderr: '' });
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
    tarball = join(dir, info.filename);
    // What the tarball really holds (tar's listing, not npm's report), without the "package/" root.
    const list = await run('tar', ['-tzf', tarball], { cwd: dir });
    expect(list.code).toBe(0);
    entries = list.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
    const prefix = join(dir, 'prefix');
    const install = await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--allow-scripts=unix-dgram', tarball],
      { cwd: dir, env },
    );
    expect({ code: install.code, stderr: install.code === 0 ? '' : install.stderr }).toEqual({ code: 0, stderr: '' });
    bin = join(prefix, 'bin', 'algorithmia-insights');
    installed = join(prefix, 'lib', 'node_modules', pkg.name);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is named after the package version and holds the runtime, the assets and the docs', () => {
    expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
    for (const f of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'conf.yaml.example',
      'metadata.csv',
      'manifest.json',
      'assets/service_checks.json',
      'assets/dashboards/algorithmia.json',
      'dist/src/cli.js',
      'dist/src/encode/encoderWorker.js',
    ])
      expect({ f, packed: entries.includes(f) }).toEqual({ f, packed: true });
    for (const m of readdirSync(join(ROOT, 'assets', 'monitors'))) expect(entries).toContain(`assets/monitors/${m}`);
  });

  it('holds no sources, tests, bench, scripts or source maps', () => {
    const stray = entries.filter(
      (p) => /^(src|test|bench|scripts|deploy|docs|node_modules|\.ci)\//.test(p) || /^dist\/(?!src\/)/.test(p) || /\.(ts|map)$/.test(p),
    );
    expect(stray).toEqual([]);
  });

  it('installs as the algorithmia-insights command, which prints the package version', async () => {
    const r = await run(bin, ['--version'], { cwd: dir, env });
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('validates a configuration from the installed copy, and refuses a bad one with exit 2', async () => {
    const good = join(dir, 'conf.yaml');
    writeFileSync(good, ['init_config:', '', 'instances:', '  - kafka_connect_str:', '      - 127.0.0.1:9092', '    topic: insights', '    consumer_group: algorithmia-insights-datadog', ''].join('\n'));
    const ok = await run(bin, ['validate', '-c', good], { cwd: dir, env });
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^OK\b.*conf\.yaml/m);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['init_config:', '', 'instances:', '  - kafka_connect_str:', '      - 127.0.0.1:9092', '    consumer_group: g', ''].join('\n'));
    const no = await run(bin, ['validate', '-c', bad], { cwd: dir, env });
    expect(no.code).toBe(2);
    expect(no.stdout + no.stderr).toMatch(/topic/);
  });

  it('needs no dev dependency at run time: every module the installed code requires is a runtime dependency or built in', () => {
    const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const builtin = new Set(builtinModules);
    const required = new Set<string>();
    for (const f of filesUnder(join(installed, 'dist', 'src')).filter((p) => p.endsWith('.js'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/require\((["'`])([^"'`$]+)\1\)/g)) {
        const spec = m[2];
        if (spec.startsWith('.') || spec.startsWith('node:') || builtin.has(spec)) continue;
        required.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(required.size).toBeGreaterThan(0);
    expect([...required].filter((m) => !runtime.has(m))).toEqual([]);
    // npm install -g installs no dev dependency, so the command above ran without them.
    expect(Object.keys(pkg.devDependencies).filter((d) => existsSync(join(installed, 'node_modules', d)))).toEqual([]);
  });
});
