import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { brokerVersion } from '../../scripts/kafka/broker';

/**
 * Builds dist/ once: the tests run the real check process from its build output. As the fault
 * project's globalSetup (jest passes its configs) it also says which Kafka version its brokers run.
 */
export default async function buildSetup(_globalConfig?: unknown, projectConfig?: { displayName?: unknown }): Promise<void> {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, '../../tsconfig.json')], { stdio: 'inherit' });
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const name = projectConfig?.displayName;
  const project = typeof name === 'string' ? name : (name as { name?: string } | undefined)?.name;
  if (project) process.stderr.write(`\n[${project}] brokers run Kafka ${brokerVersion()}\n`);
}
