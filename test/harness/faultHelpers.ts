/** Helpers for fault tests: id-carrying messages, a steady background producer, parsing. */
import { Kafka, logLevel, Producer } from 'kafkajs';
import { KafkaBroker } from '../../scripts/kafka/broker';
import { cleanUpCheckProcesses } from './checkProcess';
import { metricValues } from './lineValues';

/** Every message carries its identity in duration_milliseconds: partition * 1e6 + sequence. */
export const idOf = (partition: number, seq: number) => partition * 1_000_000 + seq;
export const partitionOfId = (id: number) => Math.floor(id / 1_000_000);
export const seqOfId = (id: number) => id % 1_000_000;

export function durationIds(lines: readonly string[]): number[] {
  return metricValues(lines, 'algorithmia.duration_milliseconds');
}

/**
 * Produces to every partition in turn (explicit partition, so a message's offset equals its
 * sequence number in a fresh topic) at about `ratePerSec`, until stopped. Knows what it produced.
 */
export class SteadyProducer {
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  readonly produced: number[] = [];
  private seq: number[];

  constructor(
    private readonly bootstrap: string,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly ratePerSec: number,
  ) {
    this.seq = new Array(partitions).fill(0);
  }

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'steady-producer', brokers: [this.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 2000 } });
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const tick = 100;
    const perTick = Math.max(1, Math.round((this.ratePerSec * tick) / 1000));
    while (this.running) {
      const started = Date.now();
      const messages = [];
      for (let i = 0; i < perTick; i++) {
        const partition = (this.produced.length + i) % this.partitions;
        const id = idOf(partition, this.seq[partition]++);
        messages.push({ partition, value: JSON.stringify({ algorithm_name: 'fault', algorithm_version: '1', duration_milliseconds: id }) });
      }
      // acks=-1 and retries: a message counts as produced only once the broker has it.
      await (this.producer as Producer).send({ topic: this.topic, acks: -1, messages });
      for (const m of messages) this.produced.push(JSON.parse(m.value).duration_milliseconds as number);
      const wait = tick - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.producer?.disconnect();
  }
}

/** Partitions per "joined consumer group" log line of a daemon (kafkajs memberAssignment). */
export function assignments(logs: Array<Record<string, unknown>>, topic: string): number[][] {
  return logs
    .filter((e) => e.msg === 'joined consumer group')
    .map((e) => ((e.assignment as Record<string, number[]> | undefined)?.[topic] ?? []).slice().sort((a, b) => a - b));
}

/**
 * A broker of the calling test file's own (fault tests stop and restart it), started before
 * its tests and destroyed after them, with every check process the file started.
 */
export function useOwnBroker(): { readonly broker: KafkaBroker } {
  const holder: { broker?: KafkaBroker } = {};
  beforeAll(async () => {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    holder.broker = await KafkaBroker.start();
  });
  afterAll(async () => {
    cleanUpCheckProcesses();
    await holder.broker?.destroy();
  });
  return {
    get broker(): KafkaBroker {
      if (!holder.broker) throw new Error('the broker starts in beforeAll');
      return holder.broker;
    },
  };
}
