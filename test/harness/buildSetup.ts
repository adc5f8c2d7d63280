import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds dist/ once: the tests run the real check process from its build output. */
export default async function buildSetup(): Promise<void> {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, '../../tsconfig.json')], { stdio: 'inherit' });
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
}
