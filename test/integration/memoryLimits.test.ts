/**
 * The young generation's cap holds when the check is started as plain `node dist/src/cli.js`
 * (no flag from the bin's shebang): a backlog is drained, and the process reports the largest
 * new space V8 gave it. Not a timing test: a size the process measured of itself.
 */
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';
import { YOUNG_SEMI_SPACE_MB } from '../../src/tunables';

afterAll(() => cleanUpCheckProcesses());

describe('memory limits', () => {
  const { bootstrap } = sharedBroker();

  it('cap the young generation when started as plain node dist/src/cli.js', async () => {
    const topic = uniqueName('mem');
    await createTopic(bootstrap, topic, 2);
    const messages = Array.from({ length: 60_000 }, (_, i) => ({
      value: JSON.stringify({ algorithm_name: `algo${i % 7}`, algorithm_version: '1.0', duration_milliseconds: i % 100, score: i / 7, other: (i * 13) % 101, label: 'x'.repeat(200) }),
    }));
    await produce(bootstrap, topic, messages);
    const dsd = await DogStatsDListener.uds();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url }));
    // CheckProcess starts `node dist/src/cli.js` with no node flags, as a wrapper would.
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => l.filter((x) => x.startsWith('algorithmia.duration_milliseconds:')).reduce((n, x) => n + x.split('|')[0].split(':').length - 1, 0) >= messages.length, 120_000, 'every duration');
      check.kill('SIGTERM');
      expect((await check.exited).code).toBe(0);
      const stopped = check.logs().find((e) => e.msg === 'stopped');
      const peak = stopped?.young_generation_peak_mb as number;
      expect(peak).toBeGreaterThan(0);
      // new space = two semi-spaces
      expect(peak).toBeLessThanOrEqual(2 * YOUNG_SEMI_SPACE_MB);
      // The encoder thread reported its own heap with its chunks.
      expect(stopped?.worker_heap_peak_mb as number).toBeGreaterThan(0);
    } finally {
      await check.stop();
      await dsd.close();
    }
  }, 180_000);
});
