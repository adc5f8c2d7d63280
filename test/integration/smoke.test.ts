import { sharedBroker } from '../harness/testBroker';
import { createTopic, produce, testKafka, uniqueName } from '../harness/kafkaHelpers';

describe('real Kafka broker (smoke)', () => {
  it('produces a message to a fresh topic and consumes it back', async () => {
    const { bootstrap } = sharedBroker();
    const topic = uniqueName('smoke');
    await createTopic(bootstrap, topic);
    const value = JSON.stringify({ algorithm_name: 'smoke', duration_milliseconds: 42 });
    await produce(bootstrap, topic, [{ key: 'k', value }]);

    const consumer = testKafka(bootstrap).consumer({ groupId: uniqueName('smoke-group') });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
      });
      expect(received).toBe(value);
    } finally {
      await consumer.disconnect();
    }
  });
});
