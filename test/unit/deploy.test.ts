/**
 * Static checks of the deployment files in deploy/ (Dockerfile, systemd unit, supervisord
 * program, compose example) and .dockerignore. Docker and systemd cannot run here, so these
 * tests parse the files and assert the properties that matter: a supported Node LTS base, a
 * non-root user, exec-form entry points that exist in the build layout, stop timeouts longer
 * than the schema's default shutdown_timeout_seconds, and no restart loop on a bad config
 * (exit 2). Where systemd-analyze is installed, the unit is also verified by it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';

const ROOT = resolve(__dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

/** Node.js majors that are LTS and still supported (Node 20 reached end of life in April 2026). */
const SUPPORTED_LTS_MAJORS = [22, 24];
/** Where deploy/README.md installs the application for systemd and supervisord. */
const INSTALL_DIR = '/opt/algorithmia-insights';
const SERVICE_USER = 'algorithmia-insights';
/** Seconds the process may still need after shutdown_timeout_seconds to leave (measured: ~2 s). */
const EXIT_MARGIN_SECONDS = 5;

const DEFAULT_SHUTDOWN_SECONDS: number = configSchema.properties.init_config.properties.shutdown_timeout_seconds.default;

const pkg = JSON.parse(read('package.json')) as { version: string; bin: Record<string, string>; engines?: { node?: string } };
const BIN = posix.normalize(pkg.bin['algorithmia-insights']);
/** The node flags of the bin's shebang (src/cli.ts, their one source): every launcher passes the same. */
const NODE_FLAGS = ((): string[] => {
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)\n/.exec(read('src/cli.ts'));
  if (!m) throw new Error('src/cli.ts does not start with `#!/usr/bin/env -S node [--flag=value ...]`');
  return m[1].split(' ').filter(Boolean);
})();

// ---------------------------------------------------------------------------------------------
// Parsers

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile -> instructions: comments dropped, `\` continuations joined, ARG defaults applied. */
function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue; // comments, parser directives; also inside continuations
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') logical.push(full);
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stageArgs: Record<string, string> = {};
  const expand = (s: string, vars: Record<string, string>) =>
    s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a?: string, b?: string) => vars[(a ?? b) as string] ?? m);
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray;
    const keyword = m[1].toUpperCase();
    const args = m[2];
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expand(args, globalArgs));
      if (!from) throw new Error(`cannot parse FROM ${args}`);
      stages.push({ image: from[1], name: from[2], instructions: [] });
      stageArgs = {};
      continue;
    }
    if (keyword === 'ARG') {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
      if (a) (stages.length === 0 ? globalArgs : stageArgs)[a[1]] = a[2] ?? globalArgs[a[1]] ?? '';
    }
    if (stages.length === 0) continue;
    stages[stages.length - 1].instructions.push({ keyword, args: expand(args, { ...stageArgs }) });
  }
  return { globalArgs, stages };
}

/** The JSON array of an exec-form ENTRYPOINT/CMD/HEALTHCHECK CMD, or undefined for shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const v = JSON.parse(args) as unknown;
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

type Ini = Map<string, Map<string, string[]>>;

/** INI as systemd and supervisord write it: repeated keys kept in order; `#`/`;` comment lines. */
function parseIni(text: string): Ini {
  const sections: Ini = new Map();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`cannot parse line: ${line}`);
    const values = current.get(kv[1]) ?? [];
    values.push(kv[2]);
    current.set(kv[1], values);
  }
  return sections;
}

function iniValue(ini: Ini, section: string, key: string): string | undefined {
  const v = ini.get(section)?.get(key);
  return v === undefined ? undefined : v[v.length - 1];
}

/** systemd time span ("40", "40s", "1min 30s", "2m") in seconds. */
function systemdSeconds(span: string): number {
  const units: Record<string, number> = { '': 1, s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600, ms: 0.001, msec: 0.001 };
  let total = 0;
  const parts = span.trim().match(/\d+(?:\.\d+)?\s*[a-z]*/g);
  if (!parts || parts.join('').replace(/\s/g, '') !== span.replace(/\s/g, '')) throw new Error(`bad time span ${span}`);
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(p) as RegExpExecArray;
    if (!(m[2] in units)) throw new Error(`bad time unit in ${span}`);
    total += Number(m[1]) * units[m[2]];
  }
  return total;
}

/** Compose duration ("40s", "1m30s") in seconds. */
function composeSeconds(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(d.trim());
  if (!m || d.trim() === '') throw new Error(`bad compose duration ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Whether .dockerignore-style patterns exclude a context path (or one of its parents). */
function dockerignored(patterns: string[], path: string): boolean {
  const toRegex = (p: string) =>
    new RegExp(
      '^' +
        p
          .replace(/^\/+/, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '@DIRS@')
          .replace(/\*\*/g, '.*')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')
          .split('@DIRS@')
          .join('(?:.*/)?') +
        '$',
    );
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    const re = toRegex(negate ? p.slice(1) : p);
    if (candidates.some((c) => re.test(c))) excluded = !negate;
  }
  return excluded;
}

const ignorePatterns = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

// ---------------------------------------------------------------------------------------------
// The build layout all deployment files point into

describe('build layout', () => {
  it('the bin sets the V8 young-generation cap that the launchers repeat', () => {
    expect(NODE_FLAGS).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/)]);
  });

  it('package.json bin is what tsc emits for src/cli.ts', () => {
    const parsed = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    expect(parsed.error).toBeUndefined();
    const opts = parsed.config.compilerOptions as { outDir: string; rootDir: string };
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);
    const emitted = posix.join(opts.outDir, relative(join(ROOT, opts.rootDir), join(ROOT, 'src/cli.ts')).split('\\').join('/')).replace(/\.ts$/, '.js');
    expect(emitted).toBe(BIN);
    expect(BIN).toBe('dist/src/cli.js');
  });

  it('the CLI knows the run and validate commands and the default config path the files use', () => {
    const cli = read('src/cli.ts');
    expect(cli).toMatch(/\brun\b/);
    expect(cli).toMatch(/\bvalidate\b/);
    expect(DEFAULT_CONFIG_PATH).toBe('/etc/algorithmia-insights/conf.yaml');
  });

  it('the schema default stop time is a number the files can exceed', () => {
    expect(typeof DEFAULT_SHUTDOWN_SECONDS).toBe('number');
    expect(DEFAULT_SHUTDOWN_SECONDS).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile

describe('deploy/Dockerfile', () => {
  const text = read('deploy/Dockerfile');
  const { stages } = parseDockerfile(text);
  const runtime = stages[stages.length - 1];
  const build = stages[0];
  const runtimeOf = (k: string) => runtime.instructions.filter((i) => i.keyword === k);
  const indexOf = (k: string) => runtime.instructions.findIndex((i) => i.keyword === k);
  const workdir = () => runtimeOf('WORKDIR').map((i) => i.args).pop();

  it('is multi-stage, with a named build stage the runtime copies from', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBeDefined();
    const froms = runtimeOf('COPY').map((i) => /--from=(\S+)/.exec(i.args)?.[1]);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toBe(build.name);
  });

  it('runs on a supported Node LTS major, pinned, slim, the same for build and runtime', () => {
    const major = (image: string) => {
      const m = /^node:(\d+)(?:[.-]|$)/.exec(image);
      if (!m) throw new Error(`not a node:<major> image: ${image}`);
      return Number(m[1]);
    };
    expect(SUPPORTED_LTS_MAJORS).toContain(major(runtime.image));
    expect(runtime.image).toMatch(/-slim$/);
    // unix-dgram is compiled in the build stage for this Node ABI and Debian release
    expect(major(build.image)).toBe(major(runtime.image));
    expect(build.image.replace(/^node:[^-]+/, '')).toBe(runtime.image.replace(/^node:[^-]+/, ''));
  });

  it("the image's Node major satisfies package.json engines", () => {
    const engines = pkg.engines?.node ?? '';
    const min = /^>=\s*(\d+)/.exec(engines);
    if (!min) throw new Error(`update this test for engines.node ${JSON.stringify(engines)}`);
    expect(Number(/^node:(\d+)/.exec(runtime.image)?.[1])).toBeGreaterThanOrEqual(Number(min[1]));
  });

  it('build stage: toolchain for unix-dgram, npm ci, build, prune dev dependencies, in that order', () => {
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const all = runs.join('\n');
    for (const tool of ['g++', 'make', 'python3']) expect(all).toContain(tool);
    const at = (re: RegExp) => all.search(re);
    expect(at(/npm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(at(/npm run build\b/)).toBeGreaterThan(at(/npm ci\b/));
    expect(at(/npm prune --omit=dev\b/)).toBeGreaterThan(at(/npm run build\b/));
    // the optional native module must really be there (npm ci skips it silently when it fails)
    expect(all).toMatch(/require\(['"]unix-dgram['"]\)/);
  });

  it('build stage copies only files that exist in the repo and are not excluded from the context', () => {
    const patterns = ignorePatterns(read('.dockerignore'));
    const sources = build.instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'src']));
    for (const s of sources) {
      expect([s, existsSync(join(ROOT, s))]).toEqual([s, true]);
      expect([s, dockerignored(patterns, s)]).toEqual([s, false]);
    }
  });

  it('runtime stage installs nothing and copies only dist, node_modules, package.json, conf.yaml.example', () => {
    for (const r of runtimeOf('RUN')) {
      expect(r.args).not.toMatch(/npm\s+(install|i|ci|add)\b|yarn|pnpm|apt-get\s+install|--include=dev/);
    }
    expect(workdir()).toBe('/app');
    const allowed = new Set(['package.json', 'node_modules', 'dist', 'conf.yaml.example']);
    for (const c of runtimeOf('COPY')) {
      const parts = c.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect(src.startsWith('/app/')).toBe(true);
        expect([src, allowed.has(src.slice('/app/'.length))]).toEqual([src, true]);
      }
    }
  });

  it('a non-root USER is set before ENTRYPOINT', () => {
    const users = runtimeOf('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args.split(':')[0];
    expect(['root', '0']).not.toContain(user);
    if (/^\d+$/.test(user)) expect(Number(user)).toBeGreaterThan(0);
    const lastUser = runtime.instructions.map((i) => i.keyword).lastIndexOf('USER');
    expect(lastUser).toBeLessThan(indexOf('ENTRYPOINT'));
  });

  it('exec-form ENTRYPOINT runs the bin target; CMD runs the daemon on the default config', () => {
    const entry = runtimeOf('ENTRYPOINT');
    expect(entry).toHaveLength(1);
    const ep = execForm(entry[0].args);
    expect(ep).toEqual(['node', ...NODE_FLAGS, posix.join(workdir() as string, BIN)]);
    const cmd = execForm(runtimeOf('CMD')[0]?.args ?? '');
    expect(cmd).toEqual(['run', '-c', DEFAULT_CONFIG_PATH]);
  });

  it('stops with SIGTERM, and any HEALTHCHECK works without curl or wget', () => {
    expect(runtimeOf('STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
    for (const h of runtimeOf('HEALTHCHECK')) expect(h.args).not.toMatch(/\b(curl|wget)\b/);
  });

  it('labels the image with the package version and license', () => {
    const labels = runtimeOf('LABEL')
      .map((i) => i.args)
      .join(' ');
    expect(labels).toContain(`org.opencontainers.image.version="${pkg.version}"`);
    expect(labels).toContain('org.opencontainers.image.licenses="BSD-3-Clause"');
  });

  it('documents a stop timeout longer than the default shutdown_timeout_seconds', () => {
    const m = /--stop-timeout (\d+)/.exec(text);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS);
  });
});

describe('.dockerignore', () => {
  const patterns = ignorePatterns(read('.dockerignore'));

  it.each(['node_modules', 'dist', '.git', 'coverage', 'bench/results', 'test', '.cache'])('excludes %s', (p) => {
    expect(dockerignored(patterns, p)).toBe(true);
  });

  it('excludes nested node_modules and local secrets, keeps the sources', () => {
    expect(dockerignored(patterns, 'scripts/node_modules/x')).toBe(true);
    expect(dockerignored(patterns, 'deploy/conf.yaml')).toBe(true);
    expect(dockerignored(patterns, '.env')).toBe(true);
    for (const keep of ['src/cli.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'conf.yaml.example']) {
      expect([keep, dockerignored(patterns, keep)]).toEqual([keep, false]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// systemd unit

describe('deploy/algorithmia-insights.service', () => {
  const unitPath = join(DEPLOY, 'algorithmia-insights.service');
  const ini = parseIni(readFileSync(unitPath, 'utf8'));
  const svc = (k: string) => iniValue(ini, 'Service', k);
  const list = (section: string, k: string) => (ini.get(section)?.get(k) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const script = posix.join(INSTALL_DIR, BIN);

  it('runs the bin target as a simple service under a dedicated user', () => {
    expect(svc('Type')).toBe('simple');
    expect(svc('User')).toBe(SERVICE_USER);
    expect(svc('Group')).toBe(SERVICE_USER);
    expect(svc('ExecStart')?.split(/\s+/)).toEqual(['/usr/bin/node', ...NODE_FLAGS, script, 'run', '-c', DEFAULT_CONFIG_PATH]);
    expect(svc('WorkingDirectory')).toBe(INSTALL_DIR);
  });

  it('has a private state directory for the drift state file, the one place it may write', () => {
    expect(svc('ProtectSystem')).toBe('strict');
    expect(svc('StateDirectory')).toBe('algorithmia-insights');
    expect(svc('StateDirectoryMode')).toBe('0700');
  });

  it('reloads with SIGHUP (systemctl reload)', () => {
    expect(svc('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('validates the same config file before starting', () => {
    expect(svc('ExecStartPre')?.split(/\s+/)).toEqual(['/usr/bin/node', ...NODE_FLAGS, script, 'validate', '-c', DEFAULT_CONFIG_PATH]);
  });

  it('restarts on failure but not on exit 2 (bad config), and a failing validation stops at the start limit', () => {
    expect(svc('Restart')).toBe('on-failure');
    expect(svc('RestartSec')).toBe('5');
    expect(list('Service', 'RestartPreventExitStatus')).toContain('2');
    // RestartPreventExitStatus= does not cover ExecStartPre=: the start limit must be reachable
    // at one start every RestartSec, or a bad config would be re-validated forever.
    const burst = Number(iniValue(ini, 'Unit', 'StartLimitBurst'));
    const interval = systemdSeconds(iniValue(ini, 'Unit', 'StartLimitIntervalSec') ?? '10');
    expect(burst).toBeGreaterThan(0);
    expect(burst * systemdSeconds(svc('RestartSec') as string)).toBeLessThan(interval);
  });

  it('gives the graceful stop more time than the default shutdown_timeout_seconds', () => {
    expect(svc('KillSignal')).toBe('SIGTERM');
    expect(systemdSeconds(svc('TimeoutStopSec') as string)).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS);
  });

  it('reads an optional env file for DD_* and secrets', () => {
    expect(ini.get('Service')?.get('EnvironmentFile')).toContain('-/etc/algorithmia-insights/env');
  });

  it('is hardened without breaking node or the Agent socket', () => {
    expect(svc('NoNewPrivileges')).toBe('yes');
    expect(svc('ProtectSystem')).toBe('strict');
    expect(['yes', 'read-only', 'tmpfs']).toContain(svc('ProtectHome'));
    expect(svc('PrivateTmp')).toBe('yes');
    expect(list('Service', 'SupplementaryGroups')).toContain('dd-agent');
    expect(list('Service', 'RestrictAddressFamilies')).toEqual(expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6']));
    // V8's JIT needs writable+executable memory; a private user namespace would drop dd-agent
    expect(svc('MemoryDenyWriteExecute') ?? 'no').toBe('no');
    expect(svc('PrivateUsers') ?? 'no').toBe('no');
  });

  it('starts after the network and the Agent, from multi-user.target', () => {
    expect(list('Unit', 'After')).toEqual(expect.arrayContaining(['network-online.target', 'datadog-agent.service']));
    expect(list('Unit', 'Wants')).toContain('network-online.target');
    expect(list('Install', 'WantedBy')).toContain('multi-user.target');
  });

  it('its Documentation= points at a file the install steps copy', () => {
    for (const d of list('Unit', 'Documentation')) {
      const m = new RegExp(`^file://${INSTALL_DIR}/(.+)$`).exec(d);
      expect(m).not.toBeNull();
      expect(existsSync(join(ROOT, (m as RegExpExecArray)[1]))).toBe(true);
    }
  });

  // `security --offline` needs systemd 250 or later, and older versions warn about the newer
  // hardening keys (ProtectProc= is from 247): run these only with a recent systemd-analyze.
  const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).status === 0;
  const analyzeVersion = hasAnalyze ? Number(/systemd (\d+)/.exec(spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 0) : 0;
  const withAnalyze = analyzeVersion >= 250 ? it : it.skip;

  withAnalyze('passes systemd-analyze verify without a warning (where systemd-analyze 250+ is installed)', () => {
    const r = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    const nodeMissing = !existsSync('/usr/bin/node');
    const problems = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => !(nodeMissing && l.includes('/usr/bin/node')));
    expect(problems).toEqual([]);
    expect(r.status).toBe(0);
  });

  withAnalyze('keeps systemd-analyze security exposure at 4.0 or below (where systemd-analyze 250+ is installed)', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=40', unitPath], { encoding: 'utf8' });
    expect([r.status, r.stderr.trim()]).toEqual([0, '']);
  });
});

// ---------------------------------------------------------------------------------------------
// supervisord program

describe('deploy/supervisord.conf', () => {
  const ini = parseIni(read('deploy/supervisord.conf'));
  const prog = (k: string) => iniValue(ini, 'program:algorithmia-insights', k);
  const unit = parseIni(read('deploy/algorithmia-insights.service'));

  it('runs the same command as the systemd unit, as the dedicated user', () => {
    expect(prog('command')).toBe(iniValue(unit, 'Service', 'ExecStart'));
    expect(prog('user')).toBe(SERVICE_USER);
    expect(prog('directory')).toBe(INSTALL_DIR);
  });

  it('stops with TERM and waits longer than the default shutdown_timeout_seconds', () => {
    expect(prog('stopsignal')).toBe('TERM');
    expect(Number(prog('stopwaitsecs'))).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS);
  });

  it('restarts only unexpected exits: 0 (clean stop) and 2 (bad config) are expected, 1 is not', () => {
    expect(prog('autorestart')).toBe('unexpected');
    const codes = (prog('exitcodes') ?? '').split(',').map((c) => c.trim());
    expect(codes).toEqual(expect.arrayContaining(['0', '2']));
    expect(codes).not.toContain('1');
    // a bad config exits within startsecs: a bounded number of retries, then FATAL
    expect(Number(prog('startsecs'))).toBeGreaterThan(0);
    expect(Number(prog('startretries'))).toBeGreaterThanOrEqual(0);
  });

  it('writes stdout and stderr to files and sets an environment', () => {
    for (const k of ['stdout_logfile', 'stderr_logfile']) {
      expect(prog(k)).toMatch(/^\/var\/log\/algorithmia-insights\/\S+$/);
    }
    expect(prog('redirect_stderr') ?? 'false').toBe('false');
    expect(prog('environment')).toMatch(/^([A-Z_][A-Z0-9_]*="[^"]*")(,[A-Z_][A-Z0-9_]*="[^"]*")*$/);
  });
});

// ---------------------------------------------------------------------------------------------
// compose example

describe('deploy/docker-compose.example.yml', () => {
  type Service = {
    build?: { context: string; dockerfile: string };
    environment?: Record<string, string>;
    volumes?: string[];
    stop_grace_period?: string;
    healthcheck?: { test: string[] };
  };
  const compose = parseYaml(read('deploy/docker-compose.example.yml')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
  const fwd = compose.services['algorithmia-insights'];
  const agent = compose.services['datadog-agent'];
  const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(':'));

  it('builds deploy/Dockerfile with the repository root as context', () => {
    expect(fwd.build).toBeDefined();
    expect(resolve(DEPLOY, fwd.build?.context as string)).toBe(ROOT);
    expect(fwd.build?.dockerfile).toBe('deploy/Dockerfile');
    expect(existsSync(join(ROOT, fwd.build?.dockerfile as string))).toBe(true);
  });

  it('gives the graceful stop more time than the default shutdown_timeout_seconds', () => {
    expect(composeSeconds(fwd.stop_grace_period as string)).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS);
  });

  it('mounts the config read-only where the image CMD reads it', () => {
    expect(mounts(fwd)).toContainEqual(['./conf.yaml', DEFAULT_CONFIG_PATH, 'ro']);
  });

  it('shares the Agent DogStatsD socket through a named volume', () => {
    const socket = agent.environment?.DD_DOGSTATSD_SOCKET as string;
    expect(socket).toMatch(/^\/.+\.socket$/);
    expect(fwd.environment?.DD_DOGSTATSD_SOCKET).toBe(socket);
    const agentMount = mounts(agent).find((m) => m[1] === dirname(socket));
    const fwdMount = mounts(fwd).find((m) => m[1] === dirname(socket));
    expect(agentMount).toBeDefined();
    expect(fwdMount?.[0]).toBe(agentMount?.[0]);
    expect(Object.keys(compose.volumes ?? {})).toContain(agentMount?.[0]);
  });

  it('health check uses node (the image has no curl) against /live', () => {
    const test = fwd.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toMatch(/http:\/\/127\.0\.0\.1:\d+\/live/);
  });
});

// ---------------------------------------------------------------------------------------------
// Text rules for every file shipped here

describe('deployment files: text', () => {
  const files = ['deploy/Dockerfile', 'deploy/algorithmia-insights.service', 'deploy/supervisord.conf', 'deploy/docker-compose.example.yml', 'deploy/README.md', '.dockerignore'];

  it.each(files)('%s is plain ASCII without tabs or CR', (f) => {
    expect(statSync(join(ROOT, f)).isFile()).toBe(true);
    const bad = [...read(f)].filter((c) => c.charCodeAt(0) > 0x7e || (c.charCodeAt(0) < 0x20 && c !== '\n'));
    expect(bad).toEqual([]);
  });

  it.each(files)('%s never reads as a log-collection section heading', (f) => {
    expect(read(f)).not.toMatch(/#\s*log(s\b|\s+collection)/i);
  });

  it('the README covers each file and says what was and was not run here', () => {
    const readme = read('deploy/README.md');
    for (const f of files.filter((x) => x !== 'deploy/README.md')) expect(readme).toContain(f.replace(/^deploy\//, ''));
    expect(readme).toMatch(/^## What was checked here$/m);
    expect(readme).toContain('npx jest test/unit/deploy --selectProjects unit');
  });
});
