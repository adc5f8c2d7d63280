/**
 * Encoders for tests, built the way the daemon builds them: a conf.yaml instance (defaults
 * applied by the schema) through `encoderSetup`. Only the keys a test cares about are given.
 */
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load';
import type { ResolvedInstance } from '../../src/config/resolved';
import type { EncoderSetup } from '../../src/encode/chunkEncoder';
import { encoderSetup, type EncoderSetupOptions } from '../../src/encode/encoderSetup';

/** One resolved instance from these conf.yaml instance keys (no DD_* environment). */
export function testInstance(keys: Record<string, unknown> = {}): ResolvedInstance {
  const text = stringify({ init_config: null, instances: [{ kafka_connect_str: ['localhost:9092'], topic: 'insights', ...keys }] });
  return parseConfig(text, 'test-conf.yaml', {}).instances[0];
}

export function testEncoderSetup(keys: Record<string, unknown> = {}, opts: Partial<EncoderSetupOptions> = {}): EncoderSetup {
  return encoderSetup(testInstance(keys), { lineSuffix: '', ...opts });
}
