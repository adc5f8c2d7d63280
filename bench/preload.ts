/** Preloads the throughput topic with N generated Insights messages (optionally compressed). */
import type { Message } from 'kafkajs';
import { InsightsGenerator, type KeyOrder } from '../scripts/insightsGenerator';
import { codecOfBatch, compressionType, registerBenchCodecs, type CodecName, type CodecOption } from './codecs';
import { topicBytesOnDisk } from './machine';
import { benchKafka, highWatermarks, round, say } from './util';

export interface Workload {
  seed: number;
  codec: CodecOption;
  /** `--fields`; undefined: the generator's own counts. */
  fields?: number;
  keyOrder: KeyOrder;
}

export interface PreloadResult {
  topic: string;
  messages: number;
  partitions: number;
  seconds: number;
  messagesPerSecond: number;
  avgMessageBytes: number;
  totalMiB: number;
  expectedMetricLines: number;
  metricsPerMessage: number;
  minMessageBytes: number;
  maxMessageBytes: number;
  codec: CodecOption;
  /** Record batches (one per partition per produce call) per codec. */
  batchesPerCodec: Partial<Record<CodecName, number>>;
  fieldsRequested: number | 'default';
  /** Numeric fields per message the generator's metric counts give on average (the measured one is metricsPerMessage). */
  expectedFieldsPerMessage: number;
  keyOrder: KeyOrder;
  /** Size of the topic's log segments on the broker (compressed batches stay compressed). */
  topicMiBOnDisk: number;
}

/** Messages per producer.send (one record batch per partition per send). */
const PER_SEND = 8000;
const MAX_IN_FLIGHT = 4;

export function generatorFor(w: Workload, extra: { seed?: number; stampSent?: boolean } = {}): InsightsGenerator {
  return new InsightsGenerator({ seed: extra.seed ?? w.seed, stampSent: extra.stampSent, fields: w.fields, keyOrder: w.keyOrder });
}

export async function preload(bootstrap: string, topic: string, n: number, partitions: number, workload: Workload): Promise<PreloadResult> {
  if (workload.codec !== 'none') await registerBenchCodecs();
  const kafka = benchKafka(bootstrap, 'bench-preload');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 8 });
  await producer.connect();
  const gen = generatorFor(workload);
  const inFlight = new Set<Promise<unknown>>();
  const batchesPerCodec: Partial<Record<CodecName, number>> = {};
  let minBytes = Infinity;
  let maxBytes = 0;
  const started = Date.now();
  let lastLog = started;
  for (let produced = 0, calls = 0; produced < n; calls++) {
    const size = Math.min(PER_SEND, n - produced);
    const messages: Message[] = new Array(size);
    for (let i = 0; i < size; i++) {
      const value = gen.next();
      if (value.length < minBytes) minBytes = value.length;
      if (value.length > maxBytes) maxBytes = value.length;
      messages[i] = { value, partition: (produced + i) % partitions };
    }
    produced += size;
    // One codec per produce call; `mix` gives each partition's record batch of the call its own
    // (rotating over call x partition), so that the batches keep the size they have with one codec.
    const sends: Array<Promise<unknown>> = [];
    if (workload.codec === 'mix') {
      const byPartition: Message[][] = Array.from({ length: partitions }, () => []);
      for (const m of messages) byPartition[m.partition as number].push(m);
      byPartition.forEach((part, p) => {
        if (part.length === 0) return;
        const codec = codecOfBatch('mix', calls * partitions + p);
        batchesPerCodec[codec] = (batchesPerCodec[codec] ?? 0) + 1;
        sends.push(producer.send({ topic, acks: 1, messages: part, ...(codec === 'none' ? {} : { compression: compressionType(codec) }) }));
      });
    } else {
      const codec = workload.codec;
      batchesPerCodec[codec] = (batchesPerCodec[codec] ?? 0) + Math.min(partitions, size);
      sends.push(producer.send({ topic, acks: 1, messages, ...(codec === 'none' ? {} : { compression: compressionType(codec) }) }));
    }
    const p = (sends.length === 1 ? sends[0] : Promise.all(sends)).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      say(`  preload: ${produced.toLocaleString('en-US')} / ${n.toLocaleString('en-US')}`);
    }
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  const high = await highWatermarks(admin, topic);
  await admin.disconnect();
  if (high !== n) throw new Error(`preload: the topic holds ${high} messages, expected ${n}`);
  return {
    topic,
    messages: n,
    partitions,
    seconds: round(seconds, 2),
    messagesPerSecond: Math.round(n / seconds),
    avgMessageBytes: Math.round(gen.bytes / n),
    totalMiB: round(gen.bytes / 2 ** 20, 1),
    expectedMetricLines: gen.numericFields,
    metricsPerMessage: round(gen.numericFields / n, 2),
    minMessageBytes: minBytes,
    maxMessageBytes: maxBytes,
    codec: workload.codec,
    batchesPerCodec,
    fieldsRequested: workload.fields ?? 'default',
    expectedFieldsPerMessage: round(gen.expectedFieldsPerMessage, 2),
    keyOrder: workload.keyOrder,
    topicMiBOnDisk: round(topicBytesOnDisk(topic) / 2 ** 20, 1),
  };
}
