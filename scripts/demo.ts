/**
 * `npm run demo [-- --count N]`: the first thing a new user runs. Starts a local Kafka broker,
 * produces sample Insights messages (plus two malformed ones), runs the check process in
 * --dry-run so its DogStatsD lines print to stdout, then stops everything it started.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'yaml';
import { KafkaBroker } from './kafka/broker';

const ALGORITHMS = [
  { algorithm_name: 'credit_card_approval', algorithm_owner: 'asli', versions: ['1.0.6', '1.1.0'] },
  { algorithm_name: 'fraud_detection', algorithm_owner: 'ml_platform', versions: ['2.3.1'] },
  { algorithm_name: 'churn_model', algorithm_owner: 'growth', versions: ['0.9.0'] },
];

export function sampleMessage(i: number, now = new Date()): Record<string, unknown> {
  const a = ALGORITHMS[i % ALGORITHMS.length];
  return {
    algorithm_name: a.algorithm_name,
    algorithm_version: a.versions[i % a.versions.length],
    algorithm_owner: a.algorithm_owner,
    request_id: `req-demo-${i}`,
    session_id: `rses-demo-${i % 4}`,
    time: now.toISOString().replace('Z', ''),
    duration_milliseconds: 5 + ((i * 37) % 120),
    risk_score: Math.round(((i * 13) % 100) / 10) / 10,
    approved: i % 3 !== 0,
  };
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}

async function main(): Promise<void> {
  const count = argValue('--count', 20);
  const say = (s: string) => process.stderr.write(`[demo] ${s}\n`);
  say('starting a local Kafka broker (the first run downloads Kafka from Maven Central)...');
  const broker = await KafkaBroker.start();
  const dir = mkdtempSync(join(tmpdir(), 'aik-demo-'));
  let exitCode = 0;
  try {
    say(`broker ready at ${broker.bootstrap}`);
    const topic = 'insights-demo';
    const kafka = new Kafka({ clientId: 'demo-producer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: count }, (_, i) => ({ value: JSON.stringify(sampleMessage(i)) }));
    messages.push({ value: 'this is not JSON' }, { value: JSON.stringify({ duration_milliseconds: 3 }) });
    await producer.send({ topic, messages });
    await producer.disconnect();
    say(`produced ${count} sample Insights messages and 2 malformed ones to topic ${topic}`);

    const conf = join(dir, 'conf.yaml');
    writeFileSync(
      conf,
      stringify({
        init_config: { log_format: 'pretty', telemetry_interval_seconds: 2 },
        instances: [{ kafka_connect_str: [broker.bootstrap], topic, consumer_group: 'demo', start_from: 'earliest', max_wait_ms: 100 }],
      }),
    );
    say('running: algorithmia-insights run --dry-run (DogStatsD lines below; logs on stderr)\n');
    const cli = resolve(__dirname, '../src/cli.js');
    const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
    const check = spawn(process.execPath, [cli, 'run', '--dry-run', '-c', conf], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const expected = count * 3; // duration_milliseconds, risk_score, approved
    let metricLines = 0; // metric values seen
    let sawTelemetry = false;
    let buffered = '';
    const done = new Promise<void>((resolveDone) => {
      check.stdout.on('data', (d: Buffer) => {
        process.stdout.write(d);
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) {
          if (l.startsWith('algorithmia.forwarder.messages.rejected')) sawTelemetry = true;
          // count values: a packed line (DogStatsD 1.1) carries several
          else if (l.startsWith('algorithmia.') && !l.startsWith('algorithmia.forwarder.')) metricLines += l.slice(0, l.indexOf('|')).split(':').length - 1;
        }
        if (metricLines >= expected && sawTelemetry) resolveDone();
      });
    });
    const exited = new Promise<number | null>((r) => check.once('exit', (code) => r(code)));
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000).unref());
    const outcome = await Promise.race([done, exited, timeout]);
    if (outcome === 'timeout') {
      say(`timed out: saw ${metricLines} of ${expected} metric values`);
      exitCode = 1;
    }
    check.kill('SIGTERM');
    const code = await exited;
    say(`check process exited with code ${code}; ${metricLines} metric values for ${count} messages (3 numeric fields each), 2 messages rejected and counted`);
    if (code !== 0) exitCode = 1;
  } finally {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
    say('broker stopped; nothing left running');
  }
  process.exitCode = exitCode;
}

main().catch((err) => {
  process.stderr.write(`[demo] failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
