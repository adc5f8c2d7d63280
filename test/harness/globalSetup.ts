import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerVersion, DEFAULT_KAFKA_VERSION, ensureKafkaLibs, KafkaBroker, KAFKA_VERSION_ENV } from '../../scripts/kafka/broker';
import buildSetup from './buildSetup';
import { SHARED_BROKER_ENV, SharedBrokerInfo, TEST_SCRAM_USER } from './testBroker';

/**
 * Starts one real broker (PLAINTEXT + SASL_SSL/SCRAM) for all integration tests, of the version
 * AIK_KAFKA_VERSION names (default 3.9.2; `npm test` runs the suite once per tested version).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await buildSetup();
  const version = brokerVersion();
  // Tests run Java client tools (ConsoleProducer) from the default version's classpath whatever
  // the broker's version: fetch it here, not inside a test's timeout.
  if (version !== DEFAULT_KAFKA_VERSION) await ensureKafkaLibs();
  const broker = await KafkaBroker.start({ version, sasl: { users: [TEST_SCRAM_USER] } });
  (globalThis as { __AIK_BROKER__?: KafkaBroker }).__AIK_BROKER__ = broker;
  const info: SharedBrokerInfo = {
    bootstrap: broker.bootstrap,
    saslBootstrap: broker.saslBootstrap as string,
    caPemPath: broker.tls?.caPemPath as string,
    scramUser: TEST_SCRAM_USER,
    kafkaVersion: broker.version,
  };
  const file = join(broker.workDir, 'shared-broker.json');
  writeFileSync(file, JSON.stringify(info));
  process.env[SHARED_BROKER_ENV] = file;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  // Test files and the processes they start (the demo's own broker) run the same version.
  process.env[KAFKA_VERSION_ENV] = version;
  process.stderr.write(`\n[integration] Kafka ${broker.version} broker ready at ${broker.bootstrap} (SASL_SSL ${broker.saslBootstrap}) in ${Date.now() - started} ms\n`);
}
