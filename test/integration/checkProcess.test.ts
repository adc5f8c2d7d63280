/**
 * The check process end to end: real broker -> `algorithmia-insights run` -> real DogStatsD socket.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionTypes } from 'kafkajs';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanEnv, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { committedOffsets, createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';
import { metricValues, valueCount } from '../harness/lineValues';
import { registerCodecs } from '../../src/source/codecs';

const SAMPLE = readFileSync(join(__dirname, '../fixtures/insights-sample-message.json'), 'utf8');

/** Algorithm metric lines only (not the forwarder's telemetry, service checks or client telemetry). */
const algorithmLines = (lines: string[]) => lines.filter((l) => l.startsWith('algorithmia.') && !l.startsWith('algorithmia.forwarder.'));
const durationsOf = (lines: string[]) => metricValues(lines, 'algorithmia.duration_milliseconds');

afterAll(() => cleanUpCheckProcesses());

describe('check process', () => {
  const { bootstrap } = sharedBroker();

  it('turns the reference sample message into exactly these DogStatsD lines', async () => {
    const topic = uniqueName('sample');
    await createTopic(bootstrap, topic);
    await produce(bootstrap, topic, [{ value: SAMPLE }]);
    const dsd = await DogStatsDListener.udp();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => algorithmLines(l).length >= 2, 30_000, 'two metric lines');
      await new Promise((r) => setTimeout(r, 300));
      expect(algorithmLines(dsd.lines).sort()).toEqual([
        'algorithmia.duration_milliseconds:8|d|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli',
        'algorithmia.risk_score:0.2|d|#algorithm_name:credit_card_approval,algorithm_version:1.0.6,algorithm_owner:asli',
      ]);
    } finally {
      await check.stop();
      await dsd.close();
    }
    expect(await check.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['in a worker thread (default)', true],
    ['on the main thread', false],
  ])('delivers every value of many messages across several partitions (UDS), and commits them on SIGTERM: encoding %s', async (_, workerThread) => {
    const topic = uniqueName('many');
    const group = uniqueName('g');
    await createTopic(bootstrap, topic, 3);
    const N = 3000;
    const messages = Array.from({ length: N }, (_, i) => ({
      key: `k${i % 7}`,
      value: JSON.stringify({ algorithm_name: `algo_${i % 5}`, algorithm_version: '1.0', algorithm_owner: 'o', duration_milliseconds: i, score: i / 10 }),
    }));
    await produce(bootstrap, topic, messages);
    const dsd = await DogStatsDListener.uds();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url, extra: { worker_thread: workerThread } }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => durationsOf(l).length >= N, 60_000, `${N} durations`);
      const got = durationsOf(dsd.lines);
      expect(got.length).toBe(N);
      expect(new Set(got)).toEqual(new Set(messages.map((_, i) => i)));
      check.kill('SIGTERM');
      expect(await check.exited).toEqual({ code: 0, signal: null });
    } finally {
      await check.stop();
      await dsd.close();
    }
    const committed = await committedOffsets(bootstrap, group, topic);
    const total = [...committed.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(N);
    expect(check.logs().some((e) => e.msg === 'stopped')).toBe(true);
  });

  it('after SIGKILL mid-stream and a restart, every message arrives at least once', async () => {
    const topic = uniqueName('kill');
    const group = uniqueName('g');
    await createTopic(bootstrap, topic, 2);
    const N = 20000;
    await produce(
      bootstrap,
      topic,
      Array.from({ length: N }, (_, i) => ({ value: JSON.stringify({ algorithm_name: 'a', duration_milliseconds: i }) })),
    );
    const dsd = await DogStatsDListener.uds();
    // Small fetches so the stream takes many batches and the kill lands mid-stream.
    const cfg = testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url, extra: { max_bytes_per_partition: 4096 } });
    const { file, dir } = writeConfig(cfg);
    const first = CheckProcess.start(['run', '-c', file]);
    await dsd.waitFor((l) => durationsOf(l).length >= 500, 60_000, 'first values');
    first.kill('SIGKILL');
    await first.exited;
    const beforeRestart = new Set(durationsOf(dsd.lines));
    expect(beforeRestart.size).toBeGreaterThan(0);
    expect(beforeRestart.size).toBeLessThan(N); // the kill really was mid-stream
    const second = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => new Set(durationsOf(l)).size >= N, 90_000, 'every value');
      const all = durationsOf(dsd.lines);
      expect(new Set(all).size).toBe(N);
      const duplicates = all.length - N;
      process.stderr.write(`[sigkill] produced ${N}, delivered ${new Set(all).size} distinct, ${duplicates} duplicates\n`);
    } finally {
      await second.stop();
      await dsd.close();
    }
  });

  it('reads messages produced with every Kafka compression codec', async () => {
    registerCodecs();
    const topic = uniqueName('codecs');
    await createTopic(bootstrap, topic);
    const codecs: Array<[string, CompressionTypes]> = [
      ['none', CompressionTypes.None],
      ['gzip', CompressionTypes.GZIP],
      ['snappy', CompressionTypes.Snappy],
      ['lz4', CompressionTypes.LZ4],
    ];
    for (const [name, type] of codecs) {
      await produce(bootstrap, topic, Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ algorithm_name: `codec_${name}`, duration_milliseconds: i }) })), type);
    }
    // zstd: the Java console producer (this client only decompresses zstd).
    await produceWithJavaConsoleProducer(bootstrap, topic, 'zstd', Array.from({ length: 20 }, (_, i) => JSON.stringify({ algorithm_name: 'codec_zstd', duration_milliseconds: i })));
    const dsd = await DogStatsDListener.udp();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => durationsOf(l).length >= 100, 60_000, '100 values');
      for (const name of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
        expect(valueCount(algorithmLines(dsd.lines).filter((l) => l.includes(`algorithm_name:codec_${name}`)))).toBe(20);
      }
    } finally {
      await check.stop();
      await dsd.close();
    }
  });

  it('consumes over SASL/SCRAM-SHA-512 with TLS, and reports a wrong password clearly without exiting', async () => {
    const { saslBootstrap, caPemPath, scramUser } = sharedBroker();
    const topic = uniqueName('sasl');
    await createTopic(bootstrap, topic);
    await produce(bootstrap, topic, [{ value: SAMPLE }]);
    const dsd = await DogStatsDListener.udp();
    const secure = (password: Record<string, string>) =>
      testConfig({
        bootstrap: saslBootstrap,
        topic,
        group: uniqueName('g'),
        dogstatsdUrl: dsd.url,
        extra: {
          security_protocol: 'SASL_SSL',
          sasl: { mechanism: 'SCRAM-SHA-512', username: scramUser.username, ...password },
          tls: { ca_file: caPemPath },
        },
      });
    const good = writeConfig(secure({ password_env: 'KAFKA_PASSWORD' }));
    const ok = CheckProcess.start(['run', '-c', good.file], { env: cleanEnv({ KAFKA_PASSWORD: scramUser.password }), cleanupDir: good.dir });
    try {
      await dsd.waitFor((l) => durationsOf(l).length >= 1, 30_000, 'a value over SASL_SSL');
      expect(durationsOf(dsd.lines)).toEqual([8]);
    } finally {
      await ok.stop();
    }
    expect(ok.stderr).not.toContain(scramUser.password);

    dsd.clear();
    const bad = writeConfig(secure({ password: 'wrong-password-123' }));
    const denied = CheckProcess.start(['run', '-c', bad.file], { cleanupDir: bad.dir });
    try {
      const entry = await denied.waitForLog((e) => e.msg === 'Kafka unavailable', 30_000);
      expect(String(entry.reason)).toMatch(/SASL SCRAM SHA512 authentication failed/);
      await dsd.waitFor((l) => l.some((x) => x.startsWith('_sc|algorithmia.can_connect|2|')), 15_000, 'CRITICAL service check');
      const sc = dsd.lines.find((x) => x.startsWith('_sc|algorithmia.can_connect|2|')) as string;
      expect(sc).toMatch(/\|m:.*authentication failed/i);
      expect(denied.proc.exitCode).toBeNull(); // keeps running and retrying
    } finally {
      await denied.stop();
      await dsd.close();
    }
    expect(denied.stderr).not.toContain('wrong-password-123');
  });

  it('validate: exits 2 with the key path for a bad file and 0 for a good one', async () => {
    const bad = writeConfig('init_config:\ninstances:\n  - kafka_connect_str: [localhost:9092]\n    topic: t\n    start_from: first\n');
    const v = CheckProcess.start(['validate', '-c', bad.file], { cleanupDir: bad.dir });
    expect((await v.exited).code).toBe(2);
    await v.stop();
    expect(v.stderr).toContain('instances[0].start_from');
    const good = writeConfig('init_config:\ninstances:\n  - kafka_connect_str: [localhost:9092]\n    topic: t\n');
    const ok = CheckProcess.start(['validate', '-c', good.file], { cleanupDir: good.dir });
    expect((await ok.exited).code).toBe(0);
    await ok.stop();
    expect(ok.stdout).toMatch(/^OK/);
  });
});

async function produceWithJavaConsoleProducer(bootstrap: string, topic: string, codec: string, lines: string[]): Promise<void> {
  const { ensureKafkaLibs } = await import('../../scripts/kafka/broker');
  const { spawn } = await import('node:child_process');
  const lib = await ensureKafkaLibs();
  await new Promise<void>((resolve, reject) => {
    const p = spawn('java', ['-cp', `${lib}/*`, 'kafka.tools.ConsoleProducer', '--bootstrap-server', bootstrap, '--topic', topic, '--compression-codec', codec], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ConsoleProducer exited ${code}: ${err}`))));
    p.stdin.end(lines.join('\n') + '\n');
  });
}
