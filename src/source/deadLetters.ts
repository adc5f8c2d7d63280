/** The dead-letter topic: rejected messages copied as they came, with why and where from in headers. */
import type { Kafka, Producer } from 'kafkajs';
import type { DeadLetter } from './batchContract';

export const REJECT_REASON_HEADER = 'x-insights-reject-reason';

export class DeadLetterProducer {
  private producer?: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  /** Resolves once the broker acknowledged every letter (acks: all). */
  async write(letters: DeadLetter[]): Promise<void> {
    if (!this.producer) {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await producer.connect();
      this.producer = producer;
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.message.key ?? null,
        value: l.message.value,
        headers: {
          [REJECT_REASON_HEADER]: l.reason,
          'x-insights-source-topic': l.topic,
          'x-insights-source-partition': String(l.partition),
          'x-insights-source-offset': l.message.offset,
        },
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}
