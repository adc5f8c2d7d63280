/**
 * The raw drain reference: a plain kafkajs consumer-group member with a no-op eachBatch that
 * only counts messages, with kafkajs's default fetch sizes (1 MiB per partition; the daemon's
 * default is half that, for memory, at no cost in throughput). Runs in its own process (forked
 * by bench/run.ts) so its CPU and memory are measured the same way as the check process.
 *
 * argv: <bootstrap> <topic> <group> <expected messages> [latency]
 * env AIK_BENCH_CODECS=1: registers the snappy, lz4 and zstd codecs (bench/codecs.ts; gzip is
 * built in), only for a compressed topic so that the uncompressed drain loads nothing more.
 * IPC out: {type:'ready'} once the group is joined, then {type:'done', startedAt, firstBatchAt,
 * doneAt, count[, latencies]}; IPC in: {cmd:'exit'}.
 * In latency mode each message is parsed and Date.now() - bench_sent_ms recorded at eachBatch
 * (the plain-consumer reference for the check's produce -> datagram latency).
 */
import { Kafka, logLevel } from 'kafkajs';
import { registerBenchCodecs } from './codecs';

export interface DrainDone {
  type: 'done';
  startedAt: number;
  firstBatchAt: number;
  doneAt: number;
  count: number;
  /** Latency mode: [sent ms, eachBatch time - sent ms] per message. */
  latencies?: Array<[number, number]>;
}

async function main(): Promise<void> {
  const [bootstrap, topic, group, expectedText, mode] = process.argv.slice(2);
  const expected = Number(expectedText);
  const latencies: Array<[number, number]> | undefined = mode === 'latency' ? [] : undefined;
  const startedAt = Date.now();
  if (process.env.AIK_BENCH_CODECS === '1') await registerBenchCodecs();
  const kafka = new Kafka({ clientId: 'bench-drain', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: group, maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 500 });
  let count = 0;
  let firstBatchAt = 0;
  let reported = false;
  consumer.on(consumer.events.GROUP_JOIN, () => process.send?.({ type: 'ready' }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      if (firstBatchAt === 0) firstBatchAt = now;
      count += batch.messages.length;
      if (latencies) {
        for (const m of batch.messages) {
          const sent = (JSON.parse(m.value?.toString() ?? '{}') as { bench_sent_ms?: number }).bench_sent_ms;
          if (typeof sent === 'number') latencies.push([sent, now - sent]);
        }
      }
      if (!reported && count >= expected) {
        reported = true;
        const done: DrainDone = { type: 'done', startedAt, firstBatchAt, doneAt: Date.now(), count, latencies };
        process.send?.(done);
      }
    },
  });
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'exit') {
      void consumer.disconnect().finally(() => process.exit(0));
      setTimeout(() => process.exit(0), 5000).unref();
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`drain failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
