/**
 * Runs the real check process (`node dist/src/cli.js`, built by the integration globalSetup)
 * as a child process with a config file written for the test and a clean environment.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

export const CLI = resolve(__dirname, '../../dist/src/cli.js');

/** The environment without any DD_* variable (tests pin what they assert), plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DD_') && !k.startsWith('DATADOG_')) env[k] = v;
  return { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...extra };
}

/** Config dirs written by this test process; removed when it exits. */
const configDirs = new Set<string>();

export function writeConfig(config: unknown): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aik-conf-'));
  configDirs.add(dir);
  const file = join(dir, 'conf.yaml');
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return { file, dir };
}

export interface TestInstanceOptions {
  bootstrap: string;
  topic: string;
  group: string;
  dogstatsdUrl: string;
  extra?: Record<string, unknown>;
}

/** Where test processes open their status sockets (one per config file: distinct names). */
export const TEST_STATUS_DIR = join(tmpdir(), 'aik-test-status');

/** A config with test-friendly timings: short session/heartbeat, quick telemetry. */
export function testConfig(o: TestInstanceOptions, init: Record<string, unknown> = {}): unknown {
  return {
    // status_socket_dir: test processes keep their status sockets out of /run (tests run as root here).
    init_config: { log_format: 'json', log_level: 'info', telemetry_interval_seconds: 1, shutdown_timeout_seconds: 20, status_socket_dir: TEST_STATUS_DIR, ...init },
    instances: [
      {
        kafka_connect_str: [o.bootstrap],
        topic: o.topic,
        consumer_group: o.group,
        start_from: 'earliest',
        session_timeout_ms: 6000,
        heartbeat_interval_ms: 500,
        rebalance_timeout_ms: 10000,
        max_wait_ms: 100,
        retry_max_ms: 2000,
        dogstatsd: { url: o.dogstatsdUrl },
        ...o.extra,
      },
    ],
  };
}

export class CheckProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly proc: ChildProcess,
    private readonly cleanupDir?: string,
  ) {
    proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  }

  static start(args: string[], opts: { env?: NodeJS.ProcessEnv; cleanupDir?: string } = {}): CheckProcess {
    const proc = spawn(process.execPath, [CLI, ...args], { env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    return new CheckProcess(proc, opts.cleanupDir);
  }

  /** Parsed JSON log lines (stderr). */
  logs(): Array<Record<string, unknown>> {
    return this.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  }

  async waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs().find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`log line not seen within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 25_000);
      await this.exited;
      clearTimeout(t);
    }
    if (this.cleanupDir) rmSync(this.cleanupDir, { recursive: true, force: true });
  }
}

const running = new Set<ChildProcess>();
/** Kills every check process a test file left running and removes the config dirs it wrote (afterAll / process exit). */
export function cleanUpCheckProcesses(): void {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
  for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
  configDirs.clear();
}
process.once('exit', cleanUpCheckProcesses);
