/** (a) The raw drain references: a plain kafkajs consumer group (bench/drainWorker.ts) and kcat when installed. */
import { fork, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DrainDone } from '../drainWorker';
import { brokerCpuSeconds } from '../machine';
import { sampleProcess, type ProcSample } from '../procStats';
import type { ScenarioResult, Unavailable } from '../results';
import { cleanEnv, exited, profileOf, round, sleep, stopChild, track, workerPath } from '../util';

/** `codecs`: the topic is compressed (the worker then registers snappy, lz4 and zstd). */
export async function rawDrain(bootstrap: string, topic: string, n: number, cpuProf: string | undefined, codecs = false): Promise<ScenarioResult> {
  const group = `bench-drain-${Date.now()}`;
  const brokerCpuBefore = brokerCpuSeconds();
  const spawned = Date.now();
  const profile = cpuProf ? join(cpuProf, 'drain-kafkajs.cpuprofile') : undefined;
  const execArgv = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf, '--cpu-prof-name', 'drain-kafkajs.cpuprofile'] : [];
  const proc = track(fork(workerPath('drainWorker.js'), [bootstrap, topic, group, String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...cleanEnv(), ...(codecs ? { AIK_BENCH_CODECS: '1' } : {}) }, execArgv }));
  const timeoutMs = Math.max(300_000, n * 2);
  try {
    const done = await new Promise<DrainDone>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`raw drain did not finish within ${timeoutMs} ms`)), timeoutMs);
      proc.on('message', (m: DrainDone | { type: 'ready' }) => {
        if (m.type !== 'done') return;
        clearTimeout(t);
        res(m);
      });
      proc.once('exit', (code) => rej(new Error(`drain worker exited with code ${code}`)));
    });
    const s = sampleProcess(proc.pid as number);
    const brokerCpu = brokerCpuSeconds() - brokerCpuBefore;
    proc.send({ cmd: 'exit' });
    // it exits by itself after disconnecting (and writes its profile then)
    await Promise.race([exited(proc), sleep(15_000)]);
    const active = (done.doneAt - done.firstBatchAt) / 1000;
    const wall = (done.doneAt - spawned) / 1000;
    const cpu = s?.cpuSeconds ?? NaN;
    return {
      scenario: 'kafkajs raw drain (no-op eachBatch)',
      kind: 'drain',
      ok: done.count >= n,
      messages: done.count,
      wallSeconds: round(wall, 2),
      activeSeconds: round(active, 2),
      messagesPerSecond: Math.round(n / active),
      messagesPerSecondWall: Math.round(n / wall),
      cpuSeconds: round(cpu, 2),
      cpuSecondsPerMillion: round((cpu / n) * 1e6, 2),
      cpuUtilisation: round(cpu / active, 2),
      peakRssMb: round(s?.peakRssMb ?? NaN, 1),
      ratioToKafkajsDrain: 1,
      startupSeconds: round((done.firstBatchAt - spawned) / 1000, 2),
      brokerCpuSeconds: round(brokerCpu, 2),
      cpuProfile: profile,
      profile: profileOf(profile),
    };
  } finally {
    await stopChild(proc, 'SIGKILL', 1000).catch(() => undefined);
  }
}

/** kcat -C -e as the native-client reference, when installed. */
export async function kcatDrain(bootstrap: string, topic: string, n: number): Promise<ScenarioResult | Unavailable> {
  const which = spawnSync('sh', ['-c', 'command -v kcat || command -v kafkacat'], { encoding: 'utf8' });
  const bin = which.stdout.trim().split('\n')[0];
  if (which.status !== 0 || !bin) {
    return { scenario: 'kcat -C -e (librdkafka)', available: false, note: 'kcat is not installed on this machine (Debian package kcat); native-client reference skipped' };
  }
  const spawned = Date.now();
  // -q quiet, -f '' prints nothing per message; counting happens via the end-of-partition exit.
  const proc = track(spawn(bin, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '.'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  let count = 0;
  let first = 0;
  let last: ProcSample | undefined;
  proc.stdout?.on('data', (d: Buffer) => {
    if (first === 0) first = Date.now();
    count += d.length; // one '.' per message
  });
  const poll = setInterval(() => (last = sampleProcess(proc.pid as number) ?? last), 100);
  await exited(proc);
  clearInterval(poll);
  const end = Date.now();
  const active = (end - (first || spawned)) / 1000;
  const cpu = last?.cpuSeconds ?? NaN;
  return {
    scenario: 'kcat -C -e (librdkafka)',
    kind: 'drain',
    ok: count >= n,
    note: 'CPU and peak RSS sampled every 100 ms while running (last sample before exit)',
    messages: count,
    wallSeconds: round((end - spawned) / 1000, 2),
    activeSeconds: round(active, 2),
    messagesPerSecond: Math.round(n / active),
    messagesPerSecondWall: Math.round(n / ((end - spawned) / 1000)),
    cpuSeconds: round(cpu, 2),
    cpuSecondsPerMillion: round((cpu / n) * 1e6, 2),
    cpuUtilisation: round(cpu / active, 2),
    peakRssMb: round(last?.peakRssMb ?? NaN, 1),
  };
}
