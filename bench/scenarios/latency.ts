/**
 * (c) Latency: a fresh topic, a producer at a steady rate whose messages carry `bench_sent_ms`,
 * arrival - sent at the listener (the check) or at eachBatch (the plain kafkajs reference);
 * the first 2 s are skipped. The topic is written uncompressed, whatever `--codec` says.
 * Memory: the resident set once joined and settled (idle, before producing) and once the
 * traffic has arrived (steady), and the CPU seconds per million messages in between.
 */
import { ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Message } from 'kafkajs';
import { startDaemon, targetName, type CheckBuild, type CheckTarget, type DaemonHandle } from '../daemon';
import type { DrainDone } from '../drainWorker';
import { ListenerProcess } from '../listener';
import { generatorFor, type Workload } from '../preload';
import { sampleProcess, type ProcSample } from '../procStats';
import type { LatencyResult } from '../results';
import { benchKafka, cleanEnv, percentile, round, sleep, stopChild, track, workerPath } from '../util';

export type LatencySubject = { kind: 'kafkajs' } | { kind: 'check'; target: CheckTarget; build: CheckBuild };

/** Produces `rate` msg/s for `seconds` s (each message stamped with bench_sent_ms) and measures until arrival. */
export async function latency(bootstrap: string, partitions: number, subject: LatencySubject, rate: number, seconds: number, workload: Workload): Promise<LatencyResult> {
  const topic = `bench-latency-${subject.kind === 'check' ? subject.target.protocol : 'kafkajs'}-${Date.now()}`;
  const kafka = benchKafka(bootstrap, 'bench-latency');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const total = rate * seconds;
  const group = `bench-latency-${Date.now()}`;
  let listener: ListenerProcess | undefined;
  let daemon: DaemonHandle | undefined;
  let consumer: ChildProcess | undefined;
  let consumerDone: Promise<DrainDone> | undefined;
  let name: string;
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  try {
    const joinDeadline = Date.now() + 60_000;
    if (subject.kind === 'check') {
      name = `check -> ${targetName(subject.target)}${subject.build.label}`;
      listener = await ListenerProcess.start(subject.target.protocol);
      listener.send({ cmd: 'reset', latency: true });
      daemon = startDaemon(subject.build, { bootstrap, topic, group, url: listener.url, maxDatagramBytes: subject.target.maxDatagramBytes });
      // Wait until the check joined its group and fetches.
      while (!daemon.stderr().includes('joined consumer group')) {
        if (Date.now() > joinDeadline) throw new Error('the check process did not join its consumer group within 60 s');
        if (daemon.proc.exitCode !== null) throw new Error(`the check process exited (code ${daemon.proc.exitCode})`);
        await sleep(100);
      }
    } else {
      name = 'kafkajs plain consumer (eachBatch)';
      const proc = track(fork(workerPath('drainWorker.js'), [bootstrap, topic, group, String(total), 'latency'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: cleanEnv() }));
      consumer = proc;
      let ready: () => void = () => undefined;
      const joined = new Promise<void>((r) => (ready = r));
      consumerDone = new Promise<DrainDone>((res, rej) => {
        proc.on('message', (m: DrainDone | { type: 'ready' }) => (m.type === 'ready' ? ready() : res(m)));
        proc.once('exit', (code) => rej(new Error(`latency consumer exited with code ${code}`)));
      });
      consumerDone.catch(() => undefined);
      await Promise.race([joined, sleep(60_000).then(() => Promise.reject(new Error('the kafkajs consumer did not join within 60 s')))]);
    }
    await producer.connect();
    await sleep(1500);
    const subjectPid = (daemon?.proc.pid ?? consumer?.pid) as number;
    const idle = sampleProcess(subjectPid);
    const gen = generatorFor(workload, { seed: workload.seed + 1, stampSent: true });
    const started = Date.now();
    let sent = 0;
    const pending = new Set<Promise<unknown>>();
    let sendErrors = 0;
    const tickMs = 5;
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(Math.floor(((Date.now() - started) * rate) / 1000), total);
        if (due > sent) {
          const messages: Message[] = [];
          for (; sent < due; sent++) messages.push({ value: gen.next(), partition: sent % partitions });
          const p = producer
            .send({ topic, acks: 1, messages })
            .catch(() => void (sendErrors += messages.length))
            .finally(() => pending.delete(p));
          pending.add(p);
        }
        if (sent >= total) done();
        else setTimeout(tick, tickMs);
      };
      tick();
    });
    await Promise.all(pending);
    // Wait for the tail to arrive.
    let samples: Array<[number, number]> = [];
    let cpu: ProcSample | undefined;
    if (listener && daemon) {
      const deadline = Date.now() + 15_000;
      let stats = await listener.stats();
      while ((stats.latencies?.length ?? 0) < total && Date.now() < deadline) {
        await sleep(250);
        stats = await listener.stats();
      }
      samples = stats.latencies ?? [];
      cpu = sampleProcess(daemon.proc.pid as number);
    } else if (consumer && consumerDone) {
      cpu = sampleProcess(consumer.pid as number);
      const done = await Promise.race([consumerDone, sleep(15_000).then(() => undefined)]);
      samples = done?.latencies ?? [];
    }
    const warmupEnd = started + 2000;
    const lat = samples.filter(([sentAt]) => sentAt >= warmupEnd).map(([, l]) => l).sort((a, b) => a - b);
    const elapsed = (Date.now() - started) / 1000 + 1.5;
    return {
      scenario: `${name}, ${rate} msg/s`,
      ok: samples.length >= total && sendErrors === 0,
      note: sendErrors ? `${sendErrors} messages failed to produce` : samples.length < total ? `${samples.length}/${total} arrived` : undefined,
      rate,
      seconds,
      produced: sent,
      received: samples.length,
      measured: lat.length,
      p50Ms: percentile(lat, 50),
      p90Ms: percentile(lat, 90),
      p99Ms: percentile(lat, 99),
      maxMs: lat.length ? lat[lat.length - 1] : NaN,
      meanMs: lat.length ? round(lat.reduce((a, b) => a + b, 0) / lat.length, 2) : NaN,
      // CPU since spawn over the time since producing started (+ the 1.5 s settle): a rough figure
      checkCpuUtilisation: round((cpu?.cpuSeconds ?? NaN) / elapsed, 2),
      checkPeakRssMb: round(cpu?.peakRssMb ?? NaN, 1),
      idleRssMb: round(idle?.rssMb ?? NaN, 1),
      steadyRssMb: round(cpu?.rssMb ?? NaN, 1),
      steadyCpuSPerM: round((((cpu?.cpuSeconds ?? NaN) - (idle?.cpuSeconds ?? NaN)) / Math.max(1, samples.length)) * 1e6, 1),
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    if (daemon) {
      await stopChild(daemon.proc, 'SIGTERM', 40_000);
      rmSync(daemon.confDir, { recursive: true, force: true });
    }
    if (consumer) {
      if (consumer.connected) consumer.send({ cmd: 'exit' });
      await stopChild(consumer, 'SIGTERM', 10_000);
    }
    await listener?.close();
  }
}
