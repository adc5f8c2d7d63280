/**
 * A clean stop whatever the broker's state: SIGTERM exits 0 within a second or two when
 * everything fetched was handed off, also with the shortest shutdown timeout; the offsets the
 * last commit could not record are logged (they are sent again after a restart).
 */
import { freePort } from '../../scripts/kafka/broker';
import { CheckProcess, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { durationIds, SteadyProducer, useOwnBroker } from '../harness/faultHelpers';
import { createTopic, uniqueName } from '../harness/kafkaHelpers';

jest.setTimeout(180_000);

const own = useOwnBroker();

/** Milliseconds from SIGTERM to the process's exit, and its exit. */
async function timedStop(check: CheckProcess): Promise<{ ms: number; code: number | null }> {
  const at = Date.now();
  check.kill('SIGTERM');
  const { code } = await check.exited;
  const ms = Date.now() - at;
  process.stderr.write(`[stop] ${expect.getState().currentTestName}: exit ${code} after ${ms} ms\n`);
  return { ms, code };
}

describe.each([
  ['the default shutdown timeout', 25],
  ['a shutdown timeout of 1 s', 1],
])('SIGTERM while Kafka is unreachable, with %s', (_, shutdownTimeout) => {
  it('never connected (refused port): exits 0 within 2 s', async () => {
    const dsd = await DogStatsDListener.udp();
    const port = await freePort();
    const { file, dir } = writeConfig(testConfig({ bootstrap: `127.0.0.1:${port}`, topic: 't', group: uniqueName('g'), dogstatsdUrl: dsd.url }, { shutdown_timeout_seconds: shutdownTimeout }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await check.waitForLog((e) => e.msg === 'Kafka unavailable', 60_000);
      const { ms, code } = await timedStop(check);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(2000);
      expect(check.logs().some((e) => e.msg === 'stopped')).toBe(true);
    } finally {
      await check.stop();
      await dsd.close();
    }
  });

  it('broker gone after delivery, offsets not yet committed: exits 0 within 2 s and logs what will be sent again', async () => {
    const topic = uniqueName('stop');
    await createTopic(own.broker.bootstrap, topic, 2);
    const dsd = await DogStatsDListener.udp();
    // Commits only once a minute: what was delivered is still uncommitted when the broker goes.
    const config = testConfig({ bootstrap: own.broker.bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { commit_interval_ms: 60_000 } }, { shutdown_timeout_seconds: shutdownTimeout });
    const { file, dir } = writeConfig(config);
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    const producer = new SteadyProducer(own.broker.bootstrap, topic, 2, 200);
    try {
      await producer.start();
      await dsd.waitFor((l) => durationIds(l).length >= 200, 60_000, '200 values');
      await producer.stop();
      await dsd.waitFor((l) => new Set(durationIds(l)).size >= producer.produced.length, 30_000, 'every produced value');
      await own.broker.stop();
      await check.waitForLog((e) => e.msg === 'Kafka unavailable', 60_000);
      const { ms, code } = await timedStop(check);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(2000);
      const warned = check.logs().find((e) => typeof e.msg === 'string' && (e.msg.includes('will be sent again') || e.msg.includes('will be read again')));
      expect(warned).toBeDefined();
      const uncommitted = warned?.uncommitted as Record<string, unknown>;
      expect(Object.keys(uncommitted ?? {}).length).toBeGreaterThan(0);
    } finally {
      await producer.stop().catch(() => undefined);
      await check.stop();
      await dsd.close();
      await own.broker.start();
    }
  });
});
