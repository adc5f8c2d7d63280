import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaBroker } from '../../scripts/kafka/broker';
import buildSetup from './buildSetup';
import { SHARED_BROKER_ENV, SharedBrokerInfo, TEST_SCRAM_USER } from './testBroker';

/** Starts one real broker (PLAINTEXT + SASL_SSL/SCRAM) for all integration tests. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await buildSetup();
  const broker = await KafkaBroker.start({ sasl: { users: [TEST_SCRAM_USER] } });
  (globalThis as { __AIK_BROKER__?: KafkaBroker }).__AIK_BROKER__ = broker;
  const info: SharedBrokerInfo = {
    bootstrap: broker.bootstrap,
    saslBootstrap: broker.saslBootstrap as string,
    caPemPath: broker.tls?.caPemPath as string,
    scramUser: TEST_SCRAM_USER,
  };
  const file = join(broker.workDir, 'shared-broker.json');
  writeFileSync(file, JSON.stringify(info));
  process.env[SHARED_BROKER_ENV] = file;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  process.stderr.write(`\n[integration] Kafka broker ready at ${broker.bootstrap} (SASL_SSL ${broker.saslBootstrap}) in ${Date.now() - started} ms\n`);
}
