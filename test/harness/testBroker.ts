/** What the global setup tells the integration tests about the shared broker. */
import { readFileSync } from 'node:fs';

export interface SharedBrokerInfo {
  bootstrap: string;
  saslBootstrap: string;
  caPemPath: string;
  scramUser: { username: string; password: string };
  /** The shared broker's Kafka version, e.g. '4.4.0'. */
  kafkaVersion: string;
}

export const SHARED_BROKER_ENV = 'AIK_TEST_BROKER_FILE';

export const TEST_SCRAM_USER = { username: 'insights', password: 'insights-test-secret' };

export function sharedBroker(): SharedBrokerInfo {
  const file = process.env[SHARED_BROKER_ENV];
  if (!file) throw new Error(`${SHARED_BROKER_ENV} is not set: run integration tests through jest (globalSetup starts the broker)`);
  return JSON.parse(readFileSync(file, 'utf8')) as SharedBrokerInfo;
}
