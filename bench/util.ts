/** Small helpers shared by the benchmark's modules: paths, logging, rounding, child processes, Kafka clients. */
import { ChildProcess, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { summarize, type ProfileSummary } from './profileSummary';

/** dist/bench (where the forked workers are). */
export const BENCH_DIR = __dirname;
/** The repository root. */
export const ROOT = resolve(__dirname, '../..');

export const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const round = (n: number, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : NaN);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

// ---------------------------------------------------------------- child processes

/** Everything this run started, for the final cleanup and SIGINT. */
const children = new Set<ChildProcess>();

export function track<T extends ChildProcess>(p: T): T {
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}

export function killAllChildren(): void {
  for (const c of [...children]) c.kill('SIGKILL');
}

export function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => p.once('exit', () => r()));
}

export async function stopChild(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited(p);
  clearTimeout(t);
}

/** The environment without DD_* variables (the check's config must be what we wrote). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DD_') && !k.startsWith('DATADOG_')) env[k] = v;
  return { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
}

export function git(args: string[], cwd = ROOT): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Summary of a .cpuprofile written by a child that has exited (undefined if it is missing). */
export function profileOf(file: string | undefined): ProfileSummary | undefined {
  if (!file || !existsSync(file)) return undefined;
  try {
    return summarize(file, 25);
  } catch (err) {
    say(`cannot summarise ${file}: ${(err as Error).message}`);
    return undefined;
  }
}

export function workerPath(name: string): string {
  return join(BENCH_DIR, name);
}

// ---------------------------------------------------------------- Kafka

export function benchKafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function highWatermarks(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((s, p) => s + Number(p.high), 0);
}

export async function committedSum(admin: Admin, group: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (t?.partitions ?? []).reduce((s, p) => s + (p.offset === '-1' ? 0 : Number(p.offset)), 0);
}
