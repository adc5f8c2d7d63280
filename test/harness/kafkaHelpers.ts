/** Small kafkajs helpers for tests: fresh topic names, topic creation, producing. */
import { randomBytes } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel, Message } from 'kafkajs';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testKafka(bootstrap: string, clientId = 'test-client'): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function createTopic(bootstrap: string, topic: string, numPartitions = 1): Promise<void> {
  const admin = testKafka(bootstrap, 'test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(
  bootstrap: string,
  topic: string,
  messages: Message[],
  compression: CompressionTypes = CompressionTypes.None,
): Promise<void> {
  const producer = testKafka(bootstrap, 'test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const chunk = 500;
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, compression, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Committed offset per partition of a group (partitions without a commit are left out). */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = testKafka(bootstrap, 'test-admin').admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out = new Map<number, number>();
    for (const p of t?.partitions ?? []) if (p.offset !== '-1') out.set(p.partition, Number(p.offset));
    return out;
  } finally {
    await admin.disconnect();
  }
}
