/**
 * The check process under test: which build (`CheckBuild`: the tree's own dist/src/cli.js or a
 * `--baseline-cli`), the targets it sends to, and starting it as the installed command runs it
 * (`node <flags of the bin's shebang> <cli.js> run -c conf.yaml`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { cleanEnv, git, ROOT, track } from './util';

export interface CheckBuild {
  /** '' for the tree's own build, ' (baseline)' for `--baseline-cli`: appended to scenario names. */
  label: string;
  cli: string;
  /** The node flags of the cli's shebang line. */
  nodeFlags: string[];
  /** Does this build know `dogstatsd.pack_values` (DogStatsD 1.1 value packing)? */
  packValues: boolean;
  gitCommit: string;
  /** `--instance-config`: merged into every instance config this build gets. */
  instanceConfig: Record<string, unknown>;
}

export function checkBuild(cli: string, label: string, instanceConfig: Record<string, unknown>, launch: 'bin' | 'node' = 'bin'): CheckBuild {
  const shebang = (/^#!\/usr\/bin\/env -S node (.*)\n/.exec(readFileSync(cli, 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);
  const nodeFlags = launch === 'bin' ? shebang : [];
  return { label, cli, nodeFlags, packValues: hasPackValues(cli), gitCommit: git(['rev-parse', 'HEAD'], dirname(cli)), instanceConfig };
}

export const OWN_CLI = join(ROOT, 'dist/src/cli.js');

/** The build's config schema (dist/src/config/schema.js beside its cli.js) has `dogstatsd.pack_values`. */
function hasPackValues(cli: string): boolean {
  try {
    const { configSchema } = require(join(dirname(cli), 'config/schema.js')) as {
      configSchema: { properties: { instances: { items: { properties: { dogstatsd: { properties: Record<string, unknown> } } } } } };
    };
    return 'pack_values' in configSchema.properties.instances.items.properties.dogstatsd.properties;
  } catch {
    return false;
  }
}

export interface CheckTarget {
  name: string;
  protocol: 'udp' | 'uds';
  maxDatagramBytes?: number;
  /** `dogstatsd.pack_values`; undefined: the check's default. */
  packValues?: boolean;
}

export function targetName(t: CheckTarget): string {
  return `${t.protocol.toUpperCase()} ${t.maxDatagramBytes ?? (t.protocol === 'udp' ? 1432 : 8192)} B${t.packValues === false ? ' unpacked' : ''}`;
}

export interface DaemonHandle {
  proc: ChildProcess;
  stderr: () => string;
  confDir: string;
  profileName?: string;
  /** Where the threads write their profiles (moved to profileName and beside it at exit). */
  profileDir?: string;
}

export function startDaemon(
  build: CheckBuild,
  opts: { bootstrap: string; topic: string; group: string; url: string; maxDatagramBytes?: number; packValues?: boolean; cpuProf?: string; profileName?: string },
): DaemonHandle {
  const confDir = mkdtempSync(join(tmpdir(), 'aik-bench-conf-'));
  const conf = join(confDir, 'conf.yaml');
  writeFileSync(
    conf,
    stringify({
      init_config: { log_format: 'json', log_level: 'info', telemetry_interval_seconds: 1, shutdown_timeout_seconds: 30 },
      instances: [
        {
          kafka_connect_str: [opts.bootstrap],
          topic: opts.topic,
          consumer_group: opts.group,
          start_from: 'earliest',
          dogstatsd: {
            url: opts.url,
            ...(opts.maxDatagramBytes ? { max_datagram_bytes: opts.maxDatagramBytes } : {}),
            ...(opts.packValues !== undefined ? { pack_values: opts.packValues } : {}),
          },
          ...build.instanceConfig,
        },
      ],
    }),
  );
  // No --cpu-prof-name: every thread writes its own file (CPU.<date>.<time>.<pid>.<thread>.<seq>),
  // sorted out by threadProfiles() once the process has exited.
  const profileDir = opts.cpuProf ? mkdtempSync(join(opts.cpuProf, 'threads-')) : undefined;
  const nodeArgs = [...build.nodeFlags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const proc = track(spawn(process.execPath, [...nodeArgs, build.cli, 'run', '-c', conf], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] }));
  // Keep the head and a bounded tail of the log (info lines at startup, warnings later).
  let head = '';
  let tail = '';
  proc.stderr?.on('data', (d: Buffer) => {
    if (head.length < 20_000) head += d.toString();
    else tail = (tail + d.toString()).slice(-20_000);
  });
  return { proc, stderr: () => head + tail, confDir, profileDir, profileName: opts.cpuProf ? join(opts.cpuProf, opts.profileName ?? 'check.cpuprofile') : undefined };
}

/**
 * Moves the per-thread profiles of an exited check to `<name>.cpuprofile` (the main thread) and
 * `<name>.encoder.cpuprofile` (the encoder thread); returns the encoder's path if there is one.
 */
export function threadProfiles(daemon: DaemonHandle): string | undefined {
  if (!daemon.profileDir || !daemon.profileName) return undefined;
  let encoder: string | undefined;
  for (const file of readdirSync(daemon.profileDir)) {
    const thread = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
    if (thread === undefined) continue;
    if (thread === '0') renameSync(join(daemon.profileDir, file), daemon.profileName);
    else {
      // a respawned encoder would write a second file; the first one (lowest thread id) is kept
      encoder ??= daemon.profileName.replace(/\.cpuprofile$/, '.encoder.cpuprofile');
      if (!existsSync(encoder)) renameSync(join(daemon.profileDir, file), encoder);
    }
  }
  rmSync(daemon.profileDir, { recursive: true, force: true });
  return encoder;
}

export function logSummary(stderr: string): { warnings: number; errors: number; messages: string[]; memoryPeaks?: Record<string, number> } {
  let warnings = 0;
  let errors = 0;
  let memoryPeaks: Record<string, number> | undefined;
  const messages = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string; message?: string } & Record<string, unknown>;
      // The check's memory peaks, logged at stop (src/runtime/memoryPeaks.ts)
      if (e.msg === 'stopped') memoryPeaks = Object.fromEntries(Object.entries(e).filter((kv): kv is [string, number] => kv[0].endsWith('_peak_mb') && typeof kv[1] === 'number'));
      if (e.level === 'warn') warnings++;
      if (e.level === 'error') errors++;
      if (e.level === 'warn' || e.level === 'error') messages.add(`${e.level}: ${e.msg ?? e.message ?? line.slice(0, 200)}`);
    } catch {
      /* not a log line */
    }
  }
  return { warnings, errors, messages: [...messages].slice(0, 10), ...(memoryPeaks ? { memoryPeaks } : {}) };
}
