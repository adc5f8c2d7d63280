import type { KafkaBroker } from '../../scripts/kafka/broker';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __AIK_BROKER__?: KafkaBroker };
  await holder.__AIK_BROKER__?.destroy();
  holder.__AIK_BROKER__ = undefined;
}
